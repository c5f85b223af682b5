// Every decision the core makes, as data: what it is (kind), why (cause), the group and the
// figures that explain it. The log line is rendered here and nowhere else; the shell, MQTT,
// `twinbeat status` and the fleet view read the fields, never the words (a test checks that no
// code outside this file matches decision text). Rewording a line here changes no behaviour.
//
// Each entry of DECISIONS is one thing the core can decide, named by its code. Its `event` says
// what the fleet's history (MQTT's events topic) makes of it; exactly one decision per move of a
// group carries a move event (`failover`, `handover`, `start`):
//   - a move the peer did not plan (it was judged dead, reset, forced out) is reported by the
//     node that takes the group;
//   - a planned move (standby, failback, a health move) by the node that hands it over, which
//     knows why; the taker's "handed it over" is no event, except beside a Heartbeat peer,
//     which reports nothing itself;
//   - a shutdown's groups by the node that takes them (the leaving node hands nothing over one
//     by one: it stops everything and says it is leaving).
import type { LogLevel } from './types';

/** What a decision does. */
export type DecisionKind =
  /** This node takes a group (or, without a group, every group). */
  | 'takeover'
  /** This node hands a group to the peer (a planned or a health move). */
  | 'handover'
  /** auto_failback: a group goes back to its home node. */
  | 'failback'
  /** This node stops its copy of a group the peer also runs. */
  | 'release'
  /** A group stays where it is although something would move it. */
  | 'keep'
  /** The operator's standby, or a peer's request that puts this node in standby. */
  | 'standby'
  /** Not taking over yet: a countdown or a condition runs. */
  | 'wait'
  /** Not doing what was asked or what a silence would call for. */
  | 'refuse'
  /** Resetting the peer, or what came of it. */
  | 'fence'
  /** A group is restarted in place. */
  | 'restart'
  /** A group is stopped here without moving (it failed). */
  | 'stop'
  /** An operator's cleanup. */
  | 'cleanup'
  /** This node shuts down. */
  | 'shutdown'
  /** Something the operator must know that moves nothing. */
  | 'notice';

/** Why: one of a few causes, whatever the wording. */
export type DecisionCause =
  /** The peer was silent on every path for deadtime (no reset device). */
  | 'peer-dead'
  /** The peer was never heard within initdead, or never answered this node's challenge. */
  | 'peer-not-heard'
  /** The peer is silent on every path and a reset device will decide. */
  | 'peer-silent'
  /** The peer was reset. */
  | 'peer-reset'
  /** The peer shut down and released its groups. */
  | 'peer-left'
  /** The peer stopped the group and handed it here (or went standby and released it). */
  | 'peer-handed-over'
  /** The peer asked for the groups (hb_takeover there). */
  | 'peer-asked'
  /** The peer is heard again. */
  | 'peer-heard'
  /** The peer is heard in a run that has not answered this node's challenge. */
  | 'peer-unanswered'
  /** The peer is not up to take a group. */
  | 'peer-not-up'
  /** The peer restarted with an older generation. */
  | 'peer-restarted'
  /** The peer cannot stop a group. */
  | 'peer-stop-failed'
  /** The group's home node is this one and nobody runs it. */
  | 'home-node'
  /** An operator's command on this node (or, for a standby the peer asked for, on the peer). */
  | 'operator'
  /** This node shuts down (SIGTERM). */
  | 'shutdown'
  | 'auto-failback'
  /** An interface without carrier. */
  | 'carrier'
  /** Fewer ping targets reached. */
  | 'ping'
  | 'start-failed'
  | 'check-failed'
  | 'stop-failed'
  | 'flapping'
  /** Both nodes ran a group after contact was lost without a reset. */
  | 'split-brain'
  | 'reset-failed'
  /** No reset device can reset the peer from this node. */
  | 'no-reset-device'
  /** An answer nobody waited for, or a request nobody answered. */
  | 'no-answer';

/** What a decision is in the fleet's history (MQTT's events topic, whose `path` and `peer` events come from log lines). */
export type DecisionEvent = 'failover' | 'handover' | 'start' | 'reset' | 'resource-failure';

