// A flapping cause must not bounce the service. Two rules, both on failback only: a move off a
// holder that cannot serve (its carrier gone, fewer ping targets, failed checks) to a peer that
// can is never held back, so a lasting failure still moves the group at once.
//
// Hold-down (failback_holddown). The health that matters for a failback is the home node's,
// and only the home node sees every change of it (a cable down for 0.3 s may fall between two
// heartbeats). So each node says in every message how long its own health (carrier, ping
// targets, marks) has been steady and what changed last (`steady`); the holder, which decides
// the failback, hands the group back only once the home node has been steady for the hold-down.
//
// Damping (flap_limit, flap_window). Each move for health (a move off an unhealthy holder, or a
// failback undoing one) is recorded by the node that hands the group over, under the epoch its
// handover creates, and both nodes tell each other what they know (`moves`), so the holder
// counts every move whoever made it. A failback is a choice, and the cause that made the first
// move may force another right after it; so the holder fails back only while two more moves fit
// in flap_limit. Otherwise the group stays on the holder (healthy, or the forced rule would have
// moved it), said once, until the home node has been steady for flap_window.
import { decideOnce, flapWindowMs, log, sayOnce, type CoreState, type Flapping, type GroupSlot, type Step } from './state';
import type { CoreGroup, HealthMove } from './types';

/** This node's own carrier, ping targets or marks changed: a failback here waits for the hold-down. */
export function noteHealthChange(st: Step, cause: string): void {
  st.s.health = { changedAt: st.now, cause };
}

/** How long the peer's health has been steady, as it said (Infinity: it never changed). */
function peerSteadyFor(st: Step): number {
  const steady = st.s.peer.view?.steady;
  if (!steady) return Infinity;
  // Its figure was true when sent; counting from the arrival makes it a little shorter, never longer.
  return steady.forMs + (st.now - st.s.peer.lastHeardAt);
}

function peerCause(s: CoreState): string {
  return s.peer.view?.steady?.cause ?? 'its health';
}

function dampingOn(s: CoreState): boolean {
  return (s.config.flapLimit ?? 0) > 0 && flapWindowMs(s) > 0;
}

function recentMoves(s: CoreState, slot: GroupSlot, now: number): { epoch: number; at: number }[] {
  return slot.moves.filter((m) => now - m.at < flapWindowMs(s));
}

/** The group came here by a health move: handing it back home undoes that move, and counts too. */
export function cameForHealth(slot: GroupSlot): boolean {
  return slot.moves.some((m) => m.epoch === slot.epoch);
}

/** handOver created the move's epoch: a health move is recorded under it. */
export function recordMove(st: Step, slot: GroupSlot): void {
  if (!dampingOn(st.s)) return;
  slot.moves = [...recentMoves(st.s, slot, st.now), { epoch: slot.epoch, at: st.now }];
}

/** The peer's record of health moves: merged by epoch (its times are a little late here, which only counts them longer). */
export function learnMoves(st: Step, moves: Record<string, HealthMove[]> | undefined): void {
  const s = st.s;
  if (!moves || !dampingOn(s)) return;
  for (const [id, list] of Object.entries(moves)) {
    const slot = s.groups[id];
    if (!slot) continue;
    const known = recentMoves(s, slot, st.now).map((m) => ({ ...m }));
    for (const m of list.slice(0, 2 * (s.config.flapLimit ?? 0) + 2)) {
      if (!Number.isFinite(m.agoMs) || m.agoMs < 0) continue;
      const at = st.now - m.agoMs;
      const same = known.find((k) => k.epoch === m.epoch);
      if (same) same.at = Math.min(same.at, at);
      else if (st.now - at < flapWindowMs(s)) known.push({ epoch: m.epoch, at });
    }
    slot.moves = known.sort((a, b) => a.at - b.at);
  }
}

function waitUntil(st: Step, at: number): void {
  if (at > st.now && (st.s.holdUntil === null || at < st.s.holdUntil)) st.s.holdUntil = at;
}

/**
 * The holder of a group away from its home node, with auto_failback on: is the group damped?
 * Begins when a failback and the forced move that may follow it would pass flap_limit; ends once
 * the home node has been steady for flap_window and they fit again.
 */
export function updateFlapping(st: Step, g: CoreGroup, slot: GroupSlot): void {
  const s = st.s;
  const c = s.config;
  if (!dampingOn(s)) return;
  const limit = c.flapLimit!;
  const window = flapWindowMs(s);
  const recent = recentMoves(s, slot, st.now);
  const steady = peerSteadyFor(st);
  if (!slot.flapping && recent.length + 2 > limit) {
    slot.flapping = { moves: recent.length, windowMs: window, holder: c.local, home: c.peer, cause: peerCause(s) };
  } else if (slot.flapping && steady >= window && recent.length + 2 <= limit) {
    log(st, 'info', `Resource group ${g.id}: ${slot.flapping.cause} on ${c.peer} steady for ${seconds(window)} s; no longer flapping, auto_failback applies again`);
    slot.flapping = null;
  }
  if (!slot.flapping) return;
  // Tick when the home node will have been steady long enough, or when a move leaves the window.
  waitUntil(st, steady < window ? st.now + window - steady : recent[0]!.at + window);
  decideOnce(st, 'flapping', { group: g.id, detail: flappingWhy(slot.flapping) }, `flapping ${g.id}`);
}

/** Failback otherwise allowed: not while damped, nor before the home node has been steady for the hold-down. */
export function failbackSettled(st: Step, g: CoreGroup, slot: GroupSlot): boolean {
  const s = st.s;
  if (slot.flapping) return false;
  const hold = s.config.failbackHolddownMs ?? 0;
  const steady = peerSteadyFor(st);
  if (steady >= hold) return true;
  waitUntil(st, st.now + hold - steady);
  if (sayOnce(st, `holddown ${g.id}`)) {
    log(st, 'info', `auto_failback: ${peerCause(s)} on ${s.config.peer} back for ${seconds(steady)} s of ${seconds(hold)} s; waiting`);
  }
  return false;
}

/** `flapping: 3 moves in 60 s; holding on node-b until eth0 on node-a is stable for 60 s` (log, status and MQTT). */
export function flappingText(f: Flapping): string {
  return `flapping: ${flappingWhy(f)}`;
}

/** How it flaps and what holds it, for the decision's reason. */
function flappingWhy(f: Flapping): string {
  const w = seconds(f.windowMs);
  return `${f.moves} moves in ${w} s; holding on ${f.holder} until ${f.cause} on ${f.home} is stable for ${w} s`;
}

/** Seconds as people write them: `3`, `0.8`. */
function seconds(ms: number): string {
  return String(Math.round(Math.max(0, ms) / 100) / 10);
}
