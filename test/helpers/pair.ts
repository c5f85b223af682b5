// A real pair for the end-to-end tests: the namespace lab (netns.ts), a socat serial cable,
// a config directory per node, and each agent started from the built bundle inside its node's
// namespace. Watchers record, every 10 ms, who answers on the VIP (from the client) and
// whether each node holds the address, so a test can assert there was never a double holder.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Lab, LAN, type NodeName } from './netns';
import { SerialCable } from './serial-cable';
import { authkeys, DEFAULT_SHAPE, haresourcesLine, mediaLines, type Shape } from './shapes';

export const BUNDLE = resolve('build/twinbeat.js');
const FIXTURES = resolve('test/e2e/fixtures/resource.d');
const NODE_NAMES = { a: 'node-a', b: 'node-b' } as const;
export type PairNode = 'a' | 'b';

export interface PairSettings {
  keepalive: string;
  deadtime: string;
  warntime: string;
  initdead: string;
  autoFailback: 'on' | 'off';
  /** The haresources line's resources after the VIP. */
  services: string;
  /** Extra ha.cf lines. */
  extra: string[];
  /** Which heartbeat paths ha.cf names (shapes.ts); the suites were written for serial+udp. */
  shape: Shape;
}

export const FAST: PairSettings = {
  keepalive: '100ms',
  deadtime: '500ms',
  warntime: '300ms',
  initdead: '1s',
  autoFailback: 'on',
  services: 'websvc',
  extra: [],
  shape: DEFAULT_SHAPE,
};

/** A process in a namespace whose output lines are kept, with a bounded wait for a line. */
export class Watched {
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  private partial = '';

  constructor(readonly child: ChildProcess) {
    const take = (chunk: Buffer) => {
      const text = this.partial + chunk.toString('utf8');
      const parts = text.split('\n');
      this.partial = parts.pop() ?? '';
      this.lines.push(...parts);
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    this.exited = new Promise((r) => child.on('close', (code) => r(code)));
  }

  /** Resolves with the first line matching `pattern` (from index `from`), or rejects after `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs: number, from = 0): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.slice(from).find((l) => pattern.test(l));
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`no line matching ${pattern} within ${timeoutMs} ms; last lines:\n${this.lines.slice(-15).join('\n')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

export class Pair {
  readonly lab = new Lab();
  readonly cable = new SerialCable();
  readonly root = mkdtempSync(join(tmpdir(), 'twinbeat-pair-'));
  readonly agents: Partial<Record<PairNode, Watched>> = {};
  readonly watchers: Watched[] = [];

  constructor(readonly settings: PairSettings = FAST) {}

  name(node: PairNode): string {
    return NODE_NAMES[node];
  }

  dir(node: PairNode, what: 'etc' | 'state' | 'run' | 'init'): string {
    return join(this.root, node, what);
  }

  private writeConfig(node: PairNode): void {
    const s = this.settings;
    const etc = this.dir(node, 'etc');
    for (const what of ['etc', 'state', 'run', 'init'] as const) mkdirSync(this.dir(node, what), { recursive: true });
    writeFileSync(
      join(etc, 'ha.cf'),
      [
        `keepalive ${s.keepalive}`,
        `deadtime ${s.deadtime}`,
        `warntime ${s.warntime}`,
        `initdead ${s.initdead}`,
        'udpport 694',
        ...mediaLines(s.shape, node, this.cable),
        'baud 115200',
        `auto_failback ${s.autoFailback}`,
        `node ${NODE_NAMES.a}`,
        `node ${NODE_NAMES.b}`,
        ...s.extra,
        '',
      ].join('\n'),
    );
    writeFileSync(join(etc, 'haresources'), haresourcesLine(s.shape, NODE_NAMES.a, s.services));
    writeFileSync(join(etc, 'authkeys'), authkeys(s.shape));
    chmodSync(join(etc, 'authkeys'), 0o600);
    symlinkSync(FIXTURES, join(etc, 'resource.d'));
  }

  async build(): Promise<this> {
    this.lab.buildPair();
    await this.cable.plug();
    this.writeConfig('a');
    this.writeConfig('b');
    return this;
  }

  /** Spawns a command inside a node's namespace, kept for dispose(). */
  spawnIn(node: NodeName, args: string[], env: Record<string, string> = {}): Watched {
    const watched = spawnWatched(this.lab, node, args, env);
    this.watchers.push(watched);
    return watched;
  }

  /** Runs `twinbeat ARGS...` from the bundle in a node's namespace and waits for it to end. */
  async twinbeat(node: PairNode, ...args: string[]): Promise<{ code: number | null; output: string }> {
    const cli = this.spawnIn(node, [process.execPath, BUNDLE, ...args, '--run-dir', this.dir(node, 'run')]);
    const code = await cli.exited;
    return { code, output: cli.lines.join('\n') };
  }

  /** A fake /sys/class per node (gpio/...), bind-mounted over /sys/class for that node's agent only. */
  readonly sysClass: Partial<Record<PairNode, string>> = {};

  /** `wrapper` runs the agent under another command, e.g. `['faketime', '2026-01-01 00:00:00']`. */
  startAgent(node: PairNode, extraArgs: string[] = [], wrapper: string[] = []): Watched {
    // The agent of a node with a fake sysfs runs in a private mount namespace where that
    // directory is /sys/class: its relay is a file the test's power simulator watches. The
    // node's real sysfs is bound beside it first and its class/net linked in, so that the carrier
    // of its interfaces still reads as it is (without it every tracked interface would read as
    // missing: down). A bind of /sys/class/net alone shows an empty directory; of /sys, not.
    const sys = this.sysClass[node];
    const mounts = 'mkdir -p "$0/.sys" && mount --bind /sys "$0/.sys" && ln -sfn "$0/.sys/class/net" "$0/net" && mount --bind "$0" /sys/class && exec "$@"';
    const wrap = sys ? ['unshare', '-m', '--propagation', 'private', 'sh', '-c', mounts, sys] : [];
    const agent = this.spawnIn(
      node,
      [
        ...wrap,
        ...wrapper,
        process.execPath,
        BUNDLE,
        'run',
        '--config-dir', this.dir(node, 'etc'),
        '--node', NODE_NAMES[node],
        '--state-dir', this.dir(node, 'state'),
        '--run-dir', this.dir(node, 'run'),
        '--init-dir', this.dir(node, 'init'),
        ...extraArgs,
      ],
      { TWINBEAT_TEST_RUN: this.dir(node, 'run'), TWINBEAT_TEST_NODE: process.execPath },
    );
    this.agents[node] = agent;
    return agent;
  }

  /**
   * Power loss: the node's links go down and its agent dies at once (kill -9); what power loss
   * also takes (the VIP on the interface, the service it ran) goes too, so that powering the
   * node up again starts from nothing, as a real boot would.
   */
  powerOff(node: PairNode): void {
    this.agents[node]?.kill('SIGKILL');
    this.lab.exec(node, ['ip', 'link', 'set', 'eth0', 'down']);
    this.lab.exec(node, ['ip', 'link', 'set', 'eth1', 'down']);
    this.lab.run(node, ['ip', 'addr', 'del', `${LAN.vip}/24`, 'dev', 'eth0']);
    this.killServices(node);
  }

  /** Ends the test services a node runs (each by the pid its script wrote), as power loss would. */
  killServices(node: PairNode): void {
    for (const service of ['websvc', 'hangsvc']) {
      const pidFile = join(this.dir(node, 'run'), `${service}.pid`);
      if (!existsSync(pidFile)) continue;
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGKILL');
      } catch {
        // already gone
      }
      rmSync(pidFile, { force: true });
    }
  }

