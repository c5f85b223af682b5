// What every reporter is fed: one plain-data picture of this node, built by the agent from the
// core's state after each step, and the events worth telling a fleet about. `twinbeat status`,
// the MQTT reporter and systemd's STATUS= all read the same snapshot; none can slow the heartbeat.

/**
 * This node's part in the pair, in one word:
 * - `active`: holds at least one group;
 * - `standby`: holds none, peer alive;
 * - `starting` / `stopping`: a group is on its way in or out;
 * - `waiting`: cannot decide safely (never heard the peer, a reset device configured) and waits
 *   for the peer or for an operator (`twinbeat takeover --force`);
 * - `fencing`: resetting the silent peer before taking over;
 * - `failed`: a group failed here and waits for an operator;
 * - `leaving`: shutting down.
 */
export type Role = 'active' | 'standby' | 'starting' | 'stopping' | 'waiting' | 'fencing' | 'failed' | 'leaving';

export type PeerState = 'unknown' | 'up' | 'dead' | 'leaving' | 'being-reset';
export type PathState = 'unknown' | 'up' | 'dead';
export type GroupState = 'released' | 'starting' | 'held' | 'stopping' | 'failed' | 'stop-failed';

export interface PathSnapshot {
  /** Unique id from the config, e.g. `ucast eth1 198.51.100.2`. */
  id: string;
  /** Heartbeat's name, e.g. `eth1` or `/dev/ttyS1`. */
  name: string;
  state: PathState;
  /** Milliseconds since a frame from the peer last arrived on this path; absent: never. */
  lastHeardAgoMs?: number;
}

export interface GroupSnapshot {
  /** Named by its first resource, e.g. `192.0.2.50`. */
  id: string;
  home: string;
  /** The node that holds (or is starting) the group, or null when nobody does. */
  holder: string | null;
  /** The group's state on this node. */
  state: GroupState;
  /** Nodes where the group failed and waits for an operator. */
  failedOn: string[];
  /** Nodes where the group failed to stop and may still run (on_stop_failure); absent when none. */
  stopFailedOn?: string[];
  /** The group moved too often for health reasons and is held here (`flapping: 3 moves in 60 s; holding on ...`); absent otherwise. */
  flapping?: string;
}

/**
 * The core's last decision (src/core/decisions.ts names every kind and cause). Read the fields,
 * not the words: `text` and `reason` may be reworded from one version to the next.
 */
export interface Decision {
  /** ISO 8601. */
  at: string;
  /** What was decided, e.g. `Taking over resource group 192.0.2.50`. */
  text: string;
  /** Why, e.g. `node-a is dead and no reset device is configured`. */
  reason: string;
  /** `takeover`, `handover`, `failback`, `release`, `keep`, `standby`, `wait`, `refuse`, `fence`, `restart`, `stop`, `cleanup`, `shutdown`, `notice`. */
  kind: string;
  /** `peer-dead`, `peer-reset`, `operator`, `auto-failback`, `carrier`, `check-failed`, ... */
  cause: string;
  /** The decision's name in src/core/decisions.ts, e.g. `take-from-dead-peer`. */
  code: string;
  group?: string;
  /** The numbers that explain it (deadtimeMs, delayMs, attempt, targets, ...). */
  figures?: Record<string, number>;
  /** What it was in the fleet's history, if an event (a move of a group: `failover`, `handover`, `start`). */
  event?: ClusterEventType;
}

