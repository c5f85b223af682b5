// The shell around the core: turns timers, peer messages, operator commands and the results
// of slow work into core events, one at a time, and carries out the core's effects in order.
// It decides nothing. Slow work (resource scripts, the reset device) runs in the background
// and reports back as an event, so a heartbeat is never late because of it.
import { nextDeadline, initialState, step, coreConfigFrom, type AdminCommand, type CoreEvent, type CoreState, type Effect } from '../core';
import type { Config } from '../config/types';
import type { Logger, LogLevel } from '../log';
import { checkGroup, startGroup, stopGroup } from '../resources/group';
import type { GroupOutcome } from '../resources/group';
import type { ManagedResource } from '../resources/resource';
import { releaseLeftover } from './leftovers';
import { newBootNumber } from './generation';
import type { ClusterEvent, Decision, FenceAnswer, ResetDeviceHealth, StatusSnapshot } from '../snapshot';
import { shown } from '../printable';
import { decisionSnapshot, eventOfDecision, eventOfLog } from './events';
import { buildSnapshot, type SnapshotContext } from './snapshot';
import type { PeerTransport } from './transport';
import { finishTrace, KEPT_TRACES, traceLine, type RawMark } from './takeover-trace';
import type { TakeoverTrace } from '../snapshot';

export interface ResetOutcome {
  ok: boolean;
  detail: string;
}

export interface AgentDeps {
  config: Config;
  logger: Logger;
  transport: PeerTransport;
  groups: Map<string, ManagedResource[]>;
  generation: number;
  /** This run's random boot number (src/agent/generation.ts newBootNumber); default: one drawn here. */
  boot?: number;
  /** Conditions found at start-up that an operator must fix (shown in status until the next start). */
  problems?: string[];
  version: string;
  /** Power-cycles the peer; absent when no reset device is wired to this node. */
  resetPeer?: () => Promise<ResetOutcome>;
  /** Monotonic milliseconds (default performance.now). */
  clock?: () => number;
  /** Called with a fresh snapshot after every step that changed something. */
  onSnapshot?: (snapshot: StatusSnapshot) => void;
  /** This node's reset device and its health, for `twinbeat status`. */
  resetDevice?: () => ResetDeviceHealth;
  /** Called after each heartbeat is handed to the transport (systemd's watchdog is fed from here only). */
  onHeartbeat?: (now: number) => void;
  /** More counters for `twinbeat status` and MQTT (the reset device's shots, ...). */
  counters?: () => Record<string, number>;
  /** Called for each failover, handover, reset, path or peer change and resource failure. */
  onEvent?: (event: ClusterEvent) => void;
}

/** The parts of a snapshot whose change is news (not the ages and timestamps that move every tick). */
function significantPart(s: StatusSnapshot): string {
  return JSON.stringify([s.role, s.peer.state, s.peer.generation, s.paths.map((p) => p.state), s.groups, s.lastDecision?.text, s.lastDecision?.at]);
}

/**
 * Node's timers hold at most 2^31-1 ms (24.8 days); a longer delay fires after 1 ms instead,
 * with a TimeoutOverflowWarning, in a loop. Config times are at most a day, so this never binds
 * today; a deadline further off wakes the core early, which then finds nothing due and waits again.
 */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A script's output over several lines, as one log line (a reader greps lines, as in Heartbeat's log). */
const oneLine = (text: string) => text.replace(/\s*\n\s*/g, '; ');

const LEVELS: Record<'info' | 'warn' | 'error', LogLevel> = { info: 'info', warn: 'warn', error: 'ERROR' };

