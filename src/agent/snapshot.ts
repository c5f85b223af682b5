// Builds the status snapshot every reporter reads from the core's state.
import { failedHere, flappingText, isRunning, nodeRole, peerRole, type CoreState } from '../core';
import type { Config } from '../config/types';
import type { Decision, GroupSnapshot, StatusSnapshot, ResetDeviceHealth, TakeoverTrace } from '../snapshot';

export interface SnapshotContext {
  config: Config;
  state: CoreState;
  /** Monotonic ms, the clock the core runs on. */
  now: number;
  lastDecision?: Decision;
  version: string;
  startedAt: Date;
  counters: Record<string, number>;
  resetDevice?: ResetDeviceHealth;
  problems?: string[];
  takeovers?: TakeoverTrace[];
}

/** Where the group would not stop: here (our mark), and on the peer as it said (kept after it left). */
function stopFailedOn(s: CoreState, config: Config, id: string): { stopFailedOn?: string[] } {
  const nodes = [
    ...(s.groups[id]?.stopFailed ? [config.localNode] : []),
    ...((s.contact === 'alive' || s.contact === 'left') && s.peer.stuck.includes(id) ? [config.peerNode] : []),
  ];
  return nodes.length > 0 ? { stopFailedOn: nodes } : {};
}

export function buildSnapshot(ctx: SnapshotContext): StatusSnapshot {
  const { config, state: s, now } = ctx;
  const ago = (t: number) => (t > 0 ? Math.max(0, Math.round(now - t)) : undefined);
  const view = s.contact === 'alive' ? s.peer.view : null;
  const groups: GroupSnapshot[] = config.groups.map((g) => {
    const slot = s.groups[g.id];
    const here = slot !== undefined && isRunning(slot.state);
    const peerHolds = view?.held.includes(g.id) ?? false;
    const failedOn = [
      ...(slot && (slot.state === 'failed' || failedHere(slot, s.lastEventAt)) ? [config.localNode] : []),
      ...(view?.failed.includes(g.id) ? [config.peerNode] : []),
    ];
    return {
      id: g.id,
      home: g.home,
      // A group that would not stop here is held here as far as anyone knows, unless the peer took it (handover).
      holder: here ? config.localNode : peerHolds ? config.peerNode : slot?.state === 'stop-failed' ? config.localNode : null,
      state: slot?.state ?? 'released',
      failedOn,
      ...stopFailedOn(s, config, g.id),
      ...(slot?.flapping ? { flapping: flappingText(slot.flapping) } : {}),
    };
  });
  const peerLast = ago(s.peer.lastHeardAt);
  return {
    cluster: config.cluster,
    node: config.localNode,
    role: nodeRole(s),
    peer: {
      node: config.peerNode,
      state: peerRole(s),
      ...(s.peer.generation ? { generation: s.peer.generation, lastSeq: s.peer.lastSeq } : {}),
      ...(s.peer.boot ? { boot: s.peer.boot } : {}),
      ...(peerLast !== undefined ? { lastHeardAgoMs: peerLast } : {}),
      ...(s.heartbeat ? { software: 'heartbeat' as const } : {}),
      ...(s.peer.helloAt > 0 ? { unansweredAgoMs: ago(s.peer.helloAt)! } : {}),
    },
    paths: config.paths.map((p) => {
      const slot = s.paths[p.id];
      const last = slot ? ago(slot.lastHeardAt) : undefined;
      return {
        id: p.id,
        name: p.name,
        state: slot?.up === true ? 'up' : slot?.up === false ? 'dead' : 'unknown',
        ...(last !== undefined ? { lastHeardAgoMs: last } : {}),
      };
    }),
    groups,
    ...(ctx.lastDecision ? { lastDecision: ctx.lastDecision } : {}),
    generation: s.generation,
    seq: s.seq,
    ...(s.boot ? { boot: s.boot } : {}),
    version: ctx.version,
    startedAt: ctx.startedAt.toISOString(),
    uptimeS: Math.round((Date.now() - ctx.startedAt.getTime()) / 1000),
    timestamp: new Date().toISOString(),
    counters: ctx.counters,
    ...(ctx.resetDevice ? { resetDevice: ctx.resetDevice } : {}),
    ...(ctx.problems && ctx.problems.length > 0 ? { problems: ctx.problems } : {}),
    ...(ctx.takeovers ? { takeovers: ctx.takeovers } : {}),
  };
}
