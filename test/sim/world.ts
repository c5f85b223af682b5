// A simulated pair: two cores, the paths between them, their resources and reset devices, and
// a clock that only this file moves. Invariants are checked after everything that happens. In a
// mixed pair one node runs the Heartbeat v1 model (heartbeat-v1-peer.ts) instead of a core, and
// mixed-checks.ts adds that pair's invariants and says what the others exempt there.
//
// "Holder" here is physical: a node holds a group from the moment its core asks to start it
// (the address may be up a microsecond later) until the stop has completed, including a
// start that failed half-way until its clean-up stop has completed. A powered-off node holds
// nothing. The core learns about completions later, which only makes the checks stricter.
import { initialState, nextDeadline, step, type CoreState } from '../../src/core';
import type { CoreConfig, CoreEvent, Decision, DecisionCause, Effect, HeartbeatNews, Message } from '../../src/core';
import { HeartbeatV1Peer, type HbConfig, type HbEffect, type HbFrame } from './heartbeat-v1-peer';
import { HeartbeatRetransmission } from '../../src/wire/heartbeat-rexmit';
import type { RetransmissionWords } from '../../src/wire/heartbeat-messages';
import { MixedChecks } from './mixed-checks';
import { Agenda, type Timed } from './queue';
import type { Rng } from './prng';

export type StepFn = (state: CoreState, event: CoreEvent) => { state: CoreState; effects: Effect[] };

export { Violation } from './violation';
import { Violation } from './violation';

/** The causes of a health move (invariants 8 and 15): ping targets, carrier, failed checks. */
const HEALTH_CAUSES = new Set<DecisionCause>(['ping', 'carrier', 'check-failed']);

type Item = Timed &
  (
    | { kind: 'tick'; node: number; token: number }
    | { kind: 'arrive'; node: number; path: string; message: Message; sentAt: number }
    | { kind: 'group-done'; node: number; incarnation: number; group: string; action: 'start' | 'stop'; ok: boolean }
    | { kind: 'reset-done'; node: number; incarnation: number; ok: boolean }
    | { kind: 'check-done'; node: number; incarnation: number; group: string; ok: boolean }
    | { kind: 'power-on'; node: number; token: number }
    | { kind: 'resume'; node: number }
    /** A twinbeat frame reaching a Heartbeat v1 node (mixed pairs). */
    | { kind: 'hb-frame'; node: number; path: string; frame: HbFrame; sentAt: number }
    /** A Heartbeat v1 node's frame reaching a twinbeat node (mixed pairs). */
    | { kind: 'hb-news'; node: number; path: string; news: HeartbeatNews; sentAt: number }
    /** Mixed pairs: a node's transport asks the peer for missing frames (NS_rexmit) when due. */
    | { kind: 'hb-rexmit-ask'; node: number; token: number }
    /** Mixed pairs: a retransmission request or refusal reaching a node's transport. */
    | { kind: 'hb-rexmit'; node: number; path: string; words: RetransmissionWords }
    | { kind: 'fault'; label: string; run: () => void }
  );

type Distribute<T> = T extends unknown ? Omit<T, 'order'> : never;
type NewItem = Distribute<Item>;

export interface Link {
  cut: boolean;
  loss: number;
  duplicate: number;
  /** Chance that a message is held back long enough to arrive after later ones. */
  reorder: number;
  minDelay: number;
  maxDelay: number;
  lastDeliveredAt: number;
  /** Mixed pairs: when the latest frame sent on this direction arrives (frames keep their order). */
  lastSentArrival?: number;
}

export interface SimNode {
  index: number;
  name: string;
  config: CoreConfig;
  state: CoreState | null;
  powered: boolean;
  incarnation: number;
  generation: number;
  /** This run's boot number (random per power-on, as the shell draws it). */
  boot: number;
  bootAt: number;
  bootToken: number;
  tickToken: number;
  stalledUntil: number;
  deferred: CoreEvent[];
  running: Set<string>;
  /** Restart the agent this long after a graceful exit (-1: stay down). */
  restartAfterExitMs: number;
  // Bookkeeping for the invariants.
  lastHeardAt: number | null;
  /** The run and seq of the newest message lastHeardAt was taken from. */
  heardRun: number;
  heardSeq: number;
  lastHeardCurrentAt: number | null;
  /** When a message of the peer's current run newer than any before reached this node, answered or not (see (16)). */
  liveNewsAt: number | null;
  liveNewsRun: number;
  liveNewsSeq: number;
  lastArrivalAt: number | null;
  /** The peer up to this incarnation (world truth, not its generation) is known to run nothing (we reset it, or it left). */
  clearedGeneration: number | null;
  forced: boolean;
  /** How many ping targets the node really reaches (world truth); -1 without ping nodes. */
  reach: number;
  /** When `reach` last changed: the peer may act on older news for a little while. */
  reachChangedAt: number;
  /** Tracked interfaces without carrier (world truth), and when that last changed. */
  down: string[];
  downChangedAt: number;
  /** When the node last resumed from a stall: what it said just after may be older than that. */
  resumedAt: number;
  /** When the newest message of the peer's current run that reached this node was sent. */
  heardSentAt: number;
  /** Groups whose service died here: their checks fail until the group is started here again. */
  serviceDead: Set<string>;
  /** Groups that cannot run here at all for now (a broken disk, say): every check fails. */
  brokenHere: Set<string>;
  /** When this run of the node first asked to send its shutdown notice (for invariant 9). */
  noticeSentAt: number | null;
  /** Groups whose service a failed stop left running here (world truth), until a stop works, the power goes or the operator kills it. */
  stuck: Set<string>;
  /** Groups whose stop fails on this node for now (a stop script that hangs): every stop of them fails. */
  stopHangs: Set<string>;
  /** Services still running on a node whose agent exited (it is off for the simulation, they are not). */
  leftover: Set<string>;
  /** Groups whose failed stop this core was told of and that it has not started or had cleaned up since (invariant 11). */
  failedStops: Set<string>;
  /** The peer's last message that reached this node's core asked to be reset (on_stop_failure fence): shooting it while heard is allowed. */
  heardResetRequest: boolean;
  /** The message heardResetRequest was read from (the sender's incarnation, seq). */
  resetRequestFrom?: { generation: number; seq: number };
  /** Mixed pairs: this node runs Heartbeat v1 (the model in heartbeat-v1-peer.ts), not a core; `state` stays null. */
  hbConfig: HbConfig | null;
  hb: HeartbeatV1Peer | null;
  /**
   * Mixed pairs: this run's retransmission (NS_rexmit; src/wire/heartbeat-rexmit.ts, which the
   * agent's wire transport uses too): the frames it sent a Heartbeat peer (a twinbeat node: twinbeat
   * frames; a Heartbeat node: its news), and the numbers it misses of the peer's.
   */
  rexmit: HeartbeatRetransmission<HbFrame | HeartbeatNews> | null;
  /** When its next request is scheduled (null: none). */
  rexmitAskAt: number | null;
}

export interface WorldParams {
  rng: Rng;
  configs: [CoreConfig, CoreConfig];
  stepFn?: StepFn;
  trace: boolean;
  /** Mixed pairs: node `index` runs Heartbeat v1 with this configuration. */
  heartbeat?: { index: number; config: HbConfig };
}