  /** Power back on: interfaces up and the agent started again with the same directories. */
  powerOn(node: PairNode, extraArgs: string[] = []): Watched {
    this.lab.exec(node, ['ip', 'link', 'set', 'eth0', 'up']);
    this.lab.exec(node, ['ip', 'link', 'set', 'eth1', 'up']);
    return this.startAgent(node, extraArgs);
  }

  /** Who answers on the VIP, as the client sees it, recorded every 10 ms. */
  watchClient(limitS = 120): Watched {
    return this.spawnIn('client', POLL_VIP(limitS));
  }

  /** Whether a node holds the VIP, recorded every 10 ms. */
  watchAddress(node: PairNode, limitS = 120): Watched {
    return this.spawnIn(node, WATCH_ADDRESS(limitS));
  }

  dispose(): void {
    for (const w of this.watchers) w.kill('SIGKILL');
    for (const node of ['a', 'b'] as const) if (existsSync(this.dir(node, 'run'))) this.killServices(node);
    this.cable.cut();
    this.lab.dispose();
  }
}

/** Spawns a command inside a lab node's namespace, its output kept line by line. */
export function spawnWatched(lab: Lab, node: NodeName, args: string[], env: Record<string, string> = {}): Watched {
  const child = spawn('ip', ['netns', 'exec', lab.ns(node), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Watched(child);
}

/** The client's poller of the VIP (poll-vip.ts), every 10 ms for at most `limitS` s: run it in the client's namespace. */
export const POLL_VIP = (limitS: number) => [process.execPath, '--import', 'tsx', resolve('test/e2e/tools/poll-vip.ts'), LAN.vip, '8080', '10', String(limitS)];
/** A node's watcher of the VIP on its interfaces (watch-address.ts), every 10 ms for at most `limitS` s. */
export const WATCH_ADDRESS = (limitS: number) => [process.execPath, '--import', 'tsx', resolve('test/e2e/tools/watch-address.ts'), LAN.vip, '10', String(limitS)];

/** Parses a watcher's JSON lines. */
export function events<T>(watched: Watched): T[] {
  return watched.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as T);
}

/**
 * From two address watchers: any moment when both nodes held the VIP. Each watcher's lines are
 * transitions, so the holders are merged on a shared timeline.
 */
export function doubleHolds(a: { t: number; held: boolean }[], b: { t: number; held: boolean }[]): { from: number; to: number }[] {
  const timeline = [...a.map((e) => ({ ...e, node: 'a' })), ...b.map((e) => ({ ...e, node: 'b' }))].sort((x, y) => x.t - y.t);
  const holds = { a: false, b: false };
  const overlaps: { from: number; to: number }[] = [];
  let since: number | undefined;
  for (const e of timeline) {
    holds[e.node as 'a' | 'b'] = e.held;
    if (holds.a && holds.b && since === undefined) since = e.t;
    if (!(holds.a && holds.b) && since !== undefined) {
      overlaps.push({ from: since, to: e.t });
      since = undefined;
    }
  }
  if (since !== undefined) overlaps.push({ from: since, to: Infinity });
  return overlaps;
}
