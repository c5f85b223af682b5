// Debian's Heartbeat 3.0.6 (apt-get install heartbeat; never started on the host's own
// interfaces) running the pair in the namespaces, for the handovers twinbeat is compared with.
// Each start of a node's heartbeat gets its own mount namespace (its /etc/ha.d, its
// /var/lib/heartbeat, a tmpfs /run) and UTS namespace (its hostname), as Heartbeat reads fixed
// paths and `uname -n`. Heartbeat's own tools (hb_standby, hb_takeover) run in the same
// namespaces through nsenter, so they write to that node's FIFO (/var/lib/heartbeat/fifo).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CROSSOVER, LAN } from '../helpers/netns';
import { SerialCable } from '../helpers/serial-cable';
import { BaselineSession, HOLDER, runBaseline, tail, waitUntil, type BaselineOp, type BaselineResult, type Node } from './baseline-common';

export const HEARTBEAT = '/usr/libexec/heartbeat/heartbeat';
const HB_STANDBY = '/usr/share/heartbeat/hb_standby';
const HB_TAKEOVER = '/usr/share/heartbeat/hb_takeover';

/**
 * The media of the pair. tutorial: `bcast eth1` and `ucast eth1 PEER` (both on the crossover,
 * no serial, as the Heartbeat tutorials set up two nodes); udp: `bcast eth0` and `ucast eth1
 * PEER` (the LAN and the crossover); serial+udp: udp plus `serial` over a socat pty pair at
 * `baud 115200`.
 */
export type HeartbeatShape = 'tutorial' | 'udp' | 'serial+udp';
export const HEARTBEAT_SHAPES: readonly HeartbeatShape[] = ['tutorial', 'udp', 'serial+udp'];

export interface HeartbeatOptions {
  shape: HeartbeatShape;
  /** As ha.cf spells them: '200ms', '1', '5'. */
  keepalive: string;
  deadtime: string;
  runs: number;
  ops: readonly BaselineOp[];
  /** Progress and failure details (stderr when not given). */
  log?: (line: string) => void;
}

/** Why the Heartbeat baseline cannot run here, or undefined when it can. */
export function heartbeatUnavailable(shape?: HeartbeatShape): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  if (!existsSync(HEARTBEAT)) return `needs Debian's heartbeat package (${HEARTBEAT} is missing)`;
  for (const tool of ['ip', 'nsenter', 'unshare', ...(shape === 'serial+udp' ? ['socat'] : [])]) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `needs ${tool}`;
  }
  return undefined;
}

/** Seconds from an ha.cf time ('200ms', '1', '1s'). */
export function haSeconds(value: string): number {
  if (value.endsWith('ms')) return Number(value.slice(0, -2)) / 1000;
  if (value.endsWith('s')) return Number(value.slice(0, -1));
  return Number(value);
}

export class HeartbeatPair extends BaselineSession {
  private readonly cable: SerialCable | undefined;

  constructor(private readonly opts: HeartbeatOptions) {
    super('hb-baseline-');
    this.cable = opts.shape === 'serial+udp' ? new SerialCable(this.root) : undefined;
  }

  protected etc(node: Node): string {
    return join(this.root, node, 'ha.d');
  }

  private lib(node: Node): string {
    return join(this.root, node, 'lib');
  }

  protected logFile(node: Node): string {
    return join(this.root, node, 'ha-log');
  }

  override moveTimeoutMs(): number {
    return 30_000 + 2 * haSeconds(this.opts.deadtime) * 1000;
  }

  /** The serial+udp shape's null-modem cable (a socat pty pair), plugged before either node starts. */
  protected async plugCable(): Promise<void> {
    await this.cable?.plug();
  }

  override async startPair(): Promise<void> {
    await this.plugCable();
    for (const node of ['a', 'b'] as const) this.configure(node);
    this.startDaemon('a');
    this.startDaemon('b');
    await this.watch('a', 90_000);
    // Steady: b has seen a active (a took its group once it heard b), a hears b on every
    // medium of the shape (a medium that never came up would make it another shape), then
    // quiet for a while.
    await waitUntil(() => /Status update for node node-a: status active/.test(tail(this.logFile('b'), 1000)), 30_000, "node b's log to show node a active");
    const media = this.opts.shape === 'tutorial' ? ['eth1'] : ['eth0', 'eth1', ...(this.cable ? [this.cable.endA] : [])];
    for (const medium of media) {
      await waitUntil(() => tail(this.logFile('a'), 1000).includes(`Link node-b:${medium} up.`), 30_000, `node a to hear node b on ${medium}`);
    }
    await new Promise((r) => setTimeout(r, this.settleMs));
  }

