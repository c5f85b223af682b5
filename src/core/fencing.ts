// Peer lost: every path silent for deadtime. With a reset device the peer is reset first and
// the groups are taken only after the reset succeeded; without one, Heartbeat v1 takes over.
//
// One shot only: when both nodes lose every path at once, both are alive and both want to
// shoot. The node that runs the first group (haresources order) shoots at once; the other
// waits fence_delay, so the serving node survives. A failed reset is retried, but only at
// times when the peer's own shot cannot be due (see retryTime): two shots that cross would
// power off both nodes.
import type { DecisionFacts } from './decisions';
import { asksToBeReset, decide, log, type Step } from './state';
import type { CoreConfig } from './types';

/**
 * Both nodes may believe they run the first group when a handover message was lost with the
 * link; the second node in ha.cf order then shoots a little later, so the first shot lands first.
 */
function staggerMs(c: CoreConfig): number {
  return c.local === c.nodes[1] ? c.deadtimeMs / 2 : 0;
}

export function onPeerLost(st: Step): void {
  const s = st.s;
  const c = s.config;
  if (!c.canResetPeer) {
    s.contact = 'dead';
    decide(st, 'takeover-peer-dead', { figures: { deadtimeMs: c.deadtimeMs } });
    return;
  }
  s.contact = 'lost';
  // A node that stalled while the peer was silent lost time: the peer may have declared it
  // dead earlier and be counting down its own delay. It gives up its right to shoot first.
  // (Messages read right after the stall are old news, hence >=.) It also waits one more
  // deadtime, so that its shot cannot coincide with the peer's however long the stall was.
  const stalledInSilence = s.resumedAt >= s.peer.lastHeardAt && s.resumedAt > s.startedAt;
  // A node that asked to be reset (a group it cannot stop) is the one to be shot: its peer may
  // be shooting now over a link this node no longer hears. It never shoots first.
  const first = shootsFirst(st) && !stalledInSilence && !asksToBeReset(s);
  const stagger = staggerMs(c);
  let delay = (first ? 0 : c.fenceDelayMs) + stagger + (stalledInSilence ? c.deadtimeMs : 0);
  // A one-way link: the peer told us (on the way that still worked) when it would shoot us.
  // If that is before or near our own shot, its shot goes first and ours waits behind it.
  const theirs = s.peer.shootsAt;
  let yielded = false;
  if (theirs !== null && theirs <= st.now + delay + c.deadtimeMs) {
    const after = theirs + c.deadtimeMs - st.now;
    if (after > delay) {
      delay = after;
      yielded = true;
    }
  }
  s.fence = { phase: 'delay', until: st.now + delay, attempts: 0, first: first && !yielded, lostAt: st.now };
  if (yielded) {
    decide(st, 'wait-peer-shoots-first', { figures: { delayMs: delay } });
    return;
  }
  if (delay === 0) {
    shoot(st, 'reset-at-once');
  } else if (first) {
    decide(st, 'wait-stagger', { figures: { delayMs: delay } });
  } else {
    decide(st, 'wait-fence-delay', { figures: { delayMs: delay }, stagger: stagger > 0, stalled: stalledInSilence, asksReset: asksToBeReset(s) });
  }
}

/**
 * Who runs the first group (haresources order), as far as this node knows: us if we have the
 * right to it, the peer if it has it or we handed it over, else its home node (which would
 * claim it). Both nodes reach the same answer unless a handover message was lost in the cut.
 */
function shootsFirst(st: Step): boolean {
  const s = st.s;
  const c = s.config;
  const g = c.groups[0];
  if (!g) return c.nodes[0] === c.local;
  const slot = s.groups[g.id]!;
  if (slot.token) return true;
  if (slot.grantedTo !== 0 || s.peer.view?.held.includes(g.id)) return false;
  return g.home === c.local;
}

/** The decisions that reset the peer, one per reason. */
export type ShotCode = 'reset-at-once' | 'reset-after-stagger' | 'reset-after-fence-delay' | 'reset-retry' | 'reset-by-operator' | 'reset-asked-for';

export function shoot(st: Step, why: ShotCode, facts: DecisionFacts = {}): void {
  const s = st.s;
  s.fence.phase = 'resetting';
  s.fence.attempts += 1;
  decide(st, why, facts);
  st.out.push({ type: 'reset-peer', node: s.config.peer });
}

/**
 * `twinbeat fence NODE`: the operator resets the peer through this node's device. It is a
 * shot like any other: one at a time, and once it succeeded the peer's generation is over and
 * its groups are taken here, so the core never shoots the rebooting peer a second time.
 */
export function operatorFence(st: Step): void {
  const s = st.s;
  const c = s.config;
  if (!c.canResetPeer) {
    decide(st, 'fence-refused-no-device');
    return;
  }
  if (s.fence.phase === 'resetting') {
    decide(st, 'fence-refused-under-way');
    return;
  }
  s.contact = 'lost';
  s.fence = { phase: 'delay', until: st.now, attempts: 0, first: true, lostAt: st.now };
  shoot(st, 'reset-by-operator');
}

/**
 * After our own stall (see step.ts): a pending shot waits a fresh deadtime. A node that was to
 * shoot first yields: while it stood still the peer went on counting down its own fence_delay,
 * so its shot may now come before ours. Like a node that stalled before the loss, this one
 * shoots only after the peer's last possible shot.
 */
