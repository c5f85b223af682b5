// The core's state and the small helpers every situation file uses to change it.
// `step` clones the state once (cloneState) and the situation files then edit the clone,
// so callers always get a new object and their old state stays untouched.
import { decisionLine, makeDecision, type Decision, type DecisionCode, type DecisionFacts } from './decisions';
import type { HeartbeatPeerSlot } from './heartbeat-peer';
import type { CoreConfig, Effect, GroupState, LogAbout, LogLevel, NodeMode, SenderView, StopFailureRule } from './types';

/** How this node currently regards its peer. */
export type Contact =
  /** Started, not heard the peer yet. */
  | 'waiting'
  /** Heard within deadtime. */
  | 'alive'
  /** Silent for deadtime; fencing decides what happens (see `fence`). */
  | 'lost'
  /** Silent, no reset device: taken over as Heartbeat v1 does. */
  | 'dead'
  /** Reset by us with success: its old run is gone. */
  | 'reset'
  /** Said it was shutting down. */
  | 'left';

export type FencePhase = 'idle' | 'delay' | 'resetting' | 'retry-wait';

export interface GroupSlot {
  state: GroupState;
  /** This node has the right to run the group (the pair has at most one such node while in contact). */
  token: boolean;
  /** Bumped each time the right to run the group changes hands (see SenderView.epochs). */
  epoch: number;
  /** The peer's run (its boot) we handed the group to; 0 when not handed over. */
  grantedTo: number;
  /** The peer asked for it (release-request) or admin standby gives it away. */
  giveAway: boolean;
  /** A failed start blocks another try here until then. */
  failedUntil: number;
  /**
   * The group failed to start here and has not started here since: the peer is told (in
   * `failed`) for as long as that holds, so that auto_failback does not hand it back to fail
   * again, round after round. Cleared by a good start here or an operator's takeover here.
   */
  startFailed: boolean;
  /**
   * The group failed its checks here after its restart in place: it does not run here again
   * until an operator clears the mark (`twinbeat cleanup GROUP`, or a takeover here), and the
   * peer is told (in `failed`) so that it never hands the group back.
   */
  monitorFailed: boolean;
  /**
   * A stop of the group failed here (or a leftover would not stop): it may still run here, so
   * it does not start here again and is not given up as stopped until an operator runs
   * `twinbeat cleanup GROUP`, or this node is reset (see stop-failure.ts).
   */
  stopFailed: boolean;
  /** When the next check of the held group is due. */
  checkAt: number;
  /** A check-group is out and its result not yet in (kept across a stop: its answer must come back first). */
  checking: boolean;
  checkSentAt: number;
  /** When the group's last start here completed: a check sent before then is about an older run. */
  heldSince: number;
  /** Failed checks in a row. */
  misses: number;
  /** The one restart in place has been spent since the group last started here afresh. */
  restarted: boolean;
  /** Why the current start or stop was begun (takeover, handover, shutdown, cleanup, restart, monitor). */
  reason: string;
  /** The group is being given away for a health reason (its carrier, ping targets, checks, or a failback undoing such a move). */
  healthMove: boolean;
  /** Its health moves within flap_window (merged from both nodes, by epoch), `at` on this node's clock. */
  moves: { epoch: number; at: number }[];
  /** Failback damped (see damping.ts): what is said in the log, status and MQTT while it holds. */
  flapping: Flapping | null;
}

/** A group held away from its home node because it moved too often for health reasons. */
export interface Flapping {
  moves: number;
  windowMs: number;
  /** The node holding it (this one) and the home node whose health must settle. */
  holder: string;
  home: string;
  /** What last changed on the home node, as it said (`eth0`, `ping targets`). */
  cause: string;
}

export interface PathSlot {
  up: boolean | null;
  lastHeardAt: number;
  /** The newest seq of the peer's current run on this path: an older one (a replay) proves nothing. */
  lastSeq: number;
}