export class World {
  now = 0;
  readonly rng: Rng;
  readonly nodes: [SimNode, SimNode];
  /** links[pathId][from] : the direction from node `from` to the other. */
  readonly links: Record<string, [Link, Link]> = {};
  readonly agenda = new Agenda<Item>();
  readonly stepFn: StepFn;
  readonly trace: string[] | null;
  readonly deadtimeMs: number;
  readonly hasResetDevice: boolean;
  startFailure = 0;
  resetFailure = 0;
  /** Chance that any stop fails (decided with stopRng, so that pairs without stop failures draw as before). */
  stopFailure = 0;
  /** What every group's on_stop_failure is (the world allows two holders only under handover). */
  stopRule: 'fence' | 'block' | 'handover' = 'block';
  stopRng: Rng | null = null;
  /** Boot numbers, lost state directories and replays draw from here (a stream of their own, so that other faults stay as they were). */
  runRng: Rng | null = null;
  /** Chance that a boot starts with a lost state directory and a clock behind: a low generation, which may repeat. */
  lostStateChance = 0;
  /** Which run (incarnation) each boot number belongs to: world truth, for the invariants. */
  readonly incarnationOfBoot = new Map<number, number>();
  /** Messages an attacker recorded from each node (a sample of every run), to replay later. */
  readonly recorded: [Message[], Message[]] = [[], []];
  resetsThisEpisode = 0;
  /** When the last successful reset fired: a peer run that booted after it is new contact, even heard late. */
  private lastResetOkAt = -Infinity;
  /** When two holders of a group coexist (allowed only without a reset device, after lost contact). */
  dualSince: Record<string, number> = {};
  workingSince: number | null = null;
  steps = 0;
  /** Counts power-offs, so a check can tell whether a node went down in between. */
  powerOffs = 0;
  /** A mixed pair: one node runs Heartbeat v1 (invariants (17) and (18) apply). */
  readonly mixed: boolean;
  /** Mixed pairs: the Heartbeat node restarts as twinbeat (the migration's second step) at its next power-on. */
  migrating: SimNode | null = null;
  /** Mixed pairs: the invariants (17) and (18), and what (1), (4) and (5) exempt (mixed-checks.ts). */
  readonly mixedChecks: MixedChecks | null;
  /** Mixed pairs: the run (incarnation) of the Heartbeat node that each of its generations names. */
  private readonly heartbeatRuns = new Map<number, number>();

  constructor(p: WorldParams) {
    this.rng = p.rng;
    this.stepFn = p.stepFn ?? step;
    this.trace = p.trace ? [] : null;
    this.mixed = p.heartbeat !== undefined;
    this.mixedChecks = this.mixed ? new MixedChecks(this) : null;
    this.deadtimeMs = p.configs[0].deadtimeMs;
    this.hasResetDevice = p.configs[0].canResetPeer && p.configs[1].canResetPeer;
    const makeNode = (i: number): SimNode => ({
      index: i,
      name: p.configs[i]!.local,
      config: p.configs[i]!,
      state: null,
      powered: false,
      incarnation: 0,
      generation: 0,
      boot: 0,
      bootAt: 0,
      bootToken: 0,
      tickToken: 0,
      stalledUntil: 0,
      deferred: [],
      running: new Set<string>(),
      restartAfterExitMs: -1,
      lastHeardAt: null,
      heardRun: 0,
      heardSeq: 0,
      liveNewsAt: null,
      liveNewsRun: 0,
      liveNewsSeq: 0,
      lastHeardCurrentAt: null,
      lastArrivalAt: null,
      clearedGeneration: null,
      forced: false,
      reach: (p.configs[i]!.pingTargets ?? 0) > 0 ? p.configs[i]!.pingTargets! : -1,
      reachChangedAt: 0,
      down: [],
      downChangedAt: 0,
      resumedAt: -Infinity,
      heardSentAt: -Infinity,
      serviceDead: new Set<string>(),
      brokenHere: new Set<string>(),
      noticeSentAt: null,
      stuck: new Set<string>(),
      stopHangs: new Set<string>(),
      leftover: new Set<string>(),
      failedStops: new Set<string>(),
      heardResetRequest: false,
      hbConfig: p.heartbeat?.index === i ? p.heartbeat.config : null,
      hb: null,
      rexmit: null,
      rexmitAskAt: null,
    });
    this.nodes = [makeNode(0), makeNode(1)];
    for (const path of p.configs[0].paths) {
      const serial = path.id.startsWith('tty');
      const link = (): Link => ({
        cut: false,
        loss: 0,
        duplicate: 0,
        reorder: 0,
        minDelay: serial ? 15 : 1,
        maxDelay: serial ? 60 : 20,
        lastDeliveredAt: -Infinity,
      });
      this.links[path.id] = [link(), link()];
    }
  }

  note(line: string): void {
    if (this.trace) this.trace.push(`${String(this.now).padStart(6)} ${line}`);
  }

  schedule(item: NewItem): void {
    this.agenda.push(item as Omit<Item, 'order'>);
  }

  fault(at: number, label: string, run: () => void): void {
    this.schedule({ kind: 'fault', at, label, run });
  }

  /** The next run's generation: one up, or, with a lost state directory and a clock behind, low again. */
  private nextGeneration(n: SimNode): number {
    if (this.lostStateChance > 0 && n.generation > 0 && this.runRng!.chance(this.lostStateChance)) {
      const low = this.runRng!.int(1, 3);
      this.note(`${n.name}: boots with its state directory lost and its clock behind`);
      return low;
    }
    return n.generation + 1;
  }

  /**
   * (13) A replayed message (one recorded earlier, of any run, delivered again by an attacker
   * who has no key) changes nothing the core decides: no path or peer is heard by it, no group
   * moves, no reset is asked for or called off. At most the core echoes the run it names.
   */
  replay(to: SimNode, path: string): void {
    const sender = this.nodes[1 - to.index]!;
    const state = to.state;
    if (!to.powered || !state || this.now < to.stalledUntil) return;
    // Not in a step that also has timers due: what they do is not the replay's doing.
    const due = nextDeadline(state);
    if (due !== null && due <= this.now) return;
    // Of an earlier run of either node. (A message of both current runs delivered late is a
    // delay, not a replay: the lossy links' duplicates and reordering already play those.)
    // Frames this node received before (the attacker captured them on the way), of any run.
    const earlier = this.recorded[to.index]!;
    if (earlier.length === 0) return;
    const message = earlier[this.runRng!.int(0, earlier.length - 1)]!;
    const before = state;
    this.note(`replay to ${to.name} on ${path}: ${describe(message)}`);
    const result = this.stepFn(before, { type: 'message', now: this.now, path, message });
    const after = result.state;
    // A recent frame replayed on another path may pass for its slower copy there: it may keep
    // that path up (and the holder announce its groups again), never more. A hello draws a
    // challenge, sent at once with whatever the node repeats now (a heartbeat, or a notice
    // still unanswered): what it sends is checked through its state (mode, request, groups).
    const acts = result.effects.filter((e) => e.type !== 'log' && e.type !== 'decision' && e.type !== 'announce-group' && e.type !== 'send');
    const changed = [
      after.contact !== before.contact && `contact ${before.contact} -> ${after.contact}`,
      after.peer.lastHeardAt !== before.peer.lastHeardAt && 'peer heard',
      after.peer.boot !== before.peer.boot && 'peer run joined',
      Object.keys(after.groups).some((id) => after.groups[id]!.token !== before.groups[id]!.token || after.groups[id]!.state !== before.groups[id]!.state) && 'a group moved',
      after.fence.phase !== before.fence.phase && `fencing ${before.fence.phase} -> ${after.fence.phase}`,
      after.mode !== before.mode && `mode ${before.mode} -> ${after.mode}`,
      JSON.stringify(after.request) !== JSON.stringify(before.request) && 'a request',
      (after.farewell?.acked ?? false) !== (before.farewell?.acked ?? false) && 'a farewell acknowledged',
      ...acts.map((e) => e.type),
    ].filter((x): x is string => typeof x === 'string');
    if (changed.length > 0) {
      throw new Violation(`(13) a replayed message changed ${to.name}'s decisions: ${describe(message)} -> ${changed.join(', ')}`);
    }
    to.state = after;
    const next = nextDeadline(after);
    to.tickToken += 1;
    if (next !== null) this.schedule({ kind: 'tick', at: Math.max(next, this.now), node: to.index, token: to.tickToken });
  }