  protected configure(node: Node): void {
    const { keepalive, deadtime, shape } = this.opts;
    mkdirSync(join(this.root, node), { recursive: true });
    const etc = this.etc(node);
    // Heartbeat runs rc.d/, resource.d/, harc and shellfuncs from /etc/ha.d beside its three
    // files, so the package's own directory is the starting point.
    cpSync('/etc/ha.d', etc, { recursive: true });
    cpSync('/var/lib/heartbeat', this.lib(node), { recursive: true });
    const peer = node === 'a' ? CROSSOVER.b : CROSSOVER.a;
    const media = shape === 'tutorial' ? ['bcast eth1', `ucast eth1 ${peer}`] : ['bcast eth0', `ucast eth1 ${peer}`];
    // baud applies to the serial lines after it: Heartbeat opens one at 19200 when it comes first.
    if (this.cable) media.push('baud 115200', `serial ${node === 'a' ? this.cable.endA : this.cable.endB}`);
    writeFileSync(
      join(etc, 'ha.cf'),
      [
        `logfile ${this.logFile(node)}`,
        'use_logd no',
        `keepalive ${keepalive}`,
        `deadtime ${deadtime}`,
        // Heartbeat wants initdead at least twice deadtime; start-up only waits for it when the
        // peer is silent, which it is not here.
        `initdead ${Math.max(12, Math.ceil(2 * haSeconds(deadtime)))}`,
        'udpport 694',
        ...media,
        'auto_failback on',
        'crm no',
        'node node-a',
        'node node-b',
        '',
      ].join('\n'),
    );
    writeFileSync(join(etc, 'haresources'), `node-a IPaddr::${LAN.vip}/24/eth0\n`);
    writeFileSync(join(etc, 'authkeys'), 'auth 1\n1 sha1 baseline-secret\n');
    chmodSync(join(etc, 'authkeys'), 0o600);
  }

  /** Starts heartbeat on a node in mount and UTS namespaces of its own; it daemonizes, so this returns. */
  override startDaemon(node: Node): void {
    const script = [
      `hostname ${HOLDER[node]}`,
      `mount --bind ${this.etc(node)} /etc/ha.d`,
      `mount --bind ${this.lib(node)} /var/lib/heartbeat`,
      'mount -t tmpfs tmpfs /run',
      // /run/lock (/var/lock) holds the serial line's lock file (LCK..ttyA).
      'mkdir -p /run/heartbeat/ccm /run/heartbeat/crm /run/heartbeat/dopd /run/resource-agents /run/lock',
      'chown -R hacluster:haclient /run/heartbeat',
      `exec ${HEARTBEAT}`,
    ].join(' && ');
    execFileSync('ip', ['netns', 'exec', this.lab.ns(node), 'unshare', '-m', '-u', '--propagation', 'private', 'sh', '-c', script], { stdio: 'ignore', timeout: 20_000 });
  }

  /** Heartbeat names its processes "heartbeat: master control process", "heartbeat: FIFO reader", ... */
  override daemonPids(node: Node): number[] {
    return this.processes(node)
      .filter((p) => p.cmdline.startsWith('heartbeat:'))
      .map((p) => p.pid);
  }

  protected master(node: Node): number {
    const master = this.processes(node).find((p) => p.cmdline.startsWith('heartbeat: master control process'));
    if (!master) throw new Error(`no heartbeat master control process on node ${node}`);
    return master.pid;
  }

  /** What `/etc/init.d/heartbeat stop` and `systemctl stop heartbeat` come down to. */
  override stopDaemon(node: Node): number {
    const master = this.master(node);
    const at = Date.now();
    process.kill(master, 'SIGTERM');
    return at;
  }

  /** Runs one of Heartbeat's tools in the node's heartbeat namespaces (its FIFO, its hostname). */
  private tool(node: Node, path: string): void {
    execFileSync('nsenter', ['-t', String(this.master(node)), '-m', '-u', '-n', path], { stdio: 'ignore', timeout: 10_000 });
  }

  override standby(node: Node): void {
    this.tool(node, HB_STANDBY);
  }

  override takeover(node: Node): void {
    this.tool(node, HB_TAKEOVER);
  }

  override diagnostics(): string {
    return (['a', 'b'] as const).map((node) => `  --- node ${node}'s ha-log, last lines:\n${tail(this.logFile(node), 20)}`).join('\n');
  }

  override dispose(): void {
    this.cable?.cut();
    super.dispose();
  }
}

/**
 * Heartbeat 3.0.6's client gaps per operation of `ops` over `runs` rounds (see runBaseline:
 * standby, takeover, stop and failback share one pair; power loss gets a fresh one).
 */
export function heartbeatGaps(opts: HeartbeatOptions): Promise<BaselineResult> {
  return runBaseline(`heartbeat ${opts.shape} ${opts.keepalive}/${opts.deadtime}`, () => new HeartbeatPair(opts), opts);
}
