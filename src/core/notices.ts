// Notices the peer must act on: a group handed over (release-done), a takeover request
// (release-request) and the shutdown notice. A datagram can be lost, and a lost notice costs
// more than a late heartbeat: a shutdown notice lost with the leaving process costs the peer a
// whole deadtime. So every notice is repeated, in place of the heartbeat and at a faster pace,
// until the peer's own messages show that it acted on it, for at most two keepalives:
//   - a grant is answered when the peer lists the group in `held` (handover.ts clears it);
//   - a takeover request when the peer is no longer active or holds none of the groups;
//   - the shutdown notice by an explicit `shutdown-ack` (the leaving node sends nothing after
//     exiting, so nothing else could tell it that the notice arrived).
import { decide, senderView, type CoreState, type Step } from './state';
import type { Message } from './types';

/** How often an unanswered notice is repeated: twice per keepalive, and at least every 200 ms. */
export function repeatMs(s: CoreState): number {
  return Math.min(s.config.keepaliveMs / 2, 200);
}

/** How long a notice is repeated, and how long a leaving node waits for its acknowledgement. */
export function repeatForMs(s: CoreState): number {
  return 2 * s.config.keepaliveMs;
}

/** Sends a notice now and repeats it (see periodicMessage) until it is answered or repeatForMs passes. */
export function sendNotice(st: Step, message: Message): void {
  const s = st.s;
  st.out.push({ type: 'send', message });
  s.repeatUntil = st.now + repeatForMs(s);
  // It carries the whole view, as a heartbeat does: the next slot is the first repetition.
  s.nextHeartbeatAt = st.now + repeatMs(s);
}

/** A group handed to the peer's current run that it has not yet shown it holds. */
function grantOutstanding(s: CoreState): boolean {
  return Object.values(s.groups).some((slot) => !slot.token && slot.grantedTo !== 0 && slot.grantedTo === s.peer.boot);
}

function awaitingAnswer(s: CoreState): boolean {
  return (s.farewell !== null && !s.farewell.acked) || s.request !== null || grantOutstanding(s);
}

/** The message of the heartbeat slot: the unanswered notice if there is one (it carries the whole view too). */
export function periodicMessage(s: CoreState, now: number): Message {
  const view = senderView(s, now);
  if (s.farewell) return { kind: 'shutdown', ...view };
  if (s.request) return { kind: 'release-request', groups: s.request, ...view };
  return { kind: 'heartbeat', ...view };
}

/** When the heartbeat slot after one at `now` is due. */
export function nextSlotAfter(s: CoreState, now: number): number {
  return now + (now < s.repeatUntil && awaitingAnswer(s) ? repeatMs(s) : s.config.keepaliveMs);
}

/**
 * A takeover request is answered (and forgotten) once the peer, knowing our run, is no longer
 * active or holds none of the groups asked for.
 */
function settleRequest(st: Step): boolean {
  const s = st.s;
  const view = s.peer.view;
  if (!s.request) return true;
  if (view && (view.mode !== 'active' || !s.request.some((g) => view.held.includes(g)))) {
    s.request = null;
    return true;
  }
  return false;
}

/** The peer answers a shutdown notice at once: the leaving node may then exit. */
export function acknowledgeShutdown(st: Step): void {
  st.out.push({ type: 'send', message: { kind: 'shutdown-ack', ...senderView(st.s, st.now) } });
}

/** A takeover request that the peer did not answer in time is given up, and said so. */
export function noticeTimers(st: Step): void {
  const s = st.s;
  if (!s.request || settleRequest(st)) return;
  if (s.contact !== 'alive') {
    s.request = null; // Lost contact decides now, not the request.
  } else if (st.now >= s.repeatUntil) {
    decide(st, 'takeover-unanswered', { groups: s.request, figures: { delayMs: repeatForMs(s) } });
    s.request = null;
  }
}