/** The numbers that explain a decision, in milliseconds where the name says so. */
export interface DecisionFigures {
  deadtimeMs?: number;
  initdeadMs?: number;
  /** A wait before something is done (a reset, a retry). */
  delayMs?: number;
  deadpingMs?: number;
  failedRetryMs?: number;
  attempt?: number;
  /** Ping targets: how many there are, how many each node reaches. */
  targets?: number;
  reachHere?: number;
  reachThere?: number;
  /** The peer's generation before and after a restart. */
  fromGeneration?: number;
  toGeneration?: number;
}

/** What a decision is about: the code's words are filled in from these. */
export interface DecisionFacts {
  group?: string;
  /** Groups named together (a request, what the peer cannot stop). */
  groups?: string[];
  /** Interfaces without carrier. */
  interfaces?: string[];
  /** A group's home node. */
  home?: string;
  /** An operator command refused. */
  command?: string;
  /** Words from outside the core, passed on: a reset's or a failed start's detail. */
  detail?: string;
  figures?: DecisionFigures;
  /** For a cause that depends on how the decision came about (a Heartbeat standby exchange). */
  cause?: DecisionCause;
  /** Code-specific switches, named in the entry that reads them. */
  ok?: boolean;
  leftover?: boolean;
  stagger?: boolean;
  stalled?: boolean;
  asksReset?: boolean;
  stays?: boolean;
  handing?: boolean;
  peerIs?: 'failed-too' | 'standby' | 'not-up';
}

/** A decision as the shell receives it. */
export interface Decision {
  code: DecisionCode;
  kind: DecisionKind;
  cause: DecisionCause;
  level: LogLevel;
  /** The peer node's name. */
  peer: string;
  group?: string;
  /** Interfaces without carrier here that the decision is about. */
  interfaces?: string[];
  figures: DecisionFigures;
  /** What was decided and why; the log line is `what: why` (see decisionLine). */
  what: string;
  why: string;
  /** What it is in the fleet's history, if anything (see the head of this file). */
  event?: DecisionEvent;
}

interface Entry {
  kind: DecisionKind;
  cause: DecisionCause;
  level: LogLevel;
  event?: DecisionEvent;
  what: (f: DecisionFacts, peer: string) => string;
  why?: (f: DecisionFacts, peer: string) => string;
}

const cleanupHint = (group: string | undefined) => `run \`twinbeat cleanup ${group}\` once the service is really stopped`;
const detailOf = (f: DecisionFacts, lead: ' ' | ': ') => (f.detail ? (lead === ' ' ? ` (${f.detail})` : `: ${f.detail}`) : '');
const fig = (f: DecisionFacts) => f.figures ?? {};
const heldOffBy = (peer: string, deadtimeMs: number | undefined) =>
  `${peer} is heard in a run that has not answered this node's challenge (this node's frames may not reach it: a one-way path, or an interface not up yet) and no reset device is configured; waiting until it answers, or is silent for deadtime (${deadtimeMs} ms)`;

