// What this node is doing and what it thinks of its peer, in one word each, for `twinbeat
// status`, MQTT and the fleet view: read from the state here, so the shell only maps it.
import { failedHere, type CoreState } from './state';

/** This node's part in the pair now. */
export type NodeRole = 'active' | 'standby' | 'starting' | 'stopping' | 'waiting' | 'fencing' | 'failed' | 'leaving';

/** The peer as this node sees it. */
export type PeerRole = 'unknown' | 'up' | 'dead' | 'leaving' | 'being-reset';

export function nodeRole(s: CoreState): NodeRole {
  const slots = Object.values(s.groups);
  if (s.mode === 'leaving') return 'leaving';
  if (s.fence.phase === 'delay' || s.fence.phase === 'resetting' || s.fence.phase === 'retry-wait') return 'fencing';
  if (slots.some((g) => g.state === 'starting')) return 'starting';
  if (slots.some((g) => g.state === 'stopping')) return 'stopping';
  if (slots.some((g) => g.state === 'stop-failed')) return 'failed';
  if (slots.some((g) => g.state === 'held')) return 'active';
  if (slots.some((g) => g.state === 'failed' || failedHere(g, s.lastEventAt))) return 'failed';
  if (s.contact === 'waiting' && s.waitExplained) return 'waiting';
  return 'standby';
}

export function peerRole(s: CoreState): PeerRole {
  switch (s.contact) {
    case 'alive':
      return 'up';
    case 'waiting':
      return 'unknown';
    case 'left':
      return 'leaving';
    case 'lost':
      return s.fence.phase === 'resetting' ? 'being-reset' : 'dead';
    default:
      return 'dead';
  }
}