export function fencingAfterStall(st: Step): void {
  const s = st.s;
  const c = s.config;
  if (s.fence.phase === 'delay' && s.fence.first) {
    s.fence.first = false;
    s.fence.until = Math.max(s.fence.until, st.now + c.deadtimeMs, s.fence.lostAt + c.fenceDelayMs + staggerMs(c) + c.deadtimeMs);
    log(st, 'warn', `No longer shooting first: ${c.peer} may have counted down its fence_delay while this node stood still; resetting it in ${s.fence.until - st.now} ms unless it is heard`);
  } else if (s.fence.phase === 'delay' || s.fence.phase === 'retry-wait') {
    s.fence.until = Math.max(s.fence.until, st.now + c.deadtimeMs);
  }
}

export function cancelFencing(st: Step): void {
  const { askedFrom: _done, ...fence } = st.s.fence;
  st.s.fence = { ...fence, phase: 'idle', until: 0 };
}

function heardWithinDeadtime(st: Step): boolean {
  const s = st.s;
  return st.now - Math.max(s.peer.lastHeardAt, s.resumedAt) < s.config.deadtimeMs && s.peer.lastHeardAt > s.fence.lostAt;
}

export function fencingTimers(st: Step): void {
  const s = st.s;
  if (s.contact !== 'lost' || st.now < s.fence.until) return;
  if (s.fence.phase !== 'resetting' && heardWithinDeadtime(st)) {
    // Never reset a peer heard within deadtime (a message that came while a reset was under way).
    s.contact = 'alive';
    cancelFencing(st);
    decide(st, 'reset-cancelled');
    return;
  }
  if (s.fence.phase === 'delay') {
    shoot(st, s.fence.first ? 'reset-after-stagger' : 'reset-after-fence-delay');
  } else if (s.fence.phase === 'retry-wait') {
    shoot(st, 'reset-retry', { figures: { attempt: s.fence.attempts + 1 } });
  }
}

export function onResetResult(st: Step, ok: boolean, detail?: string): void {
  const s = st.s;
  const c = s.config;
  if (s.fence.phase !== 'resetting') {
    decide(st, 'reset-result-ignored', { ok });
    return;
  }
  if (ok) {
    s.contact = 'reset';
    // Whatever that run still says in flight is from before the power cut.
    s.peer.goneBoot = s.peer.boot;
    s.peer.view = null;
    // Whatever it could not stop ended with its power.
    s.peer.stuck = [];
    s.peer.resetMe = false;
    s.askedReset = { attempts: 0, nextAt: 0 };
    cancelFencing(st);
    s.fence.resetAt = st.now;
    decide(st, 'reset-succeeded', { detail });
    return;
  }
  if (s.fence.askedFrom) {
    // The peer asked for it: nothing is taken over, it is as it was; the next try is stop-failure.ts's.
    s.contact = s.contact === 'left' ? 'left' : s.fence.askedFrom;
    cancelFencing(st);
    const pause = Math.min(c.resetRetryMs * 2 ** (s.askedReset.attempts - 1), c.resetRetryMaxMs);
    s.askedReset.nextAt = st.now + pause;
    decide(st, 'reset-failed-asked-for', { detail, groups: s.peer.stuck, figures: { delayMs: pause } });
    return;
  }
  if (heardWithinDeadtime(st)) {
    // The peer spoke while the reset was under way: it is alive, and it was not reset.
    s.contact = 'alive';
    cancelFencing(st);
    decide(st, 'reset-failed-heard', { detail });
    return;
  }
  const backoff = Math.min(c.resetRetryMs * 2 ** (s.fence.attempts - 1), c.resetRetryMaxMs);
  const at = retryTime(st, st.now + backoff);
  s.fence.phase = 'retry-wait';
  s.fence.until = at;
  decide(st, 'reset-failed-retry', { detail, figures: { attempt: s.fence.attempts, delayMs: at - st.now } });
}

/**
 * When a retry may fire. A retry must not meet a shot of the peer (both would be powered
 * off), and the peer's clock started within about a keepalive of ours, so:
 *  - not within deadtime/2 of any time the peer might fire its first shot (at once, after the
 *    stagger, after fence_delay, after fence_delay + stagger, counted from our loss time);
 *  - only in the first half of this node's own slots: time after the loss is cut into slots of
 *    deadtime, even ones for the first node of ha.cf, odd ones for the second, so that two
 *    retry loops take turns.
 */
function retryTime(st: Step, wanted: number): number {
  const c = st.s.config;
  const lostAt = st.s.fence.lostAt;
  const margin = c.deadtimeMs / 2;
  const firstShots = [0, c.deadtimeMs / 2, c.fenceDelayMs, c.fenceDelayMs + c.deadtimeMs / 2];
  const parity = c.local === c.nodes[0] ? 0 : 1;
  let t = wanted;
  for (let round = 0; round < 8; round++) {
    const clash = firstShots.find((shot) => Math.abs(t - (lostAt + shot)) < margin);
    if (clash !== undefined) t = lostAt + clash + margin;
    const slot = Math.floor((t - lostAt) / c.deadtimeMs);
    const intoSlot = t - lostAt - slot * c.deadtimeMs;
    if (slot % 2 !== parity || intoSlot >= c.deadtimeMs / 2) {
      const next = slot % 2 === parity ? slot + 2 : slot + 1;
      t = lostAt + next * c.deadtimeMs;
    }
    if (clash === undefined && firstShots.every((shot) => Math.abs(t - (lostAt + shot)) >= margin)) break;
  }
  return t;
}