  /**
   * (14) Two powered, running nodes with a clean path both ways join within initdead of the
   * later of their starts, stalls and the last change of the paths: whatever their generations.
   */
  private record(node: SimNode, message: Message): void {
    if (!this.runRng) return;
    const list = this.recorded[node.index]!;
    // A bounded sample of everything the node said, every run of it.
    if (list.length < 64) list.push(message);
    else if (this.runRng.chance(0.1)) list[this.runRng.int(0, 63)] = message;
  }

  private checkJoined(): void {
    if (!this.cleanPathExists()) return;
    for (const node of this.nodes) {
      const peer = this.nodes[1 - node.index]!;
      if (!node.state || !peer.state || !node.powered || !peer.powered || node.state.exited || peer.state.mode === 'leaving' || node.state.mode === 'leaving') continue;
      const since = Math.max(node.bootAt, peer.bootAt, this.linksChangedAt, node.resumedAt, peer.resumedAt, node.stalledUntil, peer.stalledUntil);
      if (this.now - since <= node.config.initdeadMs) continue;
      if (node.state.peer.boot !== peer.boot) {
        throw new Violation(`(14) ${node.name} has not joined ${peer.name}'s run (generation ${peer.generation}) ${this.now - since} ms after both could talk`);
      }
    }
  }

  powerOnAt(node: SimNode, at: number): void {
    node.bootToken += 1;
    this.schedule({ kind: 'power-on', at, node: node.index, token: node.bootToken });
  }

  powerOff(node: SimNode, why: string): void {
    this.note(`${node.name}: power off (${why})`);
    node.powered = false;
    this.powerOffs += 1;
    node.state = null;
    node.hb = null;
    node.rexmit = null;
    node.rexmitAskAt = null;
    node.running.clear();
    node.stuck.clear();
    node.leftover.clear();
    node.deferred = [];
    node.stalledUntil = 0;
    node.bootToken += 1;
  }

  /** Runs until `until` (simulated ms) or until the agenda is empty. Throws Violation. */
  run(until: number): void {
    for (;;) {
      const item = this.agenda.pop();
      if (!item) return;
      if (item.at > until) {
        this.agenda.push(item);
        this.now = until;
        return;
      }
      this.now = item.at;
      this.handle(item);
      this.checkHolders();
      this.checkJoined();
      this.mixedChecks?.checkOutages();
    }
  }

  private handle(item: Item): void {
    const node = 'node' in item ? this.nodes[item.node] : undefined;
    switch (item.kind) {
      case 'fault': {
        this.note(`FAULT ${item.label}`);
        const links = this.linkConditions();
        item.run();
        if (this.linkConditions() !== links) this.linksChangedAt = this.now;
        return;
      }
      case 'tick':
        if (node!.tickToken !== item.token) return;
        if (node!.hbConfig) this.feedHb(node!, (hb) => hb.tick(this.now));
        else this.feed(node!, { type: 'tick', now: this.now });
        return;
      case 'hb-frame': {
        const n = node!;
        if (!n.powered || !n.hb) return;
        const sender = this.nodes[1 - n.index]!;
        const { generation, seq } = item.frame.from === 'twinbeat' ? item.frame : item.frame.message;
        // A first copy of a frame of the sender's current run proves the path (a copy of one heard
        // already, or a late one of an earlier run, is nothing Heartbeat counts).
        if (sender.powered && generation === sender.generation && this.firstCopy(n, generation, seq)) {
          this.links[item.path]![1 - n.index]!.lastDeliveredAt = this.now;
          n.lastArrivalAt = this.now;
        }
        this.heardForRexmit(n, generation, seq);
        this.feedHb(n, (hb) => hb.receive(this.now, item.frame));
        return;
      }
      case 'hb-rexmit-ask':
        return this.askForMissing(node!, item);
      case 'hb-rexmit':
        return this.rexmitArrives(node!, item.path, item.words);
      case 'hb-news': {
        const n = node!;
        if (!n.powered) return;
        const sender = this.nodes[1 - n.index]!;
        if (sender.powered && item.news.generation === sender.generation && this.firstCopy(n, item.news.generation, item.news.seq)) {
          this.links[item.path]![1 - n.index]!.lastDeliveredAt = this.now;
          n.lastArrivalAt = this.now;
          n.heardSentAt = Math.max(n.heardSentAt, item.sentAt);
        }
        if (item.news.what === 'resources') this.mixedChecks?.noteResourceOrder(item.news, n, item.sentAt);
        this.mixedChecks?.noteStep(item.news);
        if (this.now >= n.stalledUntil) this.heardForRexmit(n, item.news.generation, item.news.seq);
        this.feed(n, { type: 'heartbeat-peer', now: this.now, path: item.path, news: item.news });
        return;
      }
      case 'arrive': {
        const n = node!;
        if (!n.powered) return;
        // A late copy from an earlier run of the peer (reordered past its reboot) is not news of
        // it, nor is a hello that does not answer this run, nor a copy of a message heard already:
        // the path works, for the invariants, when it delivers what the receiver may count.
        if (item.message.boot === this.nodes[1 - n.index]!.boot && this.isNews(n, item.message)) {
          this.links[item.path]![1 - n.index]!.lastDeliveredAt = this.now;
          n.lastArrivalAt = this.now;
          n.heardSentAt = Math.max(n.heardSentAt, item.sentAt);
        }
        this.record(n, item.message);
        this.feed(n, { type: 'message', now: this.now, path: item.path, message: item.message });
        return;
      }
      case 'group-done': {
        const n = node!;
        if (!n.powered || n.incarnation !== item.incarnation) return;
        if (item.action === 'stop' && item.ok) {
          n.running.delete(item.group);
          n.stuck.delete(item.group);
        }
        if (item.action === 'stop' && !item.ok) n.stuck.add(item.group);
        if (item.action === 'start' && item.ok) n.serviceDead.delete(item.group);
        this.note(`${n.name}: ${item.action} ${item.group} ${item.ok ? 'ok' : 'FAILED'}`);
        if (n.hbConfig) {
          this.feedHb(n, (hb) => hb.groupDone(this.now, item.group, item.action));
          return;
        }
        this.feed(n, { type: 'group-result', now: this.now, group: item.group, action: item.action, ok: item.ok });
        return;
      }
      case 'reset-done': {
        const shooter = node!;
        const target = this.nodes[1 - shooter.index]!;
        if (item.ok) {
          this.resetsThisEpisode += 1;
          this.lastResetOkAt = this.now;
          this.note(`${shooter.name}: reset of ${target.name} ok (${this.resetsThisEpisode} in this episode)`);
          if (this.resetsThisEpisode > 1) {
            throw new Violation(`(6) reset loop: ${this.resetsThisEpisode} successful resets in one lost-contact episode`);
          }
          if (target.powered) this.powerOff(target, `reset by ${shooter.name}`);
          // An agent that exited may have left a service running: the power cut ends it too.
          target.leftover.clear();
          this.powerOnAt(target, this.now + this.rng.int(2000, 6000));
          if (shooter.powered && shooter.incarnation === item.incarnation) shooter.clearedGeneration = target.incarnation;
        } else {
          this.note(`${shooter.name}: reset of ${target.name} FAILED`);
        }
        if (shooter.powered && shooter.incarnation === item.incarnation) {
          this.feed(shooter, { type: 'reset-result', now: this.now, ok: item.ok });
        }
        return;
      }
      case 'power-on': {
        const n = node!;
        if (n.bootToken !== item.token || n.powered) return;
        n.powered = true;
        n.incarnation += 1;
        n.generation = this.nextGeneration(n);
        n.boot = this.runRng ? this.runRng.int(1, 2 ** 40) : n.incarnation * 2 + n.index;
        n.bootAt = this.now;
        this.incarnationOfBoot.set(n.boot, n.incarnation);
        n.state = initialState(n.config);
        n.lastHeardAt = n.lastHeardCurrentAt = n.lastArrivalAt = n.liveNewsAt = null;
        n.heardRun = n.heardSeq = n.liveNewsRun = n.liveNewsSeq = 0;
        n.heardSentAt = -Infinity;
        n.clearedGeneration = null;
        n.forced = false;
        n.noticeSentAt = null;
        n.failedStops.clear();
        if (this.migrating === n) {
          // The migration: Heartbeat stopped, twinbeat installed in its place. Its generation
          // counts from the clock (above Heartbeat's) unless the unit's clock is behind (fresh
          // state directory: 1, below Heartbeat's last `hg`).
          this.migrating = null;
          n.hbConfig = null;
          this.mixedChecks!.staleWordStands = false;
          if (this.rng.chance(0.25)) n.generation = 1;
          this.note(`${n.name}: now runs twinbeat instead of Heartbeat (generation ${n.generation})`);
        }
        if (n.hbConfig) {
          // Heartbeat's generation (one up at every start, kept in /var/lib/heartbeat) names its run.
          n.state = null;
          n.boot = n.generation;
          n.bootAt = this.now;
          this.heartbeatRuns.set(n.generation, n.incarnation);
          this.note(`${n.name}: boots Heartbeat v1, generation ${n.generation}`);
          n.hb = new HeartbeatV1Peer(n.hbConfig, n.generation, this.now);
          n.rexmit = new HeartbeatRetransmission();
          this.feedHb(n, (hb) => hb.tick(this.now));
          return;
        }
        // After a graceful exit, what would not stop still runs: the new run must release it.
        for (const g of n.leftover) {
          n.running.add(g);
          n.stuck.add(g);
        }
        n.leftover.clear();
        this.note(`${n.name}: boots, generation ${n.generation}${n.running.size ? ` with ${[...n.running].join(' ')} still running` : ''}`);
        const releasing = n.config.groups.map((g) => g.id);
        n.rexmit = this.mixedChecks ? new HeartbeatRetransmission() : null;
        this.feed(n, { type: 'start', now: this.now, generation: n.generation, boot: n.boot, releasing });
        // The shell releases leftovers beside the heartbeats: a status of each resource, quick when nothing runs.
        for (const g of releasing) this.scheduleStop(n, g, n.running.has(g) ? 200 : 30);
        if (n.reach >= 0) this.feed(n, { type: 'reachability', now: this.now, reachable: n.reach });
        if (n.down.length > 0) this.feed(n, { type: 'carrier', now: this.now, down: n.down });
        return;
      }
      case 'check-done': {
        const n = node!;
        if (!n.powered || n.incarnation !== item.incarnation) return;
        this.note(`${n.name}: check ${item.group} ${item.ok ? 'ok' : 'FAILED'}`);
        this.feed(n, { type: 'check-result', now: this.now, group: item.group, ok: item.ok, ...(item.ok ? {} : { detail: 'httpd is not running' }) });
        return;
      }
      case 'resume': {
        const n = node!;
        if (!n.powered || this.now < n.stalledUntil) return;
        const waiting = n.deferred;
        n.deferred = [];
        n.resumedAt = this.now;
        this.note(`${n.name}: resumes after stall with ${waiting.length} waiting event(s)`);
        // The shell's duty after a pause: read what is waiting before letting timers fire.
        for (const e of waiting) if (e.type !== 'tick') this.feed(n, { ...e, now: this.now });
        this.feed(n, { type: 'tick', now: this.now });
        return;
      }
    }
  }

