// The data the core speaks: its configuration, the messages it exchanges with the peer,
// the events the shell feeds it and the effects it hands back. Plain data only, so that
// scenarios can print and compare them and the wire codec can encode the messages.

import type { Decision } from './decisions';

export type GroupState = 'released' | 'starting' | 'held' | 'stopping' | 'failed' | 'stop-failed';

/** What a node does with a group that will not stop (on_stop_failure; see stop-failure.ts). */
export type StopFailureRule = 'fence' | 'block' | 'handover';

/** What this node is doing as a member of the pair, as the peer sees it. */
export type NodeMode = 'active' | 'standby' | 'leaving';

export interface CoreGroup {
  /** Heartbeat names a group by its first resource: `Taking over resource group 192.0.2.50`. */
  id: string;
  home: string;
  /** The haresources line as Heartbeat prints it when releasing: `node1 192.0.2.50 httpd`. */
  line: string;
  /** When its stop fails here: absent means `block`, the safe choice. */
  onStopFailure?: StopFailureRule;
}

export interface CoreConfig {
  local: string;
  peer: string;
  /** Both node names, in ha.cf order. */
  nodes: [string, string];
  keepaliveMs: number;
  deadtimeMs: number;
  warntimeMs: number;
  initdeadMs: number;
  /** How long the node that holds nothing waits before it shoots when contact is lost. */
  fenceDelayMs: number;
  paths: { id: string; name: string }[];
  /** In haresources order; the order decides which node shoots first (see fencing.ts). */
  groups: CoreGroup[];
  /** `legacy` has already been mapped to `on` (see config.ts). */
  autoFailback: 'on' | 'off';
  /** True when ha.cf said `auto_failback legacy` (or nothing): the start-up log says how it is read. */
  autoFailbackWasLegacy: boolean;
  /** A reset device wired so that this node can power-cycle its peer. */
  canResetPeer: boolean;
  /** First wait after a failed reset; doubles each time up to resetRetryMaxMs. */
  resetRetryMs: number;
  resetRetryMaxMs: number;
  /** After a group failed to start here, how long before this node tries it again. */
  failedRetryMs: number;
  /** How many ping targets (a `ping` address or a `ping_group`) ha.cf names; 0 or absent: no connectivity rule. */
  pingTargets?: number;
  /** How long the holder must reach fewer ping targets than its peer before it hands over (default deadtime). */
  deadpingMs?: number;
  /** Interfaces whose loss of carrier on the holder moves its groups (track_interface). */
  trackedInterfaces?: string[];
  /** How often the holder checks each held group (monitor_interval); 0 or absent: never. */
  monitorIntervalMs?: number;
  /** Failed checks in a row before acting (monitor_failures, default 1). */
  monitorFailures?: number;
  /** After the one restart in place, a group that fails its checks again moves to the peer (default on). */
  failoverOnMonitor?: boolean;
  /**
   * How long before the peer's deadtime runs out (silent on every path) the shell is asked to
   * probe the addresses of the groups this node would then take over (`probe-group`), so that
   * the takeover need not wait for the duplicate-address check. 0 or absent: never.
   */
  probeLeadMs?: number;
  /**
   * How long a health cause that cleared on the home node (carrier back, ping targets back, a mark
   * cleaned up) must stay clear before the group fails back there (failback_holddown); 0 or absent: at once.
   */
  failbackHolddownMs?: number;
  /** At most this many health moves of a group within flapWindowMs (flap_limit); 0 or absent: no damping. */
  flapLimit?: number;
  /** The window of flap_limit (flap_window), and how long a damped cause must then stay clear. */
  flapWindowMs?: number;
}

/** A health move of a group: the epoch its handover created (the same on both nodes) and how long ago. */
export interface HealthMove {
  epoch: number;
  agoMs: number;
}

/**
 * What every message says about its sender: enough for the receiver to decide alone.
 * Handover state rides on every message (not only on the one-off notices) so that a lost
 * notice is repaired by the next heartbeat.
 */
