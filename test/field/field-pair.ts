// The pair the field suite plays with: the e2e Pair in one of the matrix's shapes, with a ping
// node on the LAN, monitoring on, optionally a relay on each node (the power simulator), the
// client polling the VIP every 10 ms and both nodes' VIP watchers, all for the whole run. It
// keeps every agent each node ran (restarts, boots after a reset), so a step can read all the
// log lines its node wrote, whichever process wrote them.
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAST, Pair, type PairNode, type Watched } from '../helpers/pair';
import { PowerSimulator, relayLine } from '../helpers/power';
import { authkeys, noPathCut, pathCut, type Shape } from '../helpers/shapes';
import { sleep } from '../helpers/pair-scenario';
import type { StatusSnapshot } from '../../src/snapshot';
import type { Side } from './model';

/** The run's timings: short enough for many steps an hour, long enough for a loaded 2-core host. */
export const TIMING = { keepalive: '200ms', deadtime: '2s', warntime: '1s', initdead: '4s' } as const;
export const DEADTIME_MS = 2000;
export const INITDEAD_MS = 4000;
export const DEADPING_MS = 2000;
export const MONITOR_INTERVAL_MS = 1000;
export const PULSE_MS = 500;
/** How long websvc's stop may run (resource_timeout) before it is killed: short, for the stop-hangs operation. */
export const STOP_LIMIT_MS = 2000;
/** fence_delay's default: 2 x deadtime. */
export const FENCE_DELAY_MS = 2 * DEADTIME_MS;
/** The ping node: an address of the client's, which a node loses by a blackhole route. */
export const PING_TARGET = '192.0.2.254';
const WATCH_S = 4 * 3600;
/** The nftables table a heartbeat cut lives in (one per node namespace). */
const CUT_TABLE = 'twinbeat_field_cut';

export interface FieldSetup {
  shape: Shape;
  relay: boolean;
}

export class FieldPair extends Pair {
  /** Every agent each node ran, oldest first. */
  readonly history: Record<Side, Watched[]> = { a: [], b: [] };
  power: PowerSimulator | undefined;
  client!: Watched;
  holds!: Record<Side, Watched>;

  constructor(readonly setup: FieldSetup) {
    super({
      ...FAST,
      ...TIMING,
      autoFailback: 'on',
      services: 'websvc',
      shape: setup.shape,
      extra: [
        `ping ${PING_TARGET}`,
        'respawn hacluster /usr/lib/heartbeat/ipfail',
        `deadping ${DEADPING_MS}ms`,
        `monitor_interval ${MONITOR_INTERVAL_MS}ms`,
        // A check is a small shell script; on a loaded host it can take longer than the interval.
        'monitor_timeout 3s',
        // The stop-hangs operation's service is killed at this limit (20 s by default).
        `resource_timeout websvc stop ${STOP_LIMIT_MS}ms`,
        ...(setup.relay ? [relayLine('node-a', 'node-b', `${PULSE_MS}ms`), relayLine('node-b', 'node-a', `${PULSE_MS}ms`)] : []),
      ],
    });
  }

  /** Builds the lab, the ping node, the relays and the watchers; no agent runs yet. */
  static async create(setup: FieldSetup): Promise<FieldPair> {
    const pair = new FieldPair(setup);
    try {
      await pair.build();
      pair.lab.exec('client', ['ip', 'addr', 'add', `${PING_TARGET}/24`, 'dev', 'eth0']);
      if (setup.relay) {
        pair.power = new PowerSimulator(pair);
        pair.power.wireRelay('a');
        pair.power.wireRelay('b');
      }
      pair.holds = { a: pair.watchAddress('a', WATCH_S), b: pair.watchAddress('b', WATCH_S) };
      pair.client = pair.watchClient(WATCH_S);
      return pair;
    } catch (err) {
      pair.dispose();
      throw err;
    }
  }

  override startAgent(node: PairNode, extraArgs: string[] = [], wrapper: string[] = []): Watched {
    const agent = super.startAgent(node, extraArgs, wrapper);
    this.history[node].push(agent);
    return agent;
  }

  /** Whether node's current agent process is alive. */
  alive(node: Side): boolean {
    const agent = this.agents[node];
    return agent !== undefined && agent.child.exitCode === null && agent.child.signalCode === null;
  }

  /**
   * SIGTERM to node's agent; resolves with how it ended: its exit code, the signal that killed
   * it, or 'still running' after `limitMs`.
   */
  async terminate(node: Side, limitMs = 10_000): Promise<number | NodeJS.Signals | 'still running'> {
    const agent = this.agents[node];
    if (!agent) return 'still running';
    agent.kill('SIGTERM');
    const code = await Promise.race([agent.exited, sleep(limitMs).then(() => 'still running' as const)]);
    return code ?? agent.child.signalCode ?? 'still running';
  }

  signal(node: Side, signal: NodeJS.Signals): void {
    this.agents[node]?.kill(signal);
  }