  /** Hands one event to a node's core, unless the node is off or stalled. */
  feed(node: SimNode, event: CoreEvent): void {
    if (!node.powered || !node.state) return;
    if (this.now < node.stalledUntil) {
      node.deferred.push(event);
      return;
    }
    if (event.type === 'message') this.beforeMessage(node, event.message);
    if (event.type === 'heartbeat-peer') this.beforeHeartbeatNews(node, event.news);
    if (event.type === 'cleanup') node.failedStops.delete(event.group);
    if (event.type === 'admin' && event.command === 'takeover-force') node.forced = true;
    const before = node.state;
    const result = this.stepFn(node.state, event);
    this.steps += 1;
    node.state = result.state;
    this.checkTakeover(node, before, result.state);
    this.checkNotDeadWhileSpeaking(node, before, result.state);
    this.checkReleasedWithoutToken(node, result.state);
    if (event.type === 'group-result' && event.action === 'stop' && !event.ok) this.checkToldOfStopFailure(node, event.group, before, result.effects);
    // The shell closes its sockets when the core says exit: what this same step asked it to
    // send may never leave (a datagram handed to a socket closed in the same turn is lost).
    const exiting = result.effects.some((e) => e.type === 'exit');
    if (exiting) this.expectNotice(node, before);
    this.mixedChecks?.noteAnswer(before, result.effects);
    for (const effect of result.effects) this.carryOut(node, effect, exiting);
    const next = node.powered && node.state ? nextDeadline(node.state) : null;
    node.tickToken += 1;
    if (next !== null) this.schedule({ kind: 'tick', at: Math.max(next, this.now), node: node.index, token: node.tickToken });
  }

  /**
   * Hands one event to a Heartbeat v1 node (mixed pairs) and carries out what it does: frames on
   * every path (Heartbeat sends each message on every medium), its resource scripts, its exit.
   */
  feedHb(node: SimNode, event: (hb: HeartbeatV1Peer) => HbEffect[]): void {
    if (!node.powered || !node.hb) return;
    const effects = event(node.hb);
    for (const effect of effects) {
      switch (effect.type) {
        case 'send': {
          const news = effect.news;
          if (news.what !== 'status') this.note(`${node.name}: send ${describeNews(news)}`);
          node.rexmit?.sent(news.seq, news);
          for (const path of Object.keys(this.links)) this.transmitTo(node, path, (at, sentAt) => ({ kind: 'hb-news', at, node: 1 - node.index, path, news, sentAt }));
          break;
        }
        case 'start-group':
          this.note(`${node.name}: start ${effect.group}`);
          this.noteArrival(node, effect.group);
          node.running.add(effect.group);
          this.schedule({ kind: 'group-done', at: this.now + this.rng.int(20, 600), node: node.index, incarnation: node.incarnation, group: effect.group, action: 'start', ok: true });
          break;
        case 'stop-group':
          this.note(`${node.name}: stop ${effect.group}`);
          this.scheduleStop(node, effect.group, this.rng.int(20, 400));
          break;
        case 'log':
          this.note(`${node.name}: ${effect.text}`);
          break;
        case 'exit': {
          const running = [...node.running];
          if (running.length > 0) throw new Violation(`${node.name} (Heartbeat) exits while still running ${running.join(' ')}`);
          this.powerOff(node, effect.restartInMs >= 0 ? 'Heartbeat restarts itself' : 'Heartbeat exited');
          if (effect.restartInMs >= 0) this.powerOnAt(node, this.now + effect.restartInMs);
          else if (node.restartAfterExitMs >= 0) this.powerOnAt(node, this.now + node.restartAfterExitMs);
          return;
        }
      }
    }
    const next = node.powered && node.hb ? node.hb.nextDeadline() : null;
    node.tickToken += 1;
    if (next !== null) this.schedule({ kind: 'tick', at: Math.max(next, this.now), node: node.index, token: node.tickToken });
  }