export interface SenderView {
  /**
   * What the sender holds is not a fact yet: a Heartbeat 3.0 peer in a transition, or before it
   * answered (heartbeat-peer.ts). The sender is heard; its view is taken as unknown.
   */
  withheld?: boolean;
  /**
   * Incremented at every start of the sender (kept on disk by the shell). Shown and sent as
   * Heartbeat's `hg`, but not trusted to grow: a swapped unit, a lost state directory or a clock
   * behind at boot start lower. Which run of the sender a message is from is `boot`.
   */
  generation: number;
  /**
   * A random number the shell draws at every start of the sender: the run (incarnation) the
   * message is from. Absent (tests, a twinbeat before boot numbers): the generation stands in.
   */
  boot?: number;
  /** Grows by one with every message within a run. */
  seq: number;
  /** The receiver's generation as last heard by the sender; 0 if never heard. */
  ackGeneration: number;
  /** The receiver's run (boot) the sender has joined; 0 if none. Absent: `ackGeneration` stands in. */
  ackBoot?: number;
  /**
   * A number the sender drew afresh when it heard a run of the receiver it has not joined: that
   * run joins by echoing it in `answer`. Nothing recorded before the draw can echo it, so a
   * replay of an earlier run's frames never joins. Absent when the sender is not asking.
   */
  challenge?: number;
  /** The newest `challenge` the sender heard from the receiver; absent if none. */
  answer?: number;
  mode: NodeMode;
  /** Groups the sender has the right to run (starting, running, stopping, or failed there). */
  held: string[];
  /** Groups the sender stopped and handed to the receiver (its run `ackBoot`), not yet taken up. */
  granted: string[];
  /** Groups that failed on the sender (a start, recently; or its checks): do not hand them back yet. */
  failed: string[];
  /**
   * Of those, the groups marked failed by their checks: they will not run on the sender until an
   * operator clears the mark, so nothing hands them there, not even a standby. Absent when none.
   */
  marked?: string[];
  /**
   * Groups that failed to stop on the sender and may still run there (on_stop_failure fence or
   * block, or a leftover of a previous run being released): the receiver must not start them.
   * Absent when none.
   */
  stuck?: string[];
  /** The sender cannot stop a group and asks the receiver to reset it (on_stop_failure fence). */
  resetMe?: boolean;
  /**
   * Per group, how many times its right to run has changed hands, as far as the sender knows.
   * A grant counts only if its epoch is newer than the receiver's: a heartbeat that still lists
   * an old grant after the group came back and went again is recognised as old.
   */
  epochs: Record<string, number>;
  /**
   * The sender cannot hear the receiver and will reset it in this many ms (0: a reset is under
   * way); -1 when it is not fencing. Lets a node that still hears a one-way link know that a
   * shot at it is coming, so that both do not shoot at once.
   */
  fenceInMs: number;
  /** How many ping targets the sender reaches now; absent or -1 when it has none or has not measured yet. */
  reach?: number;
  /** Tracked interfaces without carrier on the sender; absent when it tracks none. */
  down?: string[];
  /**
   * The sender's own health (carrier, ping targets, marks) last changed this long ago, and what
   * changed: failback waits until it has been steady for failback_holddown. Absent: never changed.
   */
  steady?: { forMs: number; cause: string };
  /** Per group, its health moves within flap_window as the sender knows them; absent when none. */
  moves?: Record<string, HealthMove[]>;
}

export type Message =
  | ({ kind: 'heartbeat' } & SenderView)
  /** "Please stop these and hand them to me" (hb_takeover, or failback requested by the home). */
  | ({ kind: 'release-request'; groups: string[] } & SenderView)
  /** "I have stopped these; they are yours." Also listed in `granted` until taken up. */
  | ({ kind: 'release-done'; groups: string[] } & SenderView)
  /** "I have stopped everything and am leaving; take what I held." Repeated until acknowledged. */
  | ({ kind: 'shutdown' } & SenderView)
  /** "I heard that you are leaving" (its `ackBoot` names the leaving run): the leaver may exit now. */
  | ({ kind: 'shutdown-ack' } & SenderView);

export type MessageKind = Message['kind'];

/**
 * How much of the pair's resources a Heartbeat v1 node says it holds (its `rsc_hold`), from its
 * own point of view: `local` are the groups whose home is that node, `foreign` the others.
 */
export type HeartbeatHolding = 'none' | 'local' | 'foreign' | 'all';

/**
 * A frame from a Heartbeat 3.0 peer, in the words the core needs (src/wire/heartbeat-messages.ts
 * reads them; heartbeat-peer.ts decides). Every kind carries the run (`hg`) and `seq` of its sender.
 */
export type HeartbeatNews = { generation: number; seq: number } & (
  /** Its heartbeat: `init`, `up` or `active`. */
  | { what: 'status'; status: 'init' | 'up' | 'active' }
  /** Its resource manager is starting and asks what this node holds. */
  | { what: 'starting' }
  /** What it holds; `full` replaces what was known, otherwise it adds; `stable` absent when not said. */
  | { what: 'resources'; holds: HeartbeatHolding; full: boolean; stable?: boolean; info?: string }
  /** It released everything and is shutting down (SIGTERM). */
  | { what: 'shutdone' }
  /** Its answer to "which nodes": the cluster's node list. */
  | { what: 'nodes'; nodes: string[] }
  /** A step of a hand-over twinbeat does not take part in yet: `ask_resources` (standby, failback) or `hb_takeover`. */
  | { what: 'handover'; type: string; holds: HeartbeatHolding; info?: string }
  /** Understood and nothing to decide on (`reqnodes`, `ip-request`, `ip-request-resp`, `NS_rexmit`, `hbapi-clstat`). */
  | { what: 'routine'; type: string }
  /** The peer's ipfail asking or telling its partner about ping nodes (`num_ping_nodes`, `you_are_dead`, `abort_giveup`). */
  | { what: 'ipfail'; type: string }
  /** A Heartbeat running Pacemaker (`crm yes`): its resource manager's messages, not v1's. */
  | { what: 'crm'; type: string }
  /** A message kind twinbeat does not understand (the peer is heard, not understood). */
  | { what: 'unknown'; type: string; detail: string }
);