const DECISIONS = {
  // --- the operator and shutdown (admin.ts) ---
  'refused-shutting-down': { kind: 'refuse', cause: 'shutdown', level: 'info', what: (f) => `${f.command} refused`, why: () => 'shutting down' },
  'standby-refused': { kind: 'refuse', cause: 'peer-not-up', level: 'warn', what: () => 'Standby refused', why: (_f, p) => `${p} is not up to take the groups` },
  standby: { kind: 'standby', cause: 'operator', level: 'info', what: () => 'Standby', why: (_f, p) => `handing every group to ${p} (hb_standby)` },
  'takeover-asked': {
    kind: 'takeover',
    cause: 'operator',
    level: 'info',
    what: () => 'Takeover',
    why: (f, p) => `asking ${p} to release ${f.groups?.join(' ') || 'its groups'} (hb_takeover)`,
  },
  'takeover-unopposed': { kind: 'takeover', cause: 'operator', level: 'info', what: () => 'Takeover', why: (_f, p) => `${p} is not running anything; every group is taken here` },
  'takeover-forced': {
    kind: 'takeover',
    cause: 'operator',
    level: 'warn',
    what: () => 'Operator forced takeover',
    why: (_f, p) => `taking every group without hearing ${p}; make sure ${p} is down`,
  },
  'takeover-refused': {
    kind: 'refuse',
    cause: 'peer-not-heard',
    level: 'warn',
    what: () => 'Takeover refused',
    why: (_f, p) => `${p} is not heard; run \`twinbeat takeover --force\` if you know ${p} is down`,
  },
  'takeover-unanswered': {
    kind: 'refuse',
    cause: 'no-answer',
    level: 'warn',
    what: () => 'Takeover',
    why: (f, p) => `${p} did not answer the request for ${f.groups?.join(' ')} within ${fig(f).delayMs} ms; nothing moves (run \`twinbeat takeover\` again)`,
  },
  'shutting-down': { kind: 'shutdown', cause: 'shutdown', level: 'info', what: () => 'Shutting down', why: (_f, p) => `stopping every group, then telling ${p} to take them` },

  // --- silence and start-up (liveness.ts, fencing.ts) ---
  'takeover-peer-dead': {
    kind: 'takeover',
    cause: 'peer-dead',
    level: 'warn',
    what: () => 'Taking over',
    why: (f, p) => `${p} silent on every path for deadtime (${fig(f).deadtimeMs} ms) and no reset device is configured (Heartbeat v1 behaviour)`,
  },
  'takeover-never-answered': {
    kind: 'takeover',
    cause: 'peer-not-heard',
    level: 'warn',
    what: () => 'Taking over',
    why: (f, p) => `${p} never answered this node's challenge and is silent for deadtime (${fig(f).deadtimeMs} ms) and no reset device is configured (Heartbeat v1 behaviour)`,
  },
  'takeover-not-heard-at-start': {
    kind: 'takeover',
    cause: 'peer-not-heard',
    level: 'warn',
    what: () => 'Taking over',
    why: (f, p) => `${p} not heard within initdead (${fig(f).initdeadMs} ms) and no reset device is configured (Heartbeat v1 behaviour)`,
  },
  'wait-unanswered-after-silence': {
    kind: 'wait',
    cause: 'peer-unanswered',
    level: 'warn',
    what: () => 'Not taking over',
    why: (f, p) => `the run of ${p} this node joined is silent for deadtime (${fig(f).deadtimeMs} ms), but ${heldOffBy(p, fig(f).deadtimeMs)}`,
  },
  'wait-unanswered-at-start': {
    kind: 'wait',
    cause: 'peer-unanswered',
    level: 'warn',
    what: () => 'Not taking over',
    why: (f, p) => `${p} has not joined within initdead (${fig(f).initdeadMs} ms), but ${heldOffBy(p, fig(f).deadtimeMs)}`,
  },
  'wait-not-heard-with-device': {
    kind: 'wait',
    cause: 'peer-not-heard',
    level: 'warn',
    what: () => 'Not taking over',
    why: (_f, p) =>
      `${p} has not been heard since start-up and a reset device is configured; ${p} may be serving behind a broken link. Waiting for ${p} or \`twinbeat takeover --force\``,
  },
  'peer-older-generation': {
    kind: 'notice',
    cause: 'peer-restarted',
    level: 'warn',
    what: (f, p) => `node ${p}: restarted with an older generation (${fig(f).fromGeneration} -> ${fig(f).toGeneration})`,
    why: () =>
      "its state directory was lost or its clock is behind (a swapped or re-flashed unit?); joined, because it answered this run's challenge with the shared key",
  },
  'heard-after-dead': { kind: 'notice', cause: 'peer-heard', level: 'warn', what: (_f, p) => `${p} is heard again after being declared dead`, why: () => 'comparing who runs what' },
  'reset-cancelled': { kind: 'fence', cause: 'peer-heard', level: 'info', what: (_f, p) => `${p} is heard again`, why: () => 'reset cancelled, not taking over' },
  'wait-peer-shoots-first': {
    kind: 'wait',
    cause: 'peer-silent',
    level: 'warn',
    what: () => 'Not taking over yet',
    why: (f, p) => `${p} is silent on every path and said it would reset this node first; waiting ${fig(f).delayMs} ms before resetting it`,
  },
  'wait-stagger': {
    kind: 'wait',
    cause: 'peer-silent',
    level: 'warn',
    what: () => 'Not taking over yet',
    why: (f, p) => `${p} is silent on every path; this node runs the first group and resets ${p} in ${fig(f).delayMs} ms (second node's stagger)`,
  },
  'wait-fence-delay': {
    kind: 'wait',
    cause: 'peer-silent',
    level: 'warn',
    what: () => 'Not taking over yet',
    why: (f, p) =>
      `${p} is silent on every path; waiting ${fig(f).delayMs} ms (fence_delay${f.stagger ? ' + stagger' : ''}${f.stalled ? ' + deadtime after our own stall' : ''}) before resetting it, so that ${
        f.asksReset ? `${p}, asked to reset this node, shoots first` : 'the node running the first group shoots first'
      }`,
  },

  // --- resetting the peer (fencing.ts, stop-failure.ts) ---
  'reset-at-once': {
    kind: 'fence',
    cause: 'peer-silent',
    level: 'warn',
    event: 'reset',
    what: (_f, p) => `Resetting ${p}`,
    why: (_f, p) => `${p} silent on every path for deadtime and this node runs the first group, so it shoots at once`,
  },
  'reset-after-stagger': { kind: 'fence', cause: 'peer-silent', level: 'warn', event: 'reset', what: (_f, p) => `Resetting ${p}`, why: (_f, p) => `${p} still silent after the stagger` },
  'reset-after-fence-delay': { kind: 'fence', cause: 'peer-silent', level: 'warn', event: 'reset', what: (_f, p) => `Resetting ${p}`, why: (_f, p) => `${p} still silent after fence_delay` },
  'reset-retry': { kind: 'fence', cause: 'reset-failed', level: 'warn', event: 'reset', what: (_f, p) => `Resetting ${p}`, why: (f) => `retry ${fig(f).attempt} after a failed reset` },
  'reset-by-operator': { kind: 'fence', cause: 'operator', level: 'warn', event: 'reset', what: (_f, p) => `Resetting ${p}`, why: () => 'operator request (twinbeat fence)' },
  'reset-asked-for': {
    kind: 'fence',
    cause: 'peer-stop-failed',
    level: 'warn',
    event: 'reset',
    what: (_f, p) => `Resetting ${p}`,
    why: (f) => `it cannot stop ${f.groups?.join(' ') || 'a group'} and asked to be reset (on_stop_failure fence)${(fig(f).attempt ?? 1) > 1 ? `, attempt ${fig(f).attempt}` : ''}`,
  },
  'fence-refused-no-device': { kind: 'refuse', cause: 'no-reset-device', level: 'warn', what: () => 'Fence refused', why: (_f, p) => `no reset device can reset ${p} from this node` },
  'fence-refused-under-way': { kind: 'refuse', cause: 'operator', level: 'warn', what: () => 'Fence refused', why: (_f, p) => `a reset of ${p} is already under way` },
  'reset-result-ignored': {
    kind: 'fence',
    cause: 'no-answer',
    level: 'warn',
    what: (f, p) => `Reset result for ${p} (${f.ok ? 'ok' : 'failed'}) arrived while no reset was under way`,
    why: () => 'ignored',
  },
  'reset-succeeded': { kind: 'fence', cause: 'peer-reset', level: 'warn', event: 'reset', what: (f, p) => `Reset of ${p} succeeded${detailOf(f, ' ')}`, why: () => 'taking over its groups' },
  'reset-failed-asked-for': {
    kind: 'fence',
    cause: 'reset-failed',
    level: 'error',
    event: 'reset',
    what: (f, p) => `Reset of ${p} failed${detailOf(f, ' ')}, which it asked for as it cannot stop ${f.groups?.join(' ') || 'a group'}`,
    why: (f) => `not taking over; trying again in ${fig(f).delayMs} ms`,
  },
  'reset-failed-heard': {
    kind: 'fence',
    cause: 'reset-failed',
    level: 'warn',
    event: 'reset',
    what: (f, p) => `Reset of ${p} failed${detailOf(f, ' ')}, and ${p} is heard again`,
    why: () => 'not retrying, not taking over',
  },
  'reset-failed-retry': {
    kind: 'fence',
    cause: 'reset-failed',
    level: 'error',
    event: 'reset',
    what: (f, p) => `Reset of ${p} failed${detailOf(f, ' ')} (attempt ${fig(f).attempt})`,
    why: (f) => `not taking over; retrying in ${fig(f).delayMs} ms`,
  },

  // --- who runs each group (handover.ts, heartbeat-standby.ts) ---
  'take-from-reset-peer': { kind: 'takeover', cause: 'peer-reset', level: 'info', event: 'failover', what: (f) => `Taking over resource group ${f.group}`, why: (_f, p) => `${p} was reset` },
  'take-from-dead-peer': {
    kind: 'takeover',
    cause: 'peer-dead',
    level: 'info',
    event: 'failover',
    what: (f) => `Taking over resource group ${f.group}`,
    why: (_f, p) => `${p} is dead and no reset device is configured`,
  },
  'take-forced': { kind: 'takeover', cause: 'operator', level: 'info', event: 'failover', what: (f) => `Taking over resource group ${f.group}`, why: (_f, p) => `operator forced takeover without hearing ${p}` },
  'take-from-leaving-peer': { kind: 'takeover', cause: 'peer-left', level: 'info', event: 'handover', what: (f) => `Taking over resource group ${f.group}`, why: (_f, p) => `${p} shut down and released it` },
  'take-handed-over': { kind: 'takeover', cause: 'peer-handed-over', level: 'info', what: (f) => `Taking over resource group ${f.group}`, why: (_f, p) => `${p} stopped it and handed it over` },
  'keep-from-heartbeat-standby': {
    kind: 'keep',
    cause: 'peer-handed-over',
    level: 'info',
    what: (f, p) => `${p} (Heartbeat) handed ${f.group} here in its standby exchange while it was being released here`,
    why: () => 'keeping it here, to start again once its stop completes',
  },
  'take-from-heartbeat-standby': {
    kind: 'takeover',
    cause: 'peer-handed-over',
    level: 'info',
    event: 'handover',
    what: (f) => `Taking over resource group ${f.group}`,
    why: (_f, p) => `${p} went standby and released it`,
  },
  acquire: { kind: 'takeover', cause: 'home-node', level: 'info', event: 'start', what: (f) => `Acquiring resource group ${f.group}`, why: (_f, p) => `this is its home node and ${p} does not hold it` },
  'not-taking-left-stuck': {
    kind: 'refuse',
    cause: 'peer-stop-failed',
    level: 'error',
    event: 'resource-failure',
    what: (f) => `Not taking over resource group ${f.group}`,
    why: (f, p) => `${p} shut down unable to stop it, so it may still run there; run \`twinbeat cleanup ${f.group}\` here once it is really stopped on ${p}`,
  },
  'leave-standby': { kind: 'standby', cause: 'peer-handed-over', level: 'info', what: (f, p) => `${p} went standby and handed ${f.group} here`, why: () => 'this node leaves standby' },
  'split-brain-leave-there': {
    kind: 'release',
    cause: 'split-brain',
    level: 'warn',
    what: (f, p) => `Both nodes hold ${f.group} after contact was lost without a reset; it is marked failed here and ${p} runs it`,
    why: () => 'leaving it there',
  },
  'split-brain-keep': {
    kind: 'keep',
    cause: 'split-brain',
    level: 'warn',
    what: (f) => `Both nodes hold ${f.group} after contact was lost without a reset; its home node ${f.home} has it marked failed`,
    why: () => 'keeping it here',
  },
  'split-brain-release': {
    kind: 'release',
    cause: 'split-brain',
    level: 'warn',
    what: (f) => `Both nodes run ${f.group} after contact was lost without a reset; its home node ${f.home} keeps it`,
    why: () => 'releasing it here',
  },
  'split-brain-release-to-heartbeat': {
    kind: 'release',
    cause: 'split-brain',
    level: 'warn',
    what: (f, p) => `Both nodes run ${f.group} after contact was lost without a reset; ${p} runs Heartbeat, did not judge this node dead, and keeps what it holds`,
    why: () => 'releasing it here, though its home is here',
  },
  'standby-keep-failed-there': {
    kind: 'keep',
    cause: 'check-failed',
    level: 'warn',
    what: (f) => `Standby: keeping resource group ${f.group} here`,
    why: (f, p) => `it failed on ${p} and would not run there (\`twinbeat cleanup ${f.group}\` on ${p} first)`,
  },
  'standby-hand-over': { kind: 'handover', cause: 'operator', level: 'info', event: 'handover', what: () => 'Standby', why: (f, p) => `handing resource group ${f.group} to ${p}` },
  'standby-hand-to-heartbeat': {
    kind: 'handover',
    cause: 'operator',
    level: 'info',
    event: 'handover',
    what: () => 'Standby',
    why: (f, p) => `handing resource group ${f.group} to ${p} (Heartbeat agreed to take it)`,
  },
  failback: { kind: 'failback', cause: 'auto-failback', level: 'info', event: 'handover', what: () => 'auto_failback on', why: (f, p) => `${p} is up; handing resource group ${f.group} back to its home node` },
  'hand-over-failed-start': {
    kind: 'handover',
    cause: 'start-failed',
    level: 'warn',
    event: 'handover',
    what: (f) => `Resource group ${f.group} failed to start here`,
    why: (_f, p) => `handing it to ${p}`,
  },
  'hand-over-failed-checks': {
    kind: 'handover',
    cause: 'check-failed',
    level: 'warn',
    event: 'handover',
    what: (f) => `Resource group ${f.group} failed its checks here`,
    why: (_f, p) => `handing it to ${p}`,
  },
  'keep-peer-gone': { kind: 'keep', cause: 'peer-not-up', level: 'warn', what: (f) => `Keeping resource group ${f.group}`, why: (_f, p) => `${p} is no longer up to take it` },
  'release-asked': {
    kind: 'standby',
    cause: 'peer-asked',
    level: 'info',
    what: (f, p) => `${p} asked for ${f.groups?.join(' ') || 'our groups'} (takeover)`,
    why: () => 'going standby and handing them over',
  },

  // --- health: carrier, ping targets, flapping (connectivity.ts, damping.ts) ---
  'keep-no-carrier-there-either': {
    kind: 'keep',
    cause: 'carrier',
    level: 'warn',
    what: (f) => `Keeping resource group ${f.group}`,
    why: (f, p) => `${f.interfaces?.join(' ')} has no carrier here, and none on ${p} either`,
  },
  'keep-no-carrier-failed-there': {
    kind: 'keep',
    cause: 'carrier',
    level: 'warn',
    what: (f) => `Keeping resource group ${f.group}`,
    why: (f, p) => `${f.interfaces?.join(' ')} has no carrier here, but the group failed on ${p}`,
  },
  'hand-over-carrier': {
    kind: 'handover',
    cause: 'carrier',
    level: 'warn',
    event: 'handover',
    what: (f, p) => `Handing resource group ${f.group} to ${p}`,
    why: (f, p) => `${f.interfaces?.join(' ')} has no carrier here and is up on ${p}`,
  },
  'keep-ping-failed-there': {
    kind: 'keep',
    cause: 'ping',
    level: 'warn',
    what: (f) => `Keeping resource group ${f.group}`,
    why: (_f, p) => `${p} reaches more ping targets, but the group failed there`,
  },
  'hand-over-ping': {
    kind: 'handover',
    cause: 'ping',
    level: 'warn',
    event: 'handover',
    what: (f, p) => `Handing resource group ${f.group} to ${p}`,
    why: (f) => `it reaches ${fig(f).reachThere} of ${fig(f).targets} ping targets, this node ${fig(f).reachHere} (for deadping ${fig(f).deadpingMs} ms)`,
  },
  // A health move held back: the fleet sees it beside the moves it stops (kind `keep`).
  flapping: { kind: 'keep', cause: 'flapping', level: 'warn', event: 'handover', what: (f) => `Resource group ${f.group} is flapping`, why: (f) => `${f.detail}` },

  // --- failures of the group's own resources (handover.ts, monitoring.ts, stop-failure.ts) ---
  'start-failed': {
    kind: 'stop',
    cause: 'start-failed',
    level: 'error',
    event: 'resource-failure',
    what: (f) => `Resource group ${f.group} failed to start${detailOf(f, ': ')}`,
    why: (f) => `stopping what did start; not retrying here for ${fig(f).failedRetryMs} ms`,
  },
  'restart-in-place': {
    kind: 'restart',
    cause: 'check-failed',
    level: 'warn',
    event: 'resource-failure',
    what: (f) => `Restarting resource group ${f.group} in place`,
    why: (f) => `it failed its check${f.stays ? ' (failover_on_monitor off: it stays on this node)' : ''}`,
  },
  'stop-failed-checks': {
    kind: 'stop',
    cause: 'check-failed',
    level: 'error',
    event: 'resource-failure',
    what: (f) => `Stopping resource group ${f.group}`,
    why: (f, p) =>
      `it failed its check again after a restart in place; ${f.handing ? `handing it to ${p}; ` : ''}it stays marked failed here until \`twinbeat cleanup ${f.group}\``,
  },
  'stays-stopped': {
    kind: 'keep',
    cause: 'check-failed',
    level: 'error',
    event: 'resource-failure',
    what: (f) => `Resource group ${f.group} stays stopped`,
    why: (f, p) =>
      `it failed its checks here and ${f.peerIs === 'failed-too' ? `it failed on ${p} too` : f.peerIs === 'standby' ? `${p} is in standby` : `${p} is not up to take it`}; run \`twinbeat cleanup ${f.group}\` once the cause is fixed`,
  },
  'cleanup-peer-stop-failure': {
    kind: 'cleanup',
    cause: 'operator',
    level: 'info',
    what: (f) => `Cleanup of resource group ${f.group}`,
    why: (_f, p) => `the stop that failed on ${p} before it shut down is forgotten; it may be taken here`,
  },
  'cleanup-failures': { kind: 'cleanup', cause: 'operator', level: 'info', what: (f) => `Cleanup of resource group ${f.group}`, why: () => 'its failures here are forgotten; it may run here again' },
  'cleanup-nothing': { kind: 'cleanup', cause: 'operator', level: 'info', what: (f) => `Cleanup of resource group ${f.group}`, why: () => 'nothing had failed here' },
  'stop-failed-fence': {
    kind: 'stop',
    cause: 'stop-failed',
    level: 'error',
    event: 'resource-failure',
    what: (f) => stopFailedWhat(f),
    why: (_f, p) => `asking ${p} to reset this node, which then takes the group over (on_stop_failure fence); it is not started on either node meanwhile`,
  },
  'stop-failed-kept': {
    kind: 'keep',
    cause: 'stop-failed',
    level: 'error',
    event: 'resource-failure',
    what: (f) => stopFailedWhat(f),
    why: (f, p) => `its addresses are removed; it stays here marked stop failed, as ${p} cannot take it now (on_stop_failure handover); ${cleanupHint(f.group)}`,
  },
  // The one decision of this move (the handover that follows says nothing more).
  'stop-failed-hand-over': {
    kind: 'handover',
    cause: 'stop-failed',
    level: 'error',
    event: 'handover',
    what: (f) => stopFailedWhat(f),
    why: (f, p) => `its addresses are removed; ${p} may take it over all the same (on_stop_failure handover); it stays marked stop failed here until you ${cleanupHint(f.group)}`,
  },
  'stop-failed-block': {
    kind: 'keep',
    cause: 'stop-failed',
    level: 'error',
    event: 'resource-failure',
    what: (f) => stopFailedWhat(f),
    why: (f, p) => `it stays here marked stop failed and ${p} does not take it over (on_stop_failure block); stop the service by hand, then ${cleanupHint(f.group)}`,
  },
  'not-taking-peer-stuck': {
    kind: 'refuse',
    cause: 'no-reset-device',
    level: 'error',
    event: 'resource-failure',
    what: (f) => `Not taking over ${f.groups?.join(' ') || 'a group'}`,
    why: (_f, p) => `${p} cannot stop it and asks to be reset, but no reset device here can reset ${p}; stop it there by hand and run \`twinbeat cleanup\` on ${p}`,
  },
  'stuck-no-one-to-reset': {
    kind: 'keep',
    cause: 'stop-failed',
    level: 'error',
    event: 'resource-failure',
    what: (f) => `Resource group ${f.group} stays stopped here, as far as it would stop`,
    why: (f, p) => `${p} is not up to reset this node; ${cleanupHint(f.group)}`,
  },
} satisfies Record<string, Entry>;