  /** The message is news of the peer as the core may take it: it answers this run, and is newer than what was heard. */
  private isNews(node: SimNode, msg: Message): boolean {
    const state = node.state;
    if (!state) return false;
    const run = this.incarnationOfBoot.get(msg.boot ?? -1) ?? 0;
    const answers = msg.ackBoot === state.boot || (state.peer.challenge !== 0 && msg.answer === state.peer.challenge);
    return answers && (run !== node.heardRun || msg.seq > node.heardSeq);
  }

  /** Mixed pairs: the seqs of the peer's run each node has had a copy of (per receiver: its run, the seqs). */
  private readonly copies: [{ run: number; seqs: Set<number> }, { run: number; seqs: Set<number> }] = [
    { run: 0, seqs: new Set() },
    { run: 0, seqs: new Set() },
  ];

  private firstCopy(receiver: SimNode, run: number, seq: number): boolean {
    const c = this.copies[receiver.index]!;
    if (c.run !== run) {
      c.run = run;
      c.seqs.clear();
    }
    if (c.seqs.has(seq)) return false;
    c.seqs.add(seq);
    return true;
  }

  /** What beforeMessage keeps, for a frame of a Heartbeat v1 peer: its run is its generation. */
  private beforeHeartbeatNews(node: SimNode, news: HeartbeatNews): void {
    const peer = this.nodes[1 - node.index]!;
    // Its shutdone ends its run as a shutdown notice does (a late one: the node may be off, or run
    // twinbeat, by now); a later run speaking makes a takeover from it need a reset again.
    const run = this.heartbeatRuns.get(news.generation);
    if (news.what === 'shutdone' && run !== undefined) node.clearedGeneration = Math.max(node.clearedGeneration ?? 0, run);
    // A frame its last run sent before it lost power, read late (in flight, or waiting out a stall
    // here), is news of it for (2), as a twinbeat peer's late message is.
    if (run === peer.incarnation && !peer.powered) node.lastHeardAt = this.now;
    // A run that booted after the last reset and spoke before it lost power again is new contact
    // (the core joins it, and may judge it dead and reset it in turn): a new episode for (6).
    if (run === peer.incarnation && !peer.powered && peer.bootAt > this.lastResetOkAt && this.resetsThisEpisode > 0) {
      this.note('contact: a new episode begins (a run booted after the reset, heard late)');
      this.resetsThisEpisode = 0;
    }
    if (!peer.powered || news.generation !== peer.generation) return;
    if (node.clearedGeneration !== null && peer.incarnation > node.clearedGeneration) node.clearedGeneration = null;
    if (news.generation !== node.liveNewsRun || news.seq > node.liveNewsSeq) {
      node.liveNewsAt = this.now;
      node.liveNewsRun = news.generation;
      node.liveNewsSeq = news.seq;
      node.lastHeardAt = this.now;
    }
    node.lastHeardCurrentAt = this.now;
    // A lost-contact episode ends when the twinbeat node hears the Heartbeat node's current run too.
    if (this.resetsThisEpisode > 0) this.note(`contact: a new episode begins`);
    this.resetsThisEpisode = 0;
  }

  private beforeMessage(node: SimNode, msg: Message): void {
    const peer = this.nodes[1 - node.index]!;
    // World truth: which run of the peer sent it (generations may go back; incarnations do not).
    const run = this.incarnationOfBoot.get(msg.boot ?? -1) ?? 0;
    // Only a message that answers this run's challenge is news of the peer (see liveness.ts): a
    // hello may be a replay. A node may thus shoot a peer whose hello came just before deadtime.
    const answers = node.state !== null && (msg.ackBoot === node.state.boot || (node.state.peer.challenge !== 0 && msg.answer === node.state.peer.challenge));
    if (node.clearedGeneration !== null && run > node.clearedGeneration && answers) node.clearedGeneration = null;
    // The newest message says whether the peer asks to be reset: a duplicate or a late copy of an
    // older one (lossy, reordering links) is not its current word.
    const newest = node.resetRequestFrom;
    if (answers && (!newest || run > newest.generation || (run === newest.generation && msg.seq > newest.seq))) {
      node.resetRequestFrom = { generation: run, seq: msg.seq };
      node.heardResetRequest = msg.resetMe === true;
    }
    // A copy on a slower path of a message already heard is no newer news of the peer.
    if (this.isNews(node, msg) && (node.clearedGeneration === null || run > node.clearedGeneration)) {
      node.lastHeardAt = this.now;
      node.heardRun = run;
      node.heardSeq = msg.seq;
    }
    if (msg.kind === 'shutdown' && answers) node.clearedGeneration = Math.max(node.clearedGeneration ?? 0, run);
    // (16): the peer's current run is speaking to this node, whether or not it hears this node.
    if (msg.boot === peer.boot && (run !== node.liveNewsRun || msg.seq > node.liveNewsSeq)) {
      node.liveNewsAt = this.now;
      node.liveNewsRun = run;
      node.liveNewsSeq = msg.seq;
    }
    // A lost-contact episode ends when either node hears the other's current run.
    if (msg.boot === peer.boot) {
      node.lastHeardCurrentAt = this.now;
      if (this.resetsThisEpisode > 0) this.note(`contact: a new episode begins`);
      this.resetsThisEpisode = 0;
    }
  }