export interface PeerSlot {
  /** The run of the peer we are in contact with (its boot), 0 before the first; see liveness.ts. */
  boot: number;
  /** That run's generation (shown; not trusted to grow). */
  generation: number;
  /** The newest generation of the peer's earlier runs we heard: a lower one now means a lost state directory or a clock behind. */
  highestGeneration: number;
  /** Our outstanding challenge (SenderView.challenge) and the run it was drawn for; 0 when none. */
  challenge: number;
  challengeFor: number;
  /** Challenges drawn in this run: each is this run's boot plus the count, so none repeats. */
  challenges: number;
  /** The peer's newest challenge heard, echoed until its run has joined us; 0 if none. */
  answer: number;
  /** Earlier runs of the peer heard during ours, newest last (bounded): their messages are old news. */
  retired: number[];
  /** When a message that proves nothing was last heard (a hello, or the joined run's not naming this run yet); 0 once the joined run names us. See liveness.ts heardUnjoinedAt. */
  helloAt: number;
  /** Said once per episode why a heard but unjoined peer keeps this node from taking over. */
  helloExplained: boolean;
  lastSeq: number;
  lastHeardAt: number;
  /** The peer's newest view (only messages that answer our challenge count at all). */
  view: SenderView | null;
  /** The run that was reset by us or said goodbye: its messages are ignored; 0 if none. */
  goneBoot: number;
  /** When the peer said it would reset us (its fenceInMs), or null. */
  shootsAt: number | null;
  /** What the peer's current run last said it cannot stop (its `stuck`), kept after it left. */
  stuck: string[];
  /** The peer's current run asked to be reset (its `resetMe`), kept after it left. */
  resetMe: boolean;
}

export interface FenceSlot {
  phase: FencePhase;
  /** When the current delay or retry wait ends. */
  until: number;
  attempts: number;
  /** This node shoots at once (it holds the first held group); the other waits fenceDelay. */
  first: boolean;
  lostAt: number;
  /**
   * The peer asked for this reset (it cannot stop a group) while it was heard or after it left:
   * a failure returns to that, and is not a lost peer's. Absent for a reset of a silent peer.
   */
  askedFrom?: 'alive' | 'left';
  /**
   * When the last reset of the peer succeeded. A run of the peer that joins without a challenge
   * (Heartbeat, an older twinbeat) and is first heard within a keepalive of it may have spoken just
   * before the power cut (power came back as the relay fired): see liveness.ts.
   */
  resetAt?: number;
}

export interface CoreState {
  config: CoreConfig;
  generation: number;
  /** This run's random number (see SenderView.boot): the peer must echo it to be believed. */
  boot: number;
  seq: number;
  startedAt: number;
  lastEventAt: number;
  /** After a stall the peer gets a fresh deadtime from here. */
  resumedAt: number;
  /** After a late event (the shell held up for over half a keepalive) no silence is judged before this. */
  graceUntil: number;
  nextHeartbeatAt: number;
  mode: NodeMode;
  /** Graceful shutdown has finished. */
  exited: boolean;
  /**
   * Graceful shutdown: everything is stopped and the peer has been told; waiting (until `until`)
   * for it to acknowledge, so that the notice is known to have arrived before the process ends.
   */
  farewell: { until: number; acked: boolean } | null;
  /** The groups a takeover asked the peer for, while it has not yet shown that it heard (see notices.ts). */
  request: string[] | null;
  /** Notices the peer must act on are repeated, while unanswered, until then (see notices.ts). */
  repeatUntil: number;
  contact: Contact;
  /** Operator ran `takeover --force` while the peer was silent. */
  forced: boolean;
  /** The boot-time "not taking over" explanation has been given. */
  waitExplained: boolean;
  /** The peer's last-heard time whose silence the groups' addresses were probed for (probe.ts); -1: none. */
  probedSilence: number;
  peer: PeerSlot;
  paths: Record<string, PathSlot>;
  groups: Record<string, GroupSlot>;
  fence: FenceSlot;
  /** The standing notices (decideOnce) that held at the end of the last step: said, not said again while they hold. */
  standing: string[];
  /** How many ping targets this node reaches; -1 until measured (or without ping nodes). */
  reach: number;
  /** Since when this node, holding groups, reaches fewer ping targets than its peer; null if it does not. */
  worseSince: number | null;
  /** Tracked interfaces without carrier here. */
  down: string[];
  /** When this node's own health (carrier, ping targets, marks) last changed, and what changed; null: never since start. */
  health: { changedAt: number; cause: string } | null;
  /** A failback waits for its hold-down until then (for nextDeadline); null when none waits. */
  holdUntil: number | null;
  /** Resets the peer asked for (on_stop_failure fence) that failed: the next is not before `nextAt`. */
  askedReset: { attempts: number; nextAt: number };
  /** The peer runs Heartbeat 3.0, not twinbeat: what it said in its own words (heartbeat-peer.ts); null until it spoke so. */
  heartbeat: HeartbeatPeerSlot | null;
}