  /** `twinbeat status --json` on node: the snapshot, or the command's output when it failed. */
  async status(node: Side): Promise<StatusSnapshot | string> {
    const { code, output } = await this.twinbeat(node, 'status', '--json');
    if (code !== 0) return `exit ${code}: ${output.slice(0, 300)}`;
    try {
      return JSON.parse(output) as StatusSnapshot;
    } catch {
      return `not JSON: ${output.slice(0, 300)}`;
    }
  }

  /** Every heartbeat path silenced at node's side: UDP port 694 dropped both ways (nftables), the serial cable out. */
  cutHeartbeats(node: Side): void {
    const ns = (args: string[]) => this.lab.exec(node, ['nft', ...args]);
    ns(['add', 'table', 'inet', CUT_TABLE]);
    ns(['add', 'chain', 'inet', CUT_TABLE, 'in', '{ type filter hook input priority 0; }']);
    ns(['add', 'chain', 'inet', CUT_TABLE, 'out', '{ type filter hook output priority 0; }']);
    ns(['add', 'rule', 'inet', CUT_TABLE, 'in', 'udp', 'dport', '694', 'drop']);
    ns(['add', 'rule', 'inet', CUT_TABLE, 'out', 'udp', 'dport', '694', 'drop']);
    this.cable.cut();
  }

  async healHeartbeats(node: Side): Promise<void> {
    this.lab.run(node, ['nft', 'delete', 'table', 'inet', CUT_TABLE]);
    await this.cable.plug();
  }

  /** Why the shape has no single path to cut, or undefined. */
  noPathCut(): string | undefined {
    return noPathCut(this.setup.shape);
  }

  onePathCut() {
    return pathCut(this.setup.shape, { inA: (args) => this.lab.exec('a', args), cable: this.cable });
  }

  /** node stops reaching the ping node (a blackhole route), or reaches it again. */
  pingLost(node: Side, lost: boolean): void {
    this.lab.exec(node, ['ip', 'route', lost ? 'add' : 'del', 'blackhole', `${PING_TARGET}/32`]);
  }

  carrier(node: Side, up: boolean): void {
    this.lab.exec(node, ['ip', 'link', 'set', 'eth0', up ? 'up' : 'down']);
  }

  /**
   * A replaced unit: the old one is powered off, and a fresh one boots in its place with an
   * empty state directory and a clock behind (no RTC, NTP not synced yet).
   */
  swapUnit(node: Side, clock: string): Watched {
    this.powerOff(node);
    rmSync(this.dir(node, 'state'), { recursive: true, force: true });
    mkdirSync(this.dir(node, 'state'), { recursive: true });
    this.lab.exec(node, ['ip', 'link', 'set', 'eth0', 'up']);
    this.lab.exec(node, ['ip', 'link', 'set', 'eth1', 'up']);
    return this.startAgent(node, [], fakeClock(clock));
  }

  /** Makes websvc's stop on node hang (or work again): the service that will not stop. */
  stopHangs(node: Side, hangs: boolean): void {
    const flag = join(this.dir(node, 'run'), 'websvc.stop-hangs');
    if (hangs) writeFileSync(flag, '');
    else rmSync(flag, { force: true });
  }

  /** Kills the service (websvc) on node, as a crash would; false when it was not running. */
  killService(node: Side): boolean {
    const pid = this.lab.run(node, ['cat', join(this.dir(node, 'run'), 'websvc.pid')]).stdout.trim();
    if (!/^\d+$/.test(pid)) return false;
    try {
      process.kill(Number(pid), 'SIGKILL');
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The authkeys of every node rewritten: `keys` (index to method and secret) with `auth` in use.
   * The file keeps mode 0600, as the agent requires.
   */
  writeAuthkeys(node: Side, use: number, keys: Map<number, string>): void {
    const file = join(this.dir(node, 'etc'), 'authkeys');
    const lines = [`auth ${use}`, ...[...keys].map(([index, key]) => `${index} ${key}`)];
    writeFileSync(file, `${lines.join('\n')}\n`);
    chmodSync(file, 0o600);
  }

  /** The first key as the shape's authkeys has it (`1 crc`, or `1 sha256 ...`). */
  initialKey(): string {
    return authkeys(this.setup.shape).split('\n')[1]!.replace(/^1 /, '');
  }

  override dispose(): void {
    super.dispose();
    this.power?.stop();
  }
}

/**
 * Runs the agent with its wall clock starting at `clock` (libfaketime), through `env` rather than
 * the `faketime` command: that one forks and waits, so killing the pid we hold (a power cut)
 * would leave the agent running.
 */
export function fakeClock(clock: string): string[] {
  const lib = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib/arm-linux-gnueabihf', '/usr/lib']
    .map((dir) => join(dir, 'faketime', 'libfaketime.so.1'))
    .find((path) => existsSync(path));
  if (!lib) throw new Error('libfaketime not found (apt-get install faketime)');
  return ['env', `LD_PRELOAD=${lib}`, `FAKETIME=@${clock}`];
}