function stopFailedWhat(f: DecisionFacts): string {
  return `Resource group ${f.group}${f.leftover ? ' left by a previous run' : ''} failed to stop${detailOf(f, ': ')}`;
}

export type DecisionCode = keyof typeof DECISIONS;

/** The decision `code` with `facts`, as the shell will receive it. */
export function makeDecision(code: DecisionCode, peer: string, facts: DecisionFacts = {}): Decision {
  const entry: Entry = DECISIONS[code];
  return {
    code,
    kind: entry.kind,
    cause: facts.cause ?? entry.cause,
    level: entry.level,
    peer,
    ...(facts.group !== undefined ? { group: facts.group } : {}),
    ...(facts.interfaces ? { interfaces: [...facts.interfaces] } : {}),
    figures: facts.figures ?? {},
    what: entry.what(facts, peer),
    why: entry.why?.(facts, peer) ?? '',
    ...(entry.event ? { event: entry.event } : {}),
  };
}

/** The log line: Heartbeat's wording where it had one. */
export function decisionLine(d: Pick<Decision, 'what' | 'why'>): string {
  return d.why ? `${d.what}: ${d.why}` : d.what;
}

/** Every code, for tests that render each one. */
export const DECISION_CODES = Object.keys(DECISIONS) as DecisionCode[];