  private carryOut(node: SimNode, effect: Effect, exiting: boolean): void {
    const peer = this.nodes[1 - node.index]!;
    switch (effect.type) {
      case 'send': {
        if (effect.message.kind === 'shutdown') node.noticeSentAt ??= this.now;
        if (exiting) {
          this.note(`${node.name}: exits before its shell sent ${describe(effect.message)}`);
          return;
        }
        if (effect.message.kind !== 'heartbeat') this.note(`${node.name}: send ${describe(effect.message)}`);
        if (effect.message.kind === 'release-done') {
          for (const g of effect.message.groups) {
            this.checkNotToFailed(node, g);
            this.checkHealthMoves(node, g);
          }
        }
        const paths = effect.path ? [effect.path] : Object.keys(this.links);
        if (peer.hbConfig) {
          // A Heartbeat node reads any twinbeat frame as a sign of life (a heartbeat is its `t=status`).
          const frame: HbFrame = { from: 'twinbeat', generation: effect.message.generation, seq: effect.message.seq, status: effect.message.kind === 'heartbeat' };
          if (!effect.path) node.rexmit?.sent(frame.seq, frame);
          for (const p of paths) this.transmitTo(node, p, (at, sentAt) => ({ kind: 'hb-frame', at, node: peer.index, path: p, frame, sentAt }));
          return;
        }
        for (const p of paths) this.transmit(node, p, effect.message);
        return;
      }
      case 'send-heartbeat': {
        if (exiting) {
          this.note(`${node.name}: exits before its shell sent ${effect.message.what}`);
          return;
        }
        this.note(`${node.name}: send-heartbeat ${describeOut(effect.message)}`);
        if (!peer.hbConfig) return;
        const frame: HbFrame = { from: 'twinbeat-words', message: effect.message };
        node.rexmit?.sent(effect.message.seq, frame);
        for (const p of Object.keys(this.links)) this.transmitTo(node, p, (at, sentAt) => ({ kind: 'hb-frame', at, node: peer.index, path: p, frame, sentAt }));
        return;
      }
      case 'start-group': {
        this.note(`${node.name}: start ${effect.group}`);
        this.noteArrival(node, effect.group);
        node.running.add(effect.group);
        node.failedStops.delete(effect.group);
        const ok = !this.rng.chance(this.startFailure);
        this.schedule({
          kind: 'group-done',
          at: this.now + this.rng.int(20, 600),
          node: node.index,
          incarnation: node.incarnation,
          group: effect.group,
          action: 'start',
          ok,
        });
        return;
      }
      case 'stop-group':
        this.note(`${node.name}: stop ${effect.group}`);
        if (node.failedStops.has(effect.group)) {
          throw new Violation(`(11) ${node.name} stops ${effect.group} again after its stop failed, without an escalation or a cleanup`);
        }
        this.scheduleStop(node, effect.group, this.rng.int(20, 400));
        return;
      case 'reset-peer': {
        this.note(`${node.name}: RESET ${peer.name}`);
        const asked = node.heardResetRequest;
        if (!asked && node.lastArrivalAt !== null && this.now - node.lastArrivalAt < this.deadtimeMs) {
          throw new Violation(
            `(3) ${node.name} resets ${peer.name}, whose last message reached it ${this.now - node.lastArrivalAt} ms ago (< deadtime)`,
          );
        }
        this.schedule({
          kind: 'reset-done',
          at: this.now + this.rng.int(100, 500),
          node: node.index,
          incarnation: node.incarnation,
          ok: !this.rng.chance(this.resetFailure),
        });
        return;
      }
      case 'check-group': {
        if (!node.running.has(effect.group)) throw new Violation(`${node.name} checks ${effect.group}, which it does not run`);
        this.schedule({
          kind: 'check-done',
          at: this.now + this.rng.int(5, 300),
          node: node.index,
          incarnation: node.incarnation,
          group: effect.group,
          // Decided when the answer comes back would be truer; decided here is what a status script saw.
          ok: !node.serviceDead.has(effect.group) && !node.brokenHere.has(effect.group),
        });
        return;
      }
      case 'probe-group':
        // Only a look at the LAN: nothing to check but that a node never probes what it runs.
        if (node.running.has(effect.group) && !node.stuck.has(effect.group)) throw new Violation(`${node.name} probes ${effect.group}, which it runs`);
        this.note(`${node.name}: probe ${effect.group}`);
        return;
      case 'announce-group':
        if (!node.running.has(effect.group)) throw new Violation(`${node.name} announces ${effect.group}, which it does not run`);
        this.note(`${node.name}: announce ${effect.group}`);
        return;
      case 'log':
        if (effect.about?.event === 'peer') this.checkNoticeArrived(node);
        this.note(`${node.name}: ${effect.level === 'info' ? '' : effect.level.toUpperCase() + ': '}${effect.text}`);
        return;
      case 'decision':
        this.checkConnectivityMove(node, effect.decision);
        this.checkMoveIsBetter(node, effect.decision);
        this.noteMoveReason(node, effect.decision);
        return;
      case 'exit': {
        const running = [...node.running].filter((g) => !node.stuck.has(g));
        if (running.length > 0) throw new Violation(`${node.name} exits while still running ${running.join(' ')}`);
        const leftover = [...node.stuck];
        this.powerOff(node, 'agent exited');
        for (const g of leftover) node.leftover.add(g);
        if (node.restartAfterExitMs >= 0) this.powerOnAt(node, this.now + node.restartAfterExitMs);
        return;
      }
    }
  }

  /**
   * A stop as the world sees it: it fails while the group's stop hangs on this node (after a
   * long while: the time limit) or, rarely, by chance; then the service goes on running.
   */
  private scheduleStop(node: SimNode, group: string, delay: number): void {
    const hangs = node.stopHangs.has(group);
    const fails = hangs || (this.stopFailure > 0 && this.stopRng!.chance(this.stopFailure));
    this.schedule({
      kind: 'group-done',
      at: this.now + (hangs ? 2000 + delay : delay),
      node: node.index,
      incarnation: node.incarnation,
      group,
      action: 'stop',
      ok: !fails || !node.running.has(group),
    });
  }

  /**
   * (12) A stop that failed is said at once, at error level, with what happens next: a reset
   * asked for, or what the operator must do. (11) From then on the core must not stop it
   * again in silence: only a cleanup or a new start of the group allows another stop.
   */
  private checkToldOfStopFailure(node: SimNode, group: string, before: CoreState, effects: Effect[]): void {
    if (before.groups[group]?.state !== 'stopping') return;
    node.failedStops.add(group);
    const told = effects.some((e) => e.type === 'decision' && e.decision.level === 'error' && e.decision.group === group && e.decision.cause === 'stop-failed');
    if (!told) throw new Violation(`(12) ${node.name}: the stop of ${group} failed and nothing told the operator what happens next`);
  }

  /** One frame on one path, with the path's loss, duplicates, delay and reordering. */
  // --- mixed pairs: Heartbeat's retransmission, both ways (src/wire/heartbeat-rexmit.ts) ---

  /** A numbered frame of the peer reached this node's transport: a gap is asked for a little later. */
  private heardForRexmit(n: SimNode, generation: number, seq: number): void {
    if (!n.rexmit) return;
    n.rexmit.heard(generation, seq, this.now);
    this.scheduleAsk(n);
  }

  private scheduleAsk(n: SimNode): void {
    const due = n.rexmit?.nextDue();
    if (due === undefined || (n.rexmitAskAt !== null && n.rexmitAskAt <= due)) return;
    n.rexmitAskAt = Math.max(due, this.now);
    this.schedule({ kind: 'hb-rexmit-ask', at: n.rexmitAskAt, node: n.index, token: n.bootToken });
  }

  private askForMissing(n: SimNode, item: { at: number; token: number }): void {
    if (!n.powered || !n.rexmit || item.token !== n.bootToken || item.at !== n.rexmitAskAt) return;
    n.rexmitAskAt = null;
    // A stalled process asks nothing until it runs again.
    if (this.now < n.stalledUntil) {
      n.rexmitAskAt = n.stalledUntil;
      this.schedule({ kind: 'hb-rexmit-ask', at: n.stalledUntil, node: n.index, token: n.bootToken });
      return;
    }
    for (const [first, last] of n.rexmit.due(this.now)) this.sendRexmitWords(n, { what: 'rexmit', first, last });
    this.scheduleAsk(n);
  }

  private sendRexmitWords(n: SimNode, words: RetransmissionWords): void {
    if (words.what === 'rexmit') this.note(`${n.name}: asks for ${words.first}..${words.last} again (NS_rexmit)`);
    for (const path of Object.keys(this.links)) this.transmitTo(n, path, (at) => ({ kind: 'hb-rexmit', at, node: 1 - n.index, path, words }));
  }