export interface StatusSnapshot {
  cluster: string;
  node: string;
  role: Role;
  /**
   * `generation` and `lastSeq`: the last message heard from the peer (its generation and
   * sequence number), so that a reader can tell whether the peer's own state is older than this
   * node's verdict on it without comparing the two nodes' clocks; `boot`: which run of the peer
   * that was (its generation may be lower than an earlier run's: a swapped unit).
   */
  peer: {
    node: string;
    state: PeerState;
    generation?: number;
    lastSeq?: number;
    boot?: number;
    lastHeardAgoMs?: number;
    /** A message of the peer that proves nothing yet was heard this long ago (a run not joined, or the joined run not naming this node's run): does it hear this node? */
    unansweredAgoMs?: number;
    /** Present when the peer runs Heartbeat 3.0 rather than twinbeat (a pair being migrated). */
    software?: 'heartbeat';
  };
  paths: PathSnapshot[];
  groups: GroupSnapshot[];
  lastDecision?: Decision;
  generation: number;
  /**
   * The sequence number of the last message this node had sent its peer when this state was
   * made: with `generation`, it places the state among the messages the peer heard.
   */
  seq: number;
  /** This run's boot number (see src/core/liveness.ts): the run a peer's verdict must name to be about this state. */
  boot?: number;
  version: string;
  /** ISO 8601 of the agent's start, and seconds since. */
  startedAt: string;
  uptimeS: number;
  /** ISO 8601 of this snapshot. */
  timestamp: string;
  /** Dropped frames by reason, resets, resource failures, ... */
  counters: Record<string, number>;
  /** This node's reset device and whether it can be used now (a relay line that cannot be opened is not ok). */
  resetDevice?: ResetDeviceHealth;
  /** What an operator must fix: a generation that could not be stored, frames from the peer that fail authentication. */
  problems?: string[];
  /** The last few starts of a group on this node, step by step (oldest first); absent before the first. */
  takeovers?: TakeoverTrace[];
}

/**
 * One step of a takeover: the peer last heard, its silence judged, the decision, the start asked,
 * the duplicate-address probe done, the VIP added, its first gratuitous ARP sent, a resource
 * started, the group held (or failed).
 */
export type TraceStep =
  | 'last-heard'
  | 'silence-judged'
  | 'decision'
  | 'start-asked'
  | 'probe-done'
  | 'vip-added'
  | 'arp-sent'
  | 'resource-started'
  | 'group-held'
  | 'group-failed';

export interface TraceMark {
  step: TraceStep;
  /** Milliseconds from the decision (0.1 ms), by the agent's monotonic clock; negative before it. */
  ms: number;
  /** ISO 8601 of the same moment. */
  at: string;
  /** Which resource, or what the step found (`early probe, 12 ms old`). */
  detail?: string;
}

export interface TakeoverTrace {
  group: string;
  /** In time order. */
  marks: TraceMark[];
  /** From the decision to the VIP added, to its first gratuitous ARP, to the group held or failed. */
  decisionToVipMs?: number;
  decisionToArpMs?: number;
  decisionToEndMs?: number;
}

/** The agent's answer to `twinbeat fence`: what its core decided, and whether a reset is now under way. */
export interface FenceAnswer {
  said: string;
  resetting: boolean;
}

export interface ResetDeviceHealth {
  description: string;
  ok: boolean;
  detail: string;
}

/**
 * A move of a group: `failover` (taken from a peer judged dead, reset or forced out), `handover`
 * (a planned or health move, a shutdown's), `start` (claimed by its home node, nobody running
 * it). Exactly one event per move, from one node (src/core/decisions.ts says which). Others:
 * `reset`, `resource-failure`, and from the log `path` (subject `node-b:eth1`) and `peer` (dead).
 */
export type ClusterEventType = 'failover' | 'handover' | 'start' | 'reset' | 'path' | 'resource-failure' | 'peer';

/** One thing that happened, worth a line in a fleet's history. */
export interface ClusterEvent {
  type: ClusterEventType;
  /** ISO 8601. */
  at: string;
  cluster: string;
  node: string;
  /** Heartbeat's wording where it has one: `Link node2:eth1 dead.`, `Taking over resource group 192.0.2.50`. */
  text: string;
  reason: string;
  /** What it is about: the group (a move, a resource failure), the path (`node-b:eth1`), the peer (a reset, `peer`). */
  subject: string;
  /** From a decision (absent for `path` and `peer`): its kind, cause and figures, as in Decision. */
  kind?: string;
  cause?: string;
  group?: string;
  figures?: Record<string, number>;
}
