// twinbeat run the way the baselines run Heartbeat and keepalived (issue 23): the same namespace
// pair (BaselinePair), the same client, the same faults (powerOff: everything in the node frozen,
// its links down, then killed -9; stopDaemon: SIGTERM), so that `npm run bench compare` puts the
// three side by side with nothing but the daemon changed. The pair is wired in the tutorial's
// shape (`bcast eth1` + `ucast eth1`, as the Heartbeat baseline), with twinbeat's defaults
// (the service interface's carrier tracked, the group checked every 10 s).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CROSSOVER, LAN } from '../helpers/netns';
import { BUNDLE, spawnWatched, type Watched } from '../helpers/pair';
import { BaselineSession, HOLDER, runBaseline, waitUntil, type BaselineOp, type BaselineResult, type Node } from './baseline-common';
import type { StatusSnapshot, TakeoverTrace } from '../../src/snapshot';

const UNIT = resolve('firmware-scripts/twinbeat.service');

export interface TwinbeatOptions {
  keepalive: string;
  deadtime: string;
  runs: number;
  ops: readonly BaselineOp[];
  log?: (line: string) => void;
  /** Told, after each power loss, when the cut was (epoch ms) and node b's trace of the takeover. */
  onPowerLoss?: (cutAt: number, trace: TakeoverTrace | undefined) => void;
  /**
   * Run the agents as systemd runs the unit (Type=notify, WatchdogSec=): NOTIFY_SOCKET names a
   * datagram socket (socat stands in for PID 1 and drops what it receives) and WATCHDOG_USEC is
   * the unit's, so that the agent reports its status and pings the watchdog (one systemd-notify
   * process every WatchdogSec / 2) as it does on an appliance. socat answers no barrier, so
   * each systemd-notify waits for it until its 5 s limit (asleep) and the agent logs that once.
   */
  systemd?: boolean;
  /** Another build of the agent (a copy of build/twinbeat.js: a before/after comparison). */
  bundle?: string;
  /** Node flags instead of the unit's (agentNodeFlags()). */
  nodeFlags?: string[];
  /** More environment for the agents (UV_THREADPOOL_SIZE, ...). */
  env?: Record<string, string>;
}

/** The unit's WatchdogSec= in microseconds (WATCHDOG_USEC), 0 when it has none. */
export function unitWatchdogUsec(unitText: string): number {
  const value = /^WatchdogSec=(\S+)/m.exec(unitText)?.[1];
  if (!value) return 0;
  const m = /^(\d+)(ms|s|min)?$/.exec(value);
  if (!m) return 0;
  return Number(m[1]) * (m[2] === 'ms' ? 1e3 : m[2] === 'min' ? 60e6 : 1e6);
}

/** ha.cf times as ms: `300ms`, `1s`, `2` (seconds). */
export function haMs(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(value.trim());
  if (!m) throw new Error(`not a time: ${value}`);
  return m[2] === 'ms' ? Number(m[1]) : Number(m[1]) * 1000;
}

/** The Node flags of the systemd unit's ExecStart (`/usr/bin/node FLAGS /opt/twinbeat/twinbeat.js run`). */
export function unitNodeFlags(unitText: string): string[] {
  const exec = /^ExecStart=(.*)$/m.exec(unitText)?.[1]?.trim().split(/\s+/) ?? [];
  const script = exec.findIndex((word) => word.endsWith('twinbeat.js'));
  return script > 0 ? exec.slice(1, script) : [];
}

/**
 * The unit's scheduling (CPUSchedulingPolicy=rr or fifo, CPUSchedulingPriority=,
 * CPUSchedulingResetOnFork=, Nice=) as a command prefix (chrt, nice), so that a bench's agent
 * runs as the unit runs it.
 */
export function unitScheduling(unitText: string): string[] {
  const value = (key: string) => new RegExp(`^${key}=(\\S+)`, 'm').exec(unitText)?.[1];
  const prefix: string[] = [];
  const nice = value('Nice');
  if (nice) prefix.push('nice', '-n', nice);
  const policy = value('CPUSchedulingPolicy');
  if (policy === 'rr' || policy === 'fifo') {
    prefix.push('chrt', ...(value('CPUSchedulingResetOnFork') === 'yes' ? ['--reset-on-fork'] : []), policy === 'rr' ? '--rr' : '--fifo', value('CPUSchedulingPriority') ?? '1');
  }
  return prefix;
}