  /** A request reaches a node's transport: it sends the frames again on every path (a stalled process answers nothing; the peer asks again). */
  private rexmitArrives(n: SimNode, path: string, words: RetransmissionWords): void {
    if (!n.powered || !n.rexmit || this.now < n.stalledUntil) return;
    if (words.what === 'nak') return n.rexmit.refusedByPeer(words.refused);
    const { again, refused } = n.rexmit.requested(words.first, words.last, this.now);
    const peer = this.nodes[1 - n.index]!.index;
    for (const frame of again) {
      for (const p of Object.keys(this.links)) {
        if ('what' in frame) this.transmitTo(n, p, (at, sentAt) => ({ kind: 'hb-news', at, node: peer, path: p, news: frame, sentAt }));
        else this.transmitTo(n, p, (at, sentAt) => ({ kind: 'hb-frame', at, node: peer, path: p, frame, sentAt }));
      }
    }
    if (again.length > 0) this.note(`${n.name}: sends ${again.length} frame(s) again for ${words.first}..${words.last} (asked on ${path})`);
    for (const seq of refused) this.sendRexmitWords(n, { what: 'nak', refused: seq });
  }

  private transmitTo(from: SimNode, path: string, make: (at: number, sentAt: number) => NewItem): void {
    const link = this.links[path]![from.index]!;
    if (link.cut || this.rng.chance(link.loss)) return;
    const copies = this.rng.chance(link.duplicate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      let at = this.now + this.rng.int(link.minDelay, link.maxDelay);
      // A serial line and a quiet LAN keep frames in the order they were sent (Heartbeat sends an
      // exchange's steps back to back); only a lossy path's reordering holds one back.
      if (this.rng.chance(link.reorder)) at += this.rng.int(50, 1500);
      else at = Math.max(at, link.lastSentArrival ?? -Infinity);
      if (at > (link.lastSentArrival ?? -Infinity)) link.lastSentArrival = at;
      this.schedule(make(at, this.now));
    }
  }

  private transmit(from: SimNode, path: string, message: Message): void {
    const link = this.links[path]![from.index]!;
    if (link.cut || this.rng.chance(link.loss)) return;
    const copies = this.rng.chance(link.duplicate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      let delay = this.rng.int(link.minDelay, link.maxDelay);
      if (this.rng.chance(link.reorder)) delay += this.rng.int(50, 1500);
      this.schedule({ kind: 'arrive', at: this.now + delay, node: 1 - from.index, path, message, sentAt: this.now });
    }
  }

  /**
   * (2) A takeover from a silent peer needs a successful reset first, when a device exists.
   * "Takeover" is the moment a node gains the right to run a group (its token); restarting a
   * group it already had the right to (after a failed start) takes nothing from the peer.
   */
  /** Last connectivity move of each group: (7) no flapping, at most one per deadping. */
  private readonly connectivityMoves = new Map<string, number>();

  private checkConnectivityMove(node: SimNode, d: Decision): void {
    if (d.kind !== 'handover' || d.cause !== 'ping' || d.group === undefined) return;
    const deadping = node.config.deadpingMs ?? node.config.deadtimeMs;
    const last = this.connectivityMoves.get(d.group);
    if (last !== undefined && this.now - last < deadping) {
      throw new Violation(`(7) ${d.group} moved for connectivity twice within deadping (${this.now - last} ms)`);
    }
    this.connectivityMoves.set(d.group, this.now);
  }

  /**
   * (8) A group moved for a health reason (ping nodes, carrier, failed checks) never goes to a
   * peer that is worse off: one reaching fewer ping targets, one whose same interface has no
   * carrier. The node knows of a change on the peer only once a message sent after it has
   * arrived, and of its own changes at once unless it was stalled.
   */
  private checkMoveIsBetter(node: SimNode, d: Decision): void {
    if (d.kind !== 'handover' || !HEALTH_CAUSES.has(d.cause) || d.group === undefined) return;
    const group = d.group;
    const peer = this.nodes[1 - node.index]!;
    if (!peer.powered || !peer.state) return;
    const unknown = (peerChangedAt: number) => peerChangedAt >= node.heardSentAt || this.now - peer.resumedAt < 1500 || this.now - node.resumedAt < 1500;
    if (d.cause === 'ping' && peer.reach <= node.reach && !unknown(peer.reachChangedAt)) {
      throw new Violation(`(8) ${node.name} hands ${group} to ${peer.name} for ping nodes, but ${peer.name} reaches ${peer.reach} and ${node.name} ${node.reach}`);
    }
    const dead = d.interfaces?.find((i) => peer.down.includes(i));
    if (dead && !unknown(peer.downChangedAt)) {
      throw new Violation(`(8) ${node.name} hands ${group} to ${peer.name} for carrier, but ${dead} has no carrier on ${peer.name} either`);
    }
  }

  /**
   * (15) A flapping cause does not bounce a group: within any flap_window it makes at most
   * flap_limit health moves. Counted: a failback that undoes a health move (the group went to the
   * peer because its holder lost carrier, ping targets or its checks), and a move forced off a
   * holder that got the group by such a failback. Not counted: a move forced off a holder that got
   * the group any other way (by a forced move too, as when both nodes fail in turn, or by a
   * takeover): moving it is the only way to keep it served, and no choice bounced it there.
   */
  private readonly moveReason = new Map<string, 'forced' | 'failback'>();
  private readonly lastMove = new Map<string, { kind: 'forced' | 'failback' | 'other'; to: number }>();
  private readonly healthMoves = new Map<string, number[]>();

  private noteMoveReason(node: SimNode, d: Decision): void {
    const forced = d.kind === 'handover' && HEALTH_CAUSES.has(d.cause);
    if (d.group !== undefined && (forced || d.kind === 'failback')) this.moveReason.set(`${node.index} ${d.group}`, forced ? 'forced' : 'failback');
  }

  /** The group starts on a node it did not move to by a handover: a takeover, not a health move. */
  private noteArrival(node: SimNode, group: string): void {
    if (this.lastMove.get(group)?.to !== node.index) this.lastMove.set(group, { kind: 'other', to: node.index });
  }

  private checkHealthMoves(node: SimNode, group: string): void {
    const key = `${node.index} ${group}`;
    const reason = this.moveReason.get(key);
    this.moveReason.delete(key);
    const last = this.lastMove.get(group);
    const cameBy = last?.to === node.index ? last.kind : 'other';
    const counted = (reason === 'failback' && cameBy === 'forced') || (reason === 'forced' && cameBy === 'failback');
    this.lastMove.set(group, { kind: reason === 'forced' ? 'forced' : counted ? 'failback' : 'other', to: 1 - node.index });
    const { flapLimit = 0, flapWindowMs = 0 } = node.config;
    if (!counted || flapLimit === 0) return;
    const recent = [...(this.healthMoves.get(group) ?? []).filter((t) => this.now - t < flapWindowMs), this.now];
    this.healthMoves.set(group, recent);
    if (recent.length > flapLimit) {
      throw new Violation(`(15) ${group} moved for health reasons ${recent.length} times within ${flapWindowMs} ms (flap_limit ${flapLimit})`);
    }
  }

  /** (8) A group is never handed to a peer where it is marked failed (it would not run there). */
  private checkNotToFailed(node: SimNode, group: string): void {
    const peer = this.nodes[1 - node.index]!;
    if (peer.powered && peer.state?.groups[group]?.monitorFailed) {
      throw new Violation(`(8) ${node.name} hands ${group} to ${peer.name}, where it is marked failed`);
    }
  }

  /**
   * (9) A node that shuts down while it hears its peer, with a path that carries every message
   * both ways, must not leave its peer waiting for deadtime: the peer learns of the shutdown and
   * never declares that run of the node dead. Recorded at the exit; void if the paths change.
   */
  private owedNotice: { peer: number; incarnation: number; generation: number; linksChangedAt: number } | null = null;
  /** When a fault last cut, healed or degraded a path. */
  private linksChangedAt = 0;