export class Agent {
  private state: CoreState;
  private timer: NodeJS.Timeout | undefined;
  /** The core's deadline the armed timer is for. */
  private timerDue: number | undefined;
  private lastDecision: Decision | undefined;
  /** What reporters last heard about, so they hear only of changes (not of every tick). */
  private reportedSignature = '';
  private halted = false;
  private readonly startedAt = new Date();
  private readonly clock: () => number;
  private exitResolve!: () => void;
  /** The peer's silence judged (performance.now()) and when it was last heard, until it is heard again. */
  private silence: { at: number; lastHeard: number } | undefined;
  /** A decision of the step being carried out (performance.now()). */
  private stepDecision: number | undefined;
  /** Finished traces of group starts, oldest first (at most KEPT_TRACES). */
  private readonly traces: TakeoverTrace[] = [];
  /** Resolves when the core says graceful shutdown is complete. */
  readonly exited: Promise<void> = new Promise((resolve) => (this.exitResolve = resolve));

  constructor(private readonly deps: AgentDeps) {
    // Whole milliseconds: the core's times are ms, and it prints them in its log lines
    // ("retrying in 1979 ms", not "retrying in 1978.8017449999998 ms").
    this.clock = deps.clock ?? (() => Math.round(performance.now()));
    this.state = initialState(coreConfigFrom(deps.config));
  }

  /**
   * Opens the paths and feeds the core its first event; then releases what an earlier run left
   * of each group beside the heartbeats (never before them: a stop that hangs must not keep the
   * node out of the pair), each reported to the core as a stop.
   */
  async start(): Promise<void> {
    await this.deps.transport.start(
      (path, message) => this.dispatch({ type: 'message', now: this.clock(), path, message }),
      (path, news) => this.dispatch({ type: 'heartbeat-peer', now: this.clock(), path, news }),
    );
    const releasing = [...this.deps.groups.keys()];
    this.dispatch({ type: 'start', now: this.clock(), generation: this.deps.generation, boot: this.deps.boot ?? newBootNumber(), releasing });
    for (const group of releasing) {
      void this.reportOutcome(group, 'stop', releaseLeftover(group, this.deps.groups.get(group) ?? [], this.deps.logger));
    }
  }

  /** One event in, its effects out, the next tick scheduled. Never re-entered: effects run after. */
  dispatch(event: CoreEvent): void {
    if (this.halted) return;
    const before = this.state.contact;
    const { state, effects } = step(this.state, event);
    this.state = state;
    this.noteContact(before);
    this.stepDecision = undefined;
    for (const effect of effects) this.execute(effect);
    this.scheduleTick();
    if (this.deps.onSnapshot) {
      // Whether there is news is read from the state's part of a snapshot; the counters, problems
      // and traces (each gathered anew, on every heartbeat heard or sent) only when there is.
      const signature = significantPart(this.stateSnapshot());
      if (signature !== this.reportedSignature) {
        this.reportedSignature = signature;
        this.deps.onSnapshot(this.snapshot());
      }
    }
  }

  /** For the takeover trace: when the peer's silence was judged, and when it was last heard then. */
  private noteContact(before: CoreState['contact']): void {
    const now = this.state.contact;
    if (before === 'alive' && (now === 'lost' || now === 'dead')) {
      const at = performance.now();
      this.silence = { at, lastHeard: at - (this.clock() - this.state.peer.lastHeardAt) };
    } else if (now === 'alive') this.silence = undefined;
  }