export function initialState(config: CoreConfig): CoreState {
  const paths: Record<string, PathSlot> = {};
  for (const p of config.paths) paths[p.id] = { up: null, lastHeardAt: 0, lastSeq: 0 };
  const groups: Record<string, GroupSlot> = {};
  for (const g of config.groups) groups[g.id] = freshGroup();
  return {
    config,
    generation: 0,
    boot: 0,
    seq: 0,
    startedAt: 0,
    lastEventAt: 0,
    resumedAt: 0,
    graceUntil: 0,
    nextHeartbeatAt: 0,
    mode: 'active',
    exited: false,
    farewell: null,
    request: null,
    repeatUntil: 0,
    contact: 'waiting',
    forced: false,
    waitExplained: false,
    probedSilence: -1,
    peer: { boot: 0, generation: 0, highestGeneration: 0, challenge: 0, challengeFor: 0, challenges: 0, answer: 0, retired: [], helloAt: 0, helloExplained: false, lastSeq: 0, lastHeardAt: 0, view: null, goneBoot: 0, shootsAt: null, stuck: [], resetMe: false },
    paths,
    groups,
    fence: { phase: 'idle', until: 0, attempts: 0, first: false, lostAt: 0 },
    standing: [],
    reach: -1,
    worseSince: null,
    down: [],
    health: null,
    holdUntil: null,
    askedReset: { attempts: 0, nextAt: 0 },
    heartbeat: null,
  };
}

export function freshGroup(): GroupSlot {
  return { state: 'released', token: false, epoch: 0, grantedTo: 0, giveAway: false, failedUntil: 0, startFailed: false, monitorFailed: false, stopFailed: false, checkAt: 0, checking: false, checkSentAt: 0, heldSince: 0, misses: 0, restarted: false, reason: '', healthMove: false, moves: [], flapping: null };
}

export function cloneState(s: CoreState): CoreState {
  const paths: Record<string, PathSlot> = {};
  for (const id in s.paths) paths[id] = { ...s.paths[id]! };
  const groups: Record<string, GroupSlot> = {};
  for (const id in s.groups) groups[id] = { ...s.groups[id]!, moves: [...s.groups[id]!.moves] };
  return { ...s, peer: { ...s.peer, stuck: [...s.peer.stuck], retired: [...s.peer.retired] }, askedReset: { ...s.askedReset }, fence: { ...s.fence }, farewell: s.farewell && { ...s.farewell }, paths, groups, down: [...s.down], heartbeat: s.heartbeat && { ...s.heartbeat, said: [...s.heartbeat.said], taking: s.heartbeat.taking && { ...s.heartbeat.taking }, giving: s.heartbeat.giving && { ...s.heartbeat.giving } } };
}

/** A state being stepped, with the effects collected so far. */
export interface Step {
  s: CoreState;
  now: number;
  out: Effect[];
  /** Contact came back in this step (a dead path healed, a lost peer heard): why, for the log. */
  contactRegained?: string;
  /** The standing notices that hold in this step (see decideOnce). */
  standing: string[];
}