  private expectNotice(node: SimNode, before: CoreState): void {
    const peer = this.nodes[1 - node.index]!;
    this.owedNotice = null;
    // The paths must have been as they are since the first notice was sent.
    const since = node.noticeSentAt ?? this.now;
    if (before.contact !== 'alive' || !peer.powered || !this.cleanPathExists() || this.linksChangedAt > since) return;
    this.owedNotice = { peer: peer.index, incarnation: peer.incarnation, generation: node.boot, linksChangedAt: this.linksChangedAt };
  }

  private checkNoticeArrived(node: SimNode): void {
    const owed = this.owedNotice;
    if (!owed || owed.peer !== node.index || owed.incarnation !== node.incarnation) return;
    const leaver = this.nodes[1 - node.index]!;
    if (node.state?.peer.boot !== owed.generation) return;
    if (this.linksChangedAt !== owed.linksChangedAt) return;
    throw new Violation(`(9) ${node.name} declares ${leaver.name} dead after it shut down gracefully over a working path: the shutdown notice never arrived`);
  }

  private cleanPathExists(): boolean {
    return Object.values(this.links).some((pair) => pair.every((l) => !l.cut && l.loss === 0));
  }

  private linkConditions(): string {
    return JSON.stringify(Object.values(this.links).map((pair) => pair.map((l) => [l.cut, l.loss])));
  }

  /** The node's tracked interfaces lose or regain carrier. */
  setCarrier(node: SimNode, down: string[]): void {
    node.down = down;
    node.downChangedAt = this.now;
    if (node.powered && node.state) this.feed(node, { type: 'carrier', now: this.now, down });
  }

  /** The node's real reachability changes (a ping node lost or regained). */
  setReach(node: SimNode, reach: number): void {
    node.reach = reach;
    node.reachChangedAt = this.now;
    if (node.powered && node.state) this.feed(node, { type: 'reachability', now: this.now, reachable: reach });
  }

  /**
   * (10) A group this node has given up (no token) is `released` here, or `stop-failed` (it
   * would not stop and may still run: the escalation deals with it), or a leftover of an
   * earlier run being stopped: a `failed` or running
   * state without the token is one nothing clears (status shows it for good, cleanup cannot
   * reach it). Failures are remembered by the marks, which the peer is told.
   */
  private checkReleasedWithoutToken(node: SimNode, state: CoreState): void {
    for (const [id, slot] of Object.entries(state.groups)) {
      const leftover = slot.state === 'stopping' && slot.reason === 'leftover';
      if (!slot.token && slot.state !== 'released' && slot.state !== 'stop-failed' && !leftover) throw new Violation(`(10) ${node.name} has given ${id} up but its state here is ${slot.state}`);
    }
  }

  /**
   * (16) Without a reset device, a node does not judge its peer dead (and take its groups) while
   * the peer's current run is reaching it with new messages, answered or not: that peer may not
   * hear this node (a one-way path) and will take over itself, so both would run the groups.
   */
  private checkNotDeadWhileSpeaking(node: SimNode, before: CoreState, after: CoreState): void {
    // A leaving node that judges its peer dead takes nothing: it exits.
    if (this.hasResetDevice || node.forced || after.mode === 'leaving' || after.contact !== 'dead' || before.contact === 'dead' || before.contact === 'left') return;
    if (node.liveNewsAt !== null && this.now - node.liveNewsAt < this.deadtimeMs) {
      throw new Violation(`(16) ${node.name} judges its peer dead ${this.now - node.liveNewsAt} ms after a new message of the peer's current run reached it (deadtime ${this.deadtimeMs} ms)`);
    }
  }

  private checkTakeover(node: SimNode, before: CoreState, after: CoreState): void {
    // The taker's own device counts: a mixed pair's twinbeat node may have one beside a Heartbeat node without.
    if (!node.config.canResetPeer || node.forced) return;
    const heard = node.lastHeardAt !== null && this.now - node.lastHeardAt < this.deadtimeMs;
    if (heard || node.clearedGeneration !== null) return;
    for (const g of node.config.groups) {
      if (!before.groups[g.id]!.token && after.groups[g.id]!.token) {
        throw new Violation(`(2) ${node.name} takes ${g.id} while its peer is silent and was neither reset nor shut down`);
      }
    }
  }

  /** Some path delivered in both directions within deadtime: the nodes can hear each other. */
  anyPathWorks(): boolean {
    for (const id in this.links) {
      const [a, b] = this.links[id]!;
      if (this.now - a.lastDeliveredAt < this.deadtimeMs && this.now - b.lastDeliveredAt < this.deadtimeMs) return true;
    }
    return false;
  }

  /** (1) Never two holders; without a reset device, only after lost contact and briefly. */
  private checkHolders(): void {
    const [a, b] = this.nodes;
    const works = this.anyPathWorks();
    if (works && this.workingSince === null) this.workingSince = this.now;
    if (!works) this.workingSince = null;
    // A service left running by an exited agent still runs: it counts.
    const holds = (n: SimNode, g: string) => (n.powered ? n.running.has(g) : n.leftover.has(g));
    for (const g of a.config.groups) {
      const dual = holds(a, g.id) && holds(b, g.id);
      if (!dual) {
        delete this.dualSince[g.id];
        continue;
      }
      // on_stop_failure handover: the rule lets the peer run a group whose stop failed here.
      if (this.stopRule === 'handover' && (a.stuck.has(g.id) || b.stuck.has(g.id) || a.leftover.has(g.id) || b.leftover.has(g.id))) continue;
      if (this.hasResetDevice) throw new Violation(`(1) both nodes hold ${g.id} (a reset device is configured)`);
      if (this.dualSince[g.id] === undefined) {
        this.dualSince[g.id] = this.now;
        // Mixed pairs: where Heartbeat v1 itself, or a pending core bug, starts a second copy (mixed-checks.ts).
        if (works && !this.mixedChecks?.dualMayStart()) throw new Violation(`(1) both nodes hold ${g.id} while a path between them works`);
      }
      const bound = 2 * this.deadtimeMs + 2000;
      // Two copies left by lost contact, one of which would not stop (said, see (12)): only the operator can end it.
      // Mixed pairs: what Heartbeat v1 itself, or a pending core bug, keeps running (mixed-checks.ts).
      const stopFailed = a.stuck.has(g.id) || b.stuck.has(g.id) || this.mixedChecks?.dualMayLast(g.id) === true;
      if (this.workingSince !== null && this.now - this.workingSince > bound && !stopFailed) {
        throw new Violation(`(1) both nodes still hold ${g.id} ${this.now - this.workingSince} ms after a path works again`);
      }
    }
  }
}

export function describeNews(n: HeartbeatNews): string {
  const rest = Object.entries(n).filter(([k]) => k !== 'what' && k !== 'generation' && k !== 'seq').map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`);
  return `${n.what} ${rest.join(' ')} gen=${n.generation} seq=${n.seq}`;
}

function describeOut(m: { what: string; generation: number; seq: number }): string {
  const rest = Object.entries(m).filter(([k]) => k !== 'what' && k !== 'generation' && k !== 'seq').map(([k, v]) => `${k}=${String(v)}`);
  return `${m.what} ${rest.join(' ')} seq=${m.seq}`;
}

export function describe(m: Message): string {
  const extra = 'groups' in m ? ` [${m.groups.join(' ')}]` : '';
  return `${m.kind}${extra} gen=${m.generation} seq=${m.seq} ack=${m.ackGeneration} mode=${m.mode} held=[${m.held.join(' ')}] granted=[${m.granted.join(' ')}]`;
}