/**
 * Node flags for the agents under test: the unit's, so that the figures are those of the agent
 * as it ships, then TWINBEAT_BENCH_NODE_FLAGS (space-separated) for a look inside a bench's run:
 * `--cpu-prof --cpu-prof-dir=DIR`, `--heap-prof`, V8's memory flags. Node refuses the profilers
 * in NODE_OPTIONS, hence a variable of the bench's own. TWINBEAT_BENCH_UNIT_FLAGS=0 leaves the
 * unit's flags and scheduling out (to measure without them).
 */
export function agentNodeFlags(): string[] {
  const unit = process.env.TWINBEAT_BENCH_UNIT_FLAGS === '0' ? [] : unitNodeFlags(readFileSync(UNIT, 'utf8'));
  return [...unit, ...(process.env.TWINBEAT_BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean)];
}

/**
 * How the unit starts Node, for a process that must run as the agent does (the bench's floor):
 * the scheduling prefix and the unit's Node flags; none with TWINBEAT_BENCH_UNIT_FLAGS=0.
 */
export function asTheUnitRuns(): { prefix: string[]; nodeFlags: string[] } {
  if (process.env.TWINBEAT_BENCH_UNIT_FLAGS === '0') return { prefix: [], nodeFlags: [] };
  const unit = readFileSync(UNIT, 'utf8');
  return { prefix: unitScheduling(unit), nodeFlags: unitNodeFlags(unit) };
}

export class TwinbeatPair extends BaselineSession {
  private readonly agents: Partial<Record<Node, Watched>> = {};
  private cutAt: number | undefined;
  /** PID 1's notify socket as the agents see it (opts.systemd). */
  private notify: ChildProcess | undefined;

  constructor(private readonly opts: TwinbeatOptions) {
    super('tb-compare-');
  }

  private dir(node: Node, what: 'etc' | 'state' | 'run' | 'init'): string {
    return join(this.root, node, what);
  }

  private get bundle(): string {
    return this.opts.bundle ?? BUNDLE;
  }

  override moveTimeoutMs(): number {
    return 30_000 + 2 * haMs(this.opts.deadtime);
  }

  override async startPair(): Promise<void> {
    for (const node of ['a', 'b'] as const) this.configure(node);
    this.startDaemon('a');
    this.startDaemon('b');
    await this.watch('a', 60_000);
    await waitUntil(() => this.agents.b?.lines.some((l) => /Link node-a:eth1 up\./.test(l)) ?? false, 30_000, 'node b to hear node a');
    await new Promise((r) => setTimeout(r, this.settleMs));
  }

  private configure(node: Node): void {
    for (const what of ['etc', 'state', 'run', 'init'] as const) mkdirSync(this.dir(node, what), { recursive: true });
    const etc = this.dir(node, 'etc');
    const deadtimeMs = haMs(this.opts.deadtime);
    const peer = node === 'a' ? CROSSOVER.b : CROSSOVER.a;
    writeFileSync(
      join(etc, 'ha.cf'),
      [
        `keepalive ${this.opts.keepalive}`,
        `deadtime ${this.opts.deadtime}`,
        `warntime ${Math.round((deadtimeMs * 2) / 3)}ms`,
        `initdead ${Math.max(2 * deadtimeMs, 3000)}ms`,
        'udpport 694',
        'bcast eth1',
        `ucast eth1 ${peer}`,
        'auto_failback on',
        'node node-a',
        'node node-b',
        '',
      ].join('\n'),
    );
    writeFileSync(join(etc, 'haresources'), `node-a ${LAN.vip}\n`);
    // The Heartbeat baseline's key, so that both sign alike.
    writeFileSync(join(etc, 'authkeys'), 'auth 1\n1 sha1 baseline-secret\n');
    chmodSync(join(etc, 'authkeys'), 0o600);
  }