export function log(st: Step, level: LogLevel, text: string, about?: LogAbout): void {
  st.out.push(about ? { type: 'log', level, text, about } : { type: 'log', level, text });
}

/** A path came up or died (`Link node-b:eth1 dead.`). */
export function logPath(st: Step, name: string, up: boolean): void {
  const subject = `${st.s.config.peer}:${name}`;
  log(st, 'info', `Link ${subject} ${up ? 'up' : 'dead'}.`, { event: 'path', subject });
}

/** The peer is judged dead (`node node-b: is dead`). */
export function logPeerDead(st: Step): void {
  log(st, 'warn', `node ${st.s.config.peer}: is dead`, { event: 'peer', subject: st.s.config.peer });
}

/** Every decision goes through here: a log line, and the decision itself for status and MQTT. */
export function decide(st: Step, code: DecisionCode, facts: DecisionFacts = {}): void {
  say(st, makeDecision(code, st.s.config.peer, facts));
}

function say(st: Step, decision: Decision): void {
  log(st, decision.level, decisionLine(decision));
  st.out.push({ type: 'decision', decision });
}

/**
 * A decision that stands for as long as its cause holds: said in the first step it holds, not
 * again while it goes on holding (each step that finds the cause says so here). Two standing at
 * once do not take turns, as comparing with the last decision would. `key` (the line, unless
 * given) lets one whose figures change be said once.
 */
export function decideOnce(st: Step, code: DecisionCode, facts: DecisionFacts = {}, key?: string): void {
  const decision = makeDecision(code, st.s.config.peer, facts);
  if (sayOnce(st, key ?? decisionLine(decision))) say(st, decision);
}

/**
 * A standing notice named `key` holds in this step: true in the first step it holds (say it
 * then), false while it goes on holding. A key lets a notice whose figures change be said once.
 */
export function sayOnce(st: Step, key: string): boolean {
  if (st.standing.includes(key)) return false;
  st.standing.push(key);
  return !st.s.standing.includes(key);
}

/** The peer, as heard, has the group marked failed by its checks: nothing hands it the group (it would not run it). */
export function peerMarkedFailed(s: CoreState, group: string): boolean {
  return s.contact === 'alive' && (s.peer.view?.marked?.includes(group) ?? false);
}

/** The group failed here and the peer is told so (`failed`): a recent failed start, or a mark. */
export function failedHere(slot: GroupSlot, now: number): boolean {
  return slot.failedUntil > now || slot.startFailed || slot.monitorFailed || slot.stopFailed;
}

/** An operator's cleanup or takeover here: the group's failures here are forgotten, its restart given back. */
export function forgetFailures(slot: GroupSlot): void {
  slot.startFailed = false;
  slot.failedUntil = 0;
  slot.monitorFailed = false;
  slot.restarted = false;
}

/** Holding in the invariant's sense: from the start command until the stop completes. */
export function isRunning(state: GroupState): boolean {
  return state === 'starting' || state === 'held' || state === 'stopping';
}

/** Running, or maybe still running after a stop that failed: what `twinbeat status` calls held here. */
export function mayRun(state: GroupState): boolean {
  return isRunning(state) || state === 'stop-failed';
}

/** The group failed to stop here and, by its rule, the peer must not start it meanwhile. */
export function stuckHere(s: CoreState, id: string): boolean {
  const slot = s.groups[id]!;
  if (slot.state === 'stopping' && slot.reason === 'leftover') return true;
  return slot.stopFailed && ruleOf(s, id) !== 'handover';
}

/** A group would not stop here and its rule is fence: this node asks its peer to reset it. */
export function asksToBeReset(s: CoreState): boolean {
  return s.config.groups.some((g) => s.groups[g.id]!.stopFailed && ruleOf(s, g.id) === 'fence');
}

export function ruleOf(s: CoreState, id: string): StopFailureRule {
  return s.config.groups.find((g) => g.id === id)?.onStopFailure ?? 'block';
}

