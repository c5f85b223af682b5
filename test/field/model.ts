// What the field suite expects of the pair, from what the operator did to it: which agents run,
// which node was put in standby, whether each has heard its peer since it started. Pure, so that
// the expectation can be checked without a pair (test/unit/field-model.test.ts). The rules are
// docs/failover.md's ("How failover behaves"), for auto_failback on with node-a as the home node.
export type Side = 'a' | 'b';
export const SIDES: readonly Side[] = ['a', 'b'];
export const other = (node: Side): Side => (node === 'a' ? 'b' : 'a');

export interface World {
  /** The agent runs (started and not stopped or powered off). */
  running: Record<Side, boolean>;
  /** `twinbeat standby` was run there (or the peer ran `takeover`); a restart forgets it. */
  standby: Record<Side, boolean>;
  /** The node has heard its peer since its agent started (with a reset device, one that has not waits). */
  heardPeer: Record<Side, boolean>;
  /** A fault that makes the node worse off than its peer for now: its LAN carrier, or its ping node, lost. */
  unfit: Record<Side, boolean>;
  /** Each node has a relay that switches the other's power. */
  relay: boolean;
  /** Health moves of the group and damping (docs/failover.md, "A flapping cable"); see healthMoved and damped. */
  flap: Flap;
}

/**
 * The field pair's hold-down and damping, the defaults at its deadtime of 2 s: failback_holddown
 * 3 x deadtime, flap_limit 4, flap_window 60 s.
 */
export const FLAP = { holddownMs: 6000, limit: 4, windowMs: 60_000 };

export interface Flap {
  /** When the group moved for health (a fault on its holder, or the failback after it), epoch ms. */
  moves: number[];
  /** node-b holds the group damped: it stays there until node-a has been steady for the window. */
  damped: boolean;
  /** When node-a's last health fault was repaired (epoch ms); 0: never. */
  homeSteadySince: number;
}

export function freshWorld(relay: boolean): World {
  return { running: { a: false, b: false }, standby: { a: false, b: false }, heardPeer: { a: false, b: false }, unfit: { a: false, b: false }, relay, flap: { moves: [], damped: false, homeSteadySince: 0 } };
}

export interface Expected {
  /** The node that must hold the group (VIP, service, both statuses), or null. */
  holder: Side | null;
  /** Why, in words for the report: the reason for "nobody" must be a stated one. */
  why: string;
}

export const HOME: Side = 'a';

export function expectedHolder(w: World, now = Date.now()): Expected {
  const up = SIDES.filter((n) => w.running[n]);
  if (up.length === 0) return { holder: null, why: 'both agents are stopped' };
  if (up.length === 1) {
    const alone = up[0]!;
    // docs/failover.md: a node that starts and never hears its peer neither shoots nor takes over when it
    // has a reset device; without one it takes over after initdead.
    if (w.relay && !w.heardPeer[alone]) return { holder: null, why: `node-${alone} runs alone, has not heard its peer since it started, and has a reset device: it waits` };
    return { holder: alone, why: `node-${alone} is the only agent running` };
  }
  for (const node of SIDES) {
    const peer = other(node);
    if (w.unfit[node] && !w.unfit[peer]) return { holder: peer, why: `node-${node} lost its LAN or its ping node: node-${peer} serves` };
    if (w.standby[node] && !w.standby[peer]) return { holder: peer, why: `node-${node} is in standby` };
  }
  if (w.flap.damped && now - w.flap.homeSteadySince < FLAP.windowMs) {
    return { holder: other(HOME), why: `the group moved ${w.flap.moves.length} times for health: damped on node-${other(HOME)} until node-${HOME} is steady for ${FLAP.windowMs / 1000} s` };
  }
  return { holder: HOME, why: 'both run and auto_failback on brings the group to its home node-a' };
}

/** An agent started (or booted): it has not heard its peer yet and is not in standby. */
export function started(w: World, node: Side): void {
  w.running[node] = true;
  w.standby[node] = false;
  w.heardPeer[node] = false;
}

export function stopped(w: World, node: Side): void {
  w.running[node] = false;
  w.standby[node] = false;
  w.heardPeer[node] = false;
  // The damped holder left: the group went home for that, not for health. Both gone: the record of moves with them.
  if (node !== HOME) w.flap.damped = false;
  if (!w.running[other(node)]) w.flap.moves = [];
}

/**
 * A health fault on `from`, the holder, moved the group to its peer (`at`, epoch ms). The holder
 * away from home then keeps it while a failback and the forced move a flapping cause may bring
 * after it would pass flap_limit within the window, as the core decides (src/core/damping.ts).
 */
export function healthMoved(w: World, from: Side, at: number): void {
  w.flap.moves = [...w.flap.moves.filter((t) => at - t < FLAP.windowMs), at];
  w.flap.damped = from === HOME && w.flap.moves.length + 2 > FLAP.limit;
}

/** The fault on `node` repaired at `at`: its health is steady from then; unless damped, the group comes home after the hold-down (a move too). */
export function healthRepaired(w: World, node: Side, at: number, movedHome: boolean): void {
  if (node !== HOME) return;
  w.flap.homeSteadySince = at;
  if (movedHome && !w.flap.damped) w.flap.moves = [...w.flap.moves, at + FLAP.holddownMs];
}

/** After a step has settled with both agents running, each has heard the other. */
export function settledTogether(w: World): void {
  if (w.running.a && w.running.b) w.heardPeer = { a: true, b: true };
}

/** `twinbeat standby` on `node`: it keeps no group and gets none back. */
export function standbyOn(w: World, node: Side): void {
  w.standby[node] = true;
  if (node !== HOME) w.flap.damped = false;
}

/** `twinbeat takeover` on `node`: it takes every group, and the peer goes standby. */
export function takeoverOn(w: World, node: Side): void {
  w.standby[node] = false;
  w.standby[other(node)] = true;
  if (node === HOME) w.flap.damped = false;
}