  /** The environment systemd gives the unit's process: its notify socket and the watchdog's interval. */
  private systemdEnv(): Record<string, string> {
    if (!this.opts.systemd) return {};
    const socket = join(this.root, 'notify.sock');
    if (!this.notify) {
      this.notify = spawn('socat', ['-u', `UNIX-RECV:${socket}`, 'OPEN:/dev/null,wronly'], { stdio: 'ignore' });
      this.notify.on('error', () => undefined);
      // Bounded: the receiver is there before the agents start (a missing socket is their failure, not a figure).
      for (let i = 0; i < 100 && !existsSync(socket); i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
    const usec = unitWatchdogUsec(readFileSync(UNIT, 'utf8'));
    return { NOTIFY_SOCKET: socket, ...(usec > 0 ? { WATCHDOG_USEC: String(usec) } : {}) };
  }

  override startDaemon(node: Node): void {
    const asUnit = process.env.TWINBEAT_BENCH_UNIT_FLAGS === '0' ? [] : unitScheduling(readFileSync(UNIT, 'utf8'));
    const env = Object.entries({ ...this.systemdEnv(), ...this.opts.env }).map(([k, v]) => `${k}=${v}`);
    this.agents[node] = spawnWatched(this.lab, node, [
      ...(env.length ? ['env', ...env] : []),
      ...asUnit,
      process.execPath,
      ...(this.opts.nodeFlags ?? agentNodeFlags()),
      this.bundle,
      'run',
      '--config-dir', this.dir(node, 'etc'),
      '--node', HOLDER[node],
      '--state-dir', this.dir(node, 'state'),
      '--run-dir', this.dir(node, 'run'),
      '--init-dir', this.dir(node, 'init'),
    ]);
  }

  /** The agent and what it runs (its `ip -batch`, its `ip monitor` of the carrier). */
  override daemonPids(node: Node): number[] {
    const all = this.processes(node);
    const agent = all.filter((p) => p.cmdline.includes(this.bundle) && p.cmdline.includes(' run ')).map((p) => p.pid);
    return [...agent, ...descendants(agent)];
  }

  override stopDaemon(node: Node): number {
    const pid = this.agents[node]?.child.pid;
    if (pid === undefined) throw new Error(`no twinbeat on node ${node}`);
    const at = Date.now();
    process.kill(pid, 'SIGTERM');
    return at;
  }

  private cli(node: Node, ...args: string[]): string {
    const r = spawnSync('ip', ['netns', 'exec', this.lab.ns(node), process.execPath, BUNDLE, ...args, '--run-dir', this.dir(node, 'run')], { encoding: 'utf8', timeout: 10_000 });
    return r.stdout ?? '';
  }

  override standby(node: Node): void {
    this.cli(node, 'standby');
  }

  override takeover(node: Node): void {
    this.cli(node, 'takeover');
  }

  override powerOff(node: Node): number {
    const cut = super.powerOff(node);
    this.cutAt = cut;
    return cut;
  }

  /** Everything a node's agent has logged so far. */
  logLines(node: Node): readonly string[] {
    return this.agents[node]?.lines ?? [];
  }

  override diagnostics(): string {
    return (['a', 'b'] as const).map((node) => `  --- node ${node}'s twinbeat, last lines:\n${(this.agents[node]?.lines ?? []).slice(-20).join('\n')}`).join('\n');
  }

  override dispose(): void {
    if (this.cutAt !== undefined && this.opts.onPowerLoss) {
      let trace: TakeoverTrace | undefined;
      try {
        const out = this.cli('b', 'status', '--json');
        trace = (JSON.parse(out.slice(out.indexOf('{'))) as StatusSnapshot).takeovers?.at(-1);
      } catch {
        trace = undefined;
      }
      this.opts.onPowerLoss(this.cutAt, trace);
    }
    if (this.notify?.exitCode === null && this.notify.signalCode === null) this.notify.kill('SIGKILL');
    super.dispose();
  }
}

/** Every process descended from `roots` (by the parent pid in /proc), bounded. */
export function descendants(roots: number[]): number[] {
  const parent = new Map<number, number>();
  const list = spawnSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8', timeout: 10_000 }).stdout ?? '';
  for (const line of list.split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (pid && ppid !== undefined) parent.set(pid, ppid);
  }
  const found = new Set<number>(roots);
  for (let round = 0; round < 10; round++) {
    let grew = false;
    for (const [pid, ppid] of parent) {
      if (!found.has(pid) && found.has(ppid)) {
        found.add(pid);
        grew = true;
      }
    }
    if (!grew) break;
  }
  return [...found].filter((p) => !roots.includes(p));
}

export function twinbeatGaps(opts: TwinbeatOptions): Promise<BaselineResult> {
  return runBaseline(`twinbeat ${opts.keepalive}/${opts.deadtime}`, () => new TwinbeatPair(opts), opts);
}