export function senderView(s: CoreState, now: number): SenderView {
  const held: string[] = [];
  const granted: string[] = [];
  const failed: string[] = [];
  const marked: string[] = [];
  const stuck: string[] = [];
  const resetMe = asksToBeReset(s);
  const epochs: Record<string, number> = {};
  for (const g of s.config.groups) {
    const slot = s.groups[g.id]!;
    epochs[g.id] = slot.epoch;
    if (slot.token) held.push(g.id);
    else if (slot.grantedTo !== 0 && slot.grantedTo === s.peer.boot) granted.push(g.id);
    if (failedHere(slot, now)) failed.push(g.id);
    if (slot.monitorFailed || slot.stopFailed) marked.push(g.id);
    if (stuckHere(s, g.id)) stuck.push(g.id);
  }
  return {
    generation: s.generation,
    boot: s.boot,
    seq: ++s.seq,
    ackGeneration: s.peer.generation,
    ackBoot: s.peer.boot,
    ...(s.peer.challenge !== 0 ? { challenge: s.peer.challenge } : {}),
    ...(s.peer.answer !== 0 ? { answer: s.peer.answer } : {}),
    mode: s.mode,
    held,
    granted,
    failed,
    epochs,
    fenceInMs: fenceIn(s, now),
    ...(marked.length > 0 ? { marked } : {}),
    ...(stuck.length > 0 ? { stuck } : {}),
    ...(resetMe ? { resetMe } : {}),
    ...(s.reach >= 0 ? { reach: s.reach } : {}),
    ...((s.config.trackedInterfaces ?? []).length > 0 ? { down: [...s.down] } : {}),
    ...(s.health ? { steady: { forMs: now - s.health.changedAt, cause: s.health.cause } } : {}),
    ...movesView(s, now),
  };
}

function movesView(s: CoreState, now: number): { moves?: Record<string, { epoch: number; agoMs: number }[]> } {
  const moves: Record<string, { epoch: number; agoMs: number }[]> = {};
  for (const g of s.config.groups) {
    const recent = s.groups[g.id]!.moves.map((m) => ({ epoch: m.epoch, agoMs: now - m.at })).filter((m) => m.agoMs < flapWindowMs(s));
    if (recent.length > 0) moves[g.id] = recent;
  }
  return Object.keys(moves).length > 0 ? { moves } : {};
}

/** flap_window; without damping, the hold-down (moves are then kept only to tell a health failback). */
export function flapWindowMs(s: CoreState): number {
  return s.config.flapWindowMs ?? 0;
}

function fenceIn(s: CoreState, now: number): number {
  if (s.contact !== 'lost') return -1;
  if (s.fence.phase === 'delay' || s.fence.phase === 'retry-wait') return Math.max(0, s.fence.until - now);
  return s.fence.phase === 'resetting' ? 0 : -1;
}

/**
 * The next epoch this node may stamp: above `after`, and odd on one node, even on the other, so
 * that two nodes that took a group independently (split brain) never share an epoch.
 */
export function nextEpoch(s: CoreState, after: number): number {
  const parity = s.config.nodes[0] === s.config.local ? 0 : 1;
  const n = after + 1;
  return n % 2 === parity ? n : n + 1;
}

/** This node gains the right to run a group: a new epoch of its own, or the grant's. */
/**
 * This node gives the group up, stopped: no token, and `released` here, so that nothing is left
 * that only the token could clear (a failure is remembered by the marks, shown and sent until
 * cleanup). A group that would not stop stays `stop-failed`: it may still run here.
 */
export function giveUpToken(slot: GroupSlot): void {
  slot.token = false;
  slot.flapping = null;
  if (slot.state !== 'stop-failed') slot.state = 'released';
}

export function takeToken(s: CoreState, slot: GroupSlot, epoch = nextEpoch(s, slot.epoch)): void {
  slot.token = true;
  slot.epoch = epoch;
  slot.grantedTo = 0;
  slot.giveAway = false;
  slot.healthMove = false;
}

export function groupNames(ids: string[]): string {
  return ids.join(' ');
}