  private scheduleTick(): void {
    const due = nextDeadline(this.state);
    const wanted = due === null || !Number.isFinite(due) ? undefined : due;
    // Most events leave the next deadline where it was (the peer's heartbeat moves its own
    // deadline, not the next send): the armed timer stays, rather than a timer cancelled and
    // made again for each of them.
    if (wanted === this.timerDue) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = wanted;
    if (wanted === undefined) return;
    // +1 ms: a timer may fire a hair early by the monotonic clock; the core must see the deadline passed.
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, wanted - this.clock()) + 1);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerDue = undefined;
      this.dispatch({ type: 'tick', now: this.clock() });
    }, delay);
  }

  private execute(effect: Effect): void {
    switch (effect.type) {
      case 'send':
        this.deps.transport.send(effect.message, effect.path);
        if (effect.message.kind === 'heartbeat') this.deps.onHeartbeat?.(this.clock());
        break;
      case 'send-heartbeat':
        this.deps.transport.sendHeartbeat?.(effect.message);
        break;
      case 'start-group':
        void this.runGroup(effect.group, 'start', this.openTrace());
        break;
      case 'stop-group':
        void this.runGroup(effect.group, 'stop');
        break;
      case 'reset-peer':
        void this.resetPeer();
        break;
      case 'announce-group':
        void this.announceGroup(effect.group);
        break;
      case 'probe-group':
        for (const resource of this.deps.groups.get(effect.group) ?? []) resource.probe?.();
        break;
      case 'check-group':
        void this.checkGroup(effect.group);
        break;
      case 'log':
        this.deps.logger.log(LEVELS[effect.level], effect.text);
        this.report(eventOfLog(effect.text, effect.about, this.where, new Date()));
        break;
      case 'decision':
        this.stepDecision = performance.now();
        this.lastDecision = decisionSnapshot(effect.decision, new Date());
        this.report(eventOfDecision(effect.decision, this.where, new Date()));
        break;
      case 'exit':
        this.stopTimers();
        this.exitResolve();
        break;
    }
  }

  private get where(): { cluster: string; node: string } {
    return { cluster: this.deps.config.cluster, node: this.deps.config.localNode };
  }

  private report(event: ClusterEvent | undefined): void {
    if (event && this.deps.onEvent) this.deps.onEvent(event);
  }

  /** The first marks of a group start's trace: what led to it, and the start asked now. */
  private openTrace(): RawMark[] {
    const marks: RawMark[] = [];
    if (this.silence) marks.push({ step: 'last-heard', at: this.silence.lastHeard }, { step: 'silence-judged', at: this.silence.at });
    if (this.stepDecision !== undefined) marks.push({ step: 'decision', at: this.stepDecision });
    marks.push({ step: 'start-asked', at: performance.now() });
    return marks;
  }

  private runGroup(group: string, action: 'start' | 'stop', trace?: RawMark[]): Promise<void> {
    const resources = this.deps.groups.get(group) ?? [];
    return this.reportOutcome(group, action, action === 'start' ? startGroup(resources) : stopGroup(resources), trace);
  }

  /** Completes a start's trace from its steps' marks, logs it and keeps it for `twinbeat status`. */
  private closeTrace(group: string, outcome: GroupOutcome, marks: RawMark[]): void {
    for (const s of outcome.steps) {
      if (s.action !== 'start') continue;
      marks.push(...(s.result.marks ?? []));
      if (s.result.ok) marks.push({ step: 'resource-started', at: s.endedAt, detail: s.resource });
    }
    marks.push({ step: outcome.ok ? 'group-held' : 'group-failed', at: performance.now() });
    const trace = finishTrace(group, marks);
    this.traces.push(trace);
    if (this.traces.length > KEPT_TRACES) this.traces.shift();
    this.deps.logger.log('info', traceLine(trace));
  }

  /** Logs each step of a group's start or stop and feeds the core its result. */
  private async reportOutcome(group: string, action: 'start' | 'stop', running: Promise<GroupOutcome>, trace?: RawMark[]): Promise<void> {
    const outcome = await running;
    if (trace) this.closeTrace(group, outcome, trace);
    for (const s of outcome.steps) {
      const level: LogLevel = s.result.ok ? 'info' : 'ERROR';
      const detail = s.result.detail ? ` ${oneLine(s.result.detail)}` : '';
      this.deps.logger.log(level, `${s.action === 'start' ? 'Starting' : 'Stopping'} ${s.resource}: ${s.result.ok ? 'ok' : 'FAILED'} (${s.result.durationMs} ms)${detail}`);
    }
    const detail = outcome.ok ? undefined : `${outcome.failed}: ${oneLine(outcome.steps.find((s) => !s.result.ok)?.result.detail ?? '')}`;
    this.dispatch({ type: 'group-result', now: this.clock(), group, action, ok: outcome.ok, ...(detail ? { detail } : {}) });
  }

  /** One check of a held group (monitor_interval), bounded by monitor_timeout; the core judges the answer. */
  private async checkGroup(group: string): Promise<void> {
    const result = await checkGroup(this.deps.groups.get(group) ?? [], this.deps.config.monitor.timeoutMs).catch((err: unknown) => ({ ok: false, detail: String(err) }));
    this.dispatch({ type: 'check-result', now: this.clock(), group, ok: result.ok, detail: result.detail });
  }

  private async announceGroup(group: string): Promise<void> {
    for (const resource of this.deps.groups.get(group) ?? []) {
      const result = await resource.announce?.();
      if (result && !result.ok) this.deps.logger.log('warn', `Announcing ${resource.name} failed: ${result.detail}`);
    }
  }

  private async resetPeer(): Promise<void> {
    const outcome: ResetOutcome = this.deps.resetPeer
      ? await this.deps.resetPeer().catch((err: unknown) => ({ ok: false, detail: String(err) }))
      : { ok: false, detail: 'no reset device is configured for this node' };
    this.dispatch({ type: 'reset-result', now: this.clock(), ok: outcome.ok, detail: outcome.detail });
  }

  admin(command: AdminCommand): string {
    this.dispatch({ type: 'admin', now: this.clock(), command });
    return this.answer();
  }

  /** `twinbeat fence`: what the core decided, and whether that is a reset now under way. */
  fence(): FenceAnswer {
    this.dispatch({ type: 'admin', now: this.clock(), command: 'fence' });
    return { said: this.answer(), resetting: this.lastDecision?.code === 'reset-by-operator' };
  }

  /** What an operator's command is told: the core's last decision and why. */
  private answer(): string {
    return this.lastDecision ? `${this.lastDecision.text}${this.lastDecision.reason ? `: ${this.lastDecision.reason}` : ''}` : 'done';
  }

  /** `twinbeat cleanup GROUP`: forget the group's failures here. Answers with what the core decided. */
  cleanup(group: string): string {
    if (!this.deps.config.groups.some((g) => g.id === group)) {
      throw new Error(`no resource group ${shown(group)}; the groups are: ${this.deps.config.groups.map((g) => g.id).join(' ') || '(none)'}`);
    }
    this.dispatch({ type: 'cleanup', now: this.clock(), group });
    return this.answer();
  }

  /** Which tracked interfaces have no carrier now (from the carrier watcher). */
  carrier(down: string[]): void {
    this.dispatch({ type: 'carrier', now: this.clock(), down });
  }

  /** How many ping targets this node reaches now (from the ping watcher). */
  reachability(reachable: number): void {
    this.dispatch({ type: 'reachability', now: this.clock(), reachable });
  }

  /** Graceful shutdown: the core stops every group, tells the peer, then says exit. */
  requestShutdown(): void {
    this.dispatch({ type: 'shutdown', now: this.clock() });
  }

  /** What every snapshot is built from: the state, the last decision, who this is. */
  private stateContext(): SnapshotContext {
    return {
      config: this.deps.config,
      state: this.state,
      now: this.clock(),
      ...(this.lastDecision ? { lastDecision: this.lastDecision } : {}),
      version: this.deps.version,
      startedAt: this.startedAt,
      counters: {},
    };
  }

  /** A snapshot of the state alone (what significantPart reads), without counters, problems or traces. */
  private stateSnapshot(): StatusSnapshot {
    return buildSnapshot(this.stateContext());
  }

  snapshot(): StatusSnapshot {
    return buildSnapshot({
      ...this.stateContext(),
      counters: { ...this.deps.transport.counters(), ...this.deps.counters?.() },
      ...(this.deps.resetDevice ? { resetDevice: this.deps.resetDevice() } : {}),
      problems: [...(this.deps.problems ?? []), ...(this.deps.transport.problems?.() ?? [])],
      ...(this.traces.length > 0 ? { takeovers: [...this.traces] } : {}),
    });
  }

  /** Stops the timers and closes the paths without telling the peer (after exit, or a simulated crash). */
  async halt(): Promise<void> {
    this.stopTimers();
    this.halted = true;
    await this.deps.transport.stop();
  }

  private stopTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = undefined;
  }

  /** For tests and the demo: the core's current state. */
  get coreState(): CoreState {
    return this.state;
  }
}
