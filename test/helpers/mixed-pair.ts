// A mixed pair for issue 24: Debian's Heartbeat 3.0.6 and twinbeat (the built bundle) with the
// same /etc/ha.d: the Heartbeat pair of the baselines (baseline-heartbeat.ts: tutorial shape,
// sha1 authkeys, `HOME IPaddr::192.0.2.50/24/eth0`, auto_failback on, an HTTP server answering
// its node's name on both nodes, the client polling the VIP every 10 ms, a watcher of the VIP on
// each node), with Heartbeat replaced by twinbeat on the nodes named so (node a by default, node
// b too once it is migrated), reading that node's copy of the package's directory.
import { BUNDLE, doubleHolds, events, spawnWatched, type Watched } from './pair';
import { HeartbeatPair, type HeartbeatOptions } from '../bench/baseline-heartbeat';
import { HOLDER, tail, waitUntil, type Node } from '../bench/baseline-common';
import { LAN } from './netns';
import { join } from 'node:path';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export class MixedPair extends HeartbeatPair {
  /** Each node's twinbeat of its current run, if it runs twinbeat. */
  readonly agents: Partial<Record<Node, Watched>> = {};
  /** Every line each node's twinbeat runs wrote, across its runs. */
  private readonly earlier: Record<Node, string[]> = { a: [], b: [] };
  private readonly twinbeatNodes: Set<Node>;

  /** `home`: the node named first on the haresources line; `twinbeatOn`: the nodes that run twinbeat; `haCf`: lines added to both ha.cf. */
  constructor(
    opts: HeartbeatOptions,
    private readonly home: Node = 'a',
    twinbeatOn: Node[] = ['a'],
    private readonly haCf: string[] = [],
  ) {
    super(opts);
    this.twinbeatNodes = new Set(twinbeatOn);
  }

  /** The migration step: from its next start on, `node` runs twinbeat (with the same /etc/ha.d). */
  migrate(node: Node): void {
    this.twinbeatNodes.add(node);
  }

  protected override configure(node: Node): void {
    super.configure(node);
    writeFileSync(join(this.etc(node), 'haresources'), `${HOLDER[this.home]} IPaddr::${LAN.vip}/24/eth0\n`);
    if (this.haCf.length > 0) appendFileSync(join(this.etc(node), 'ha.cf'), `${this.haCf.join('\n')}\n`);
  }

  /** Both started at once; resolves once the client is answered by the home node and each side logged the other up. */
  async startBoth(timeoutMs: number): Promise<void> {
    await this.plugCable();
    this.configureBoth();
    this.startDaemon('a');
    this.startDaemon('b');
    await this.watch(this.home, timeoutMs);
    await waitUntil(() => /Link node-b:eth1 up\./.test(this.log('a')) && /Link node-a:eth1 up\./.test(this.log('b')), timeoutMs, 'each side to hear the other');
  }

  private dir(node: Node, what: 'state' | 'run' | 'init'): string {
    return join(this.root, node, what);
  }

  override startDaemon(node: Node): void {
    if (!this.twinbeatNodes.has(node)) return super.startDaemon(node);
    for (const what of ['state', 'run', 'init'] as const) mkdirSync(this.dir(node, what), { recursive: true });
    const previous = this.agents[node];
    if (previous) this.earlier[node].push(...previous.lines);
    this.agents[node] = spawnWatched(this.lab, node, [
      process.execPath,
      BUNDLE,
      'run',
      '--config-dir', this.etc(node),
      '--node', HOLDER[node],
      '--state-dir', this.dir(node, 'state'),
      '--run-dir', this.dir(node, 'run'),
      '--init-dir', this.dir(node, 'init'),
    ]);
  }

  /** Heartbeat's processes and twinbeat's, whichever runs there now. */
  override daemonPids(node: Node): number[] {
    const twinbeat = this.processes(node)
      .filter((p) => p.cmdline.includes(BUNDLE) && p.cmdline.includes(' run '))
      .map((p) => p.pid);
    return [...super.daemonPids(node), ...twinbeat];
  }

  override stopDaemon(node: Node): number {
    if (super.daemonPids(node).length > 0) return super.stopDaemon(node);
    const pid = this.agents[node]?.child.pid;
    if (pid === undefined) throw new Error(`nothing runs on node ${node}`);
    const at = Date.now();
    process.kill(pid, 'SIGTERM');
    return at;
  }

  /** Waits (bounded) until the daemon on a node has exited (Heartbeat's shutdown goes on after its shutdone). */
  async waitExit(node: Node): Promise<void> {
    await waitUntil(() => this.daemonPids(node).length === 0, 60_000, `the daemon on node ${node} to exit`);
  }

  /** hb_standby where Heartbeat runs, `twinbeat standby` where twinbeat does. */
  override standby(node: Node): void {
    if (!this.twinbeatNodes.has(node)) return super.standby(node);
    this.cli(node, 'standby');
  }

  /** hb_takeover where Heartbeat runs, `twinbeat takeover` where twinbeat does. */
  override takeover(node: Node): void {
    if (!this.twinbeatNodes.has(node)) return super.takeover(node);
    this.cli(node, 'takeover');
  }

  /** `twinbeat status` on a node that runs twinbeat. */
  status(node: Node): string {
    return this.cli(node, 'status');
  }

  private cli(node: Node, ...args: string[]): string {
    const r = spawnSync('ip', ['netns', 'exec', this.lab.ns(node), process.execPath, BUNDLE, ...args, '--run-dir', this.dir(node, 'run')], { encoding: 'utf8', timeout: 10_000 });
    return `${r.stdout ?? ''}${r.stderr ?? ''}`;
  }

  /** Starts node b's Heartbeat alone; resolves once the client is answered by it (initdead, then its takeover). */
  async heartbeatServingAlone(timeoutMs: number): Promise<void> {
    await this.plugCable();
    this.configureBoth();
    this.startDaemon('b');
    await this.watch('b', timeoutMs);
  }

  /** Writes both nodes' /etc/ha.d (the baselines' files) without starting anything. */
  configureBoth(): void {
    for (const node of ['a', 'b'] as const) this.configure(node);
  }

  /** What a node logged so far: its twinbeat runs' lines, then Heartbeat's logfile (twinbeat writes there too). */
  log(node: Node): string {
    return [...this.earlier[node], ...(this.agents[node]?.lines ?? []), tail(this.logFile(node), 100_000)].join('\n');
  }

  private cutAt = Infinity;

  /** A node without power holds nothing, whatever its watcher (killed with it) said last. */
  override powerOff(node: Node): number {
    const cut = super.powerOff(node);
    this.cutAt = Math.min(this.cutAt, cut);
    return cut;
  }

  /** Moments when both nodes held the VIP, from the two watchers, up to a power loss. */
  doubleHolds(): { from: number; to: number }[] {
    return doubleHolds(events(this.holds.a!), events(this.holds.b!))
      .filter((o) => o.from < this.cutAt)
      .map((o) => ({ from: o.from, to: Math.min(o.to, this.cutAt) }));
  }

  override diagnostics(): string {
    const part = (node: Node) =>
      this.agents[node]
        ? `  --- node ${node}'s twinbeat, last lines:\n${this.agents[node]!.lines.slice(-25).join('\n')}\n`
        : '';
    return `${part('a')}${part('b')}  --- node a's ha-log, last lines:\n${tail(this.logFile('a'), 12)}\n  --- node b's ha-log, last lines:\n${tail(this.logFile('b'), 25)}`;
  }
}