/** A message in Heartbeat's vocabulary that this node sends to a Heartbeat peer (seq from the same counter as every message). */
export type HeartbeatOut = { generation: number; seq: number } & (
  | { what: 'starting' }
  | { what: 'resources'; holds: HeartbeatHolding; stable: boolean; info?: string }
  /** A step of Heartbeat's standby exchange (`ask_resources`): `holds` from the point of view of the node going standby. */
  | { what: 'standby'; holds: HeartbeatHolding; info: 'me' | 'other' | 'done' }
  /** hb_takeover: "hand me these" (`holds` from this node's point of view); the peer answers by going standby. */
  | { what: 'takeover'; holds: HeartbeatHolding }
  | { what: 'shutdone' }
);

/** hb_standby, hb_takeover (with --force when the peer was never heard), and `twinbeat fence` (reset the peer by hand). */
export type AdminCommand = 'standby' | 'takeover' | 'takeover-force' | 'fence';

export type CoreEvent =
  /** First event of a run. The shell has stopped every group before (start-up cleanup). */
  /**
   * First event of a run. `releasing`: the groups whose leftovers of an earlier run the shell is
   * releasing now (each reported as a stop's `group-result`); absent: released before the start.
   */
  | { type: 'start'; now: number; generation: number; releasing?: string[]; boot?: number }
  | { type: 'tick'; now: number }
  /** An authenticated message from the peer arrived on path `path` (a PathSpec id). */
  | { type: 'message'; now: number; path: string; message: Message }
  /** An authenticated frame from a peer that runs Heartbeat 3.0 rather than twinbeat (see heartbeat-peer.ts). */
  | { type: 'heartbeat-peer'; now: number; path: string; news: HeartbeatNews }
  | { type: 'admin'; now: number; command: AdminCommand }
  | { type: 'group-result'; now: number; group: string; action: 'start' | 'stop'; ok: boolean; detail?: string }
  | { type: 'reset-result'; now: number; ok: boolean; detail?: string }
  /** The tracked interfaces of this node that have no carrier (or are down), when that changes. */
  | { type: 'carrier'; now: number; down: string[] }
  /** This node's count of ping targets that answer (a ping group counts once), when it changes. */
  | { type: 'reachability'; now: number; reachable: number }
  /** The answer to a `check-group`: every resource of the group reported running (ok), or what failed. */
  | { type: 'check-result'; now: number; group: string; ok: boolean; detail?: string }
  /** `twinbeat cleanup GROUP`: forget that the group failed on this node. */
  | { type: 'cleanup'; now: number; group: string }
  /** The operator or systemd asked this agent to stop (SIGTERM). */
  | { type: 'shutdown'; now: number };

export type LogLevel = 'info' | 'warn' | 'error';

/** A log line that is an event: a path up or dead (subject `node-b:eth1`), the peer dead (subject the peer). */
export interface LogAbout {
  event: 'path' | 'peer';
  subject: string;
}

export type Effect =
  /** Send on every path (`path` absent) or on one path. */
  | { type: 'send'; message: Message; path?: string }
  /** Send on every path, in Heartbeat's own words, to a peer that runs Heartbeat 3.0. */
  | { type: 'send-heartbeat'; message: HeartbeatOut }
  | { type: 'start-group'; group: string }
  | { type: 'stop-group'; group: string }
  | { type: 'reset-peer'; node: string }
  /** Check that every resource of a held group still runs (status/monitor, the VIP on its interface); report `check-result`. */
  | { type: 'check-group'; group: string }
  /**
   * Tell the LAN again where a held group's addresses are (gratuitous ARP): contact with the
   * peer came back after a loss, and switches and clients may have followed the peer meanwhile.
   */
  | { type: 'announce-group'; group: string }
  /**
   * The peer may be declared dead within `probeLeadMs`: check now that nobody answers for the
   * group's addresses, and keep the answer for a start that follows at once. Nothing is added
   * or changed; no result is reported to the core (the start that follows reports as ever).
   */
  | { type: 'probe-group'; group: string }
  /** A line for the log; `about` marks one that is an event of the fleet's history. */
  | { type: 'log'; level: LogLevel; text: string; about?: LogAbout }
  /** The decision just logged, as data (decisions.ts), for `twinbeat status` and MQTT. */
  | { type: 'decision'; decision: Decision }
  /** Graceful shutdown is complete: the shell may exit. */
  | { type: 'exit' };

export interface StepResult<S> {
  state: S;
  effects: Effect[];
}
