// Debian's keepalived 2.2.7 (VRRPv3) running the pair in the namespaces, for the handovers
// twinbeat is compared with. Never started on the host's own interfaces: each node's keepalived
// runs in that node's network namespace, with a mount namespace of its own (a tmpfs /run for its
// pid files) and a UTS namespace (its hostname), from a configuration written here.
//
// The operations in keepalived's terms:
// - power loss: as for Heartbeat (everything in the node killed -9, links down); the backup
//   takes over when its Master_Down_Interval (3 adverts + skew) runs out.
// - graceful stop: SIGTERM to the keepalived parent (what `systemctl stop keepalived` sends);
//   the VRRP child removes the VIP and sends a priority-0 advert, so the backup takes over after
//   its skew time alone.
// - standby: keepalived has no hb_standby. The closest is demoting the node: a track_file whose
//   value is added to the priority; writing -100 to it drops node a from 150 to 50, below node
//   b's 100, and b (preempt, the default) takes the VIP once a's lower adverts have let its
//   Master_Down_Interval run out; a, on b's higher advert, goes back to BACKUP and drops the VIP.
//   Unlike a FAULT state, a stays a candidate, as a Heartbeat node in standby does.
// - takeover: undoing the demotion (0 in the track file): a's priority is the higher again and
//   a preempts b the same way.
// - failback: keepalived started again on a after the stop: the higher priority with preempt is
//   keepalived's auto_failback on.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CROSSOVER, LAN } from '../helpers/netns';
import { spawnWatched, type Watched } from '../helpers/pair';
import { BaselineSession, HOLDER, runBaseline, tail, waitUntil, type BaselineOp, type BaselineResult, type Node } from './baseline-common';
import { sleep } from '../helpers/pair-scenario';

export const KEEPALIVED = '/usr/sbin/keepalived';

/**
 * multicast: plain VRRP, adverts multicast on eth0 (the LAN the VIP is on), as keepalived is
 * usually deployed. unicast: adverts sent to the peer's crossover address over eth1
 * (unicast_peer), closer to Heartbeat's `ucast eth1`; the VIP stays on eth0.
 */
export type KeepalivedShape = 'multicast' | 'unicast';

export interface KeepalivedOptions {
  shape?: KeepalivedShape;
  /** advert_int in seconds: 0.1, 1. */
  advert: number;
  runs: number;
  ops: readonly BaselineOp[];
  /** Progress and failure details (stderr when not given). */
  log?: (line: string) => void;
}

/** Why the keepalived baseline cannot run here, or undefined when it can. */
export function keepalivedUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  if (spawnSync(KEEPALIVED, ['--version']).status !== 0) return `needs Debian's keepalived package (${KEEPALIVED})`;
  for (const tool of ['ip', 'unshare']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `needs ${tool}`;
  }
  return undefined;
}

const PRIORITY: Record<Node, number> = { a: 150, b: 100 };
/** What standby writes to node a's track file: 150 - 100 = 50, below node b's 100. */
const DEMOTION = -100;

export class KeepalivedPair extends BaselineSession {
  private readonly daemons: Partial<Record<Node, Watched>> = {};

  constructor(private readonly opts: KeepalivedOptions) {
    super('ka-baseline-');
  }

  private file(node: Node, name: string): string {
    return join(this.root, node, name);
  }

  override moveTimeoutMs(): number {
    return 30_000 + 10 * this.opts.advert * 1000;
  }

  override async startPair(): Promise<void> {
    for (const node of ['a', 'b'] as const) this.configure(node);
    this.startDaemon('a');
    this.startDaemon('b');
    await this.watch('a', 60_000);
    await waitUntil(() => /Entering BACKUP STATE/.test(tail(this.file('b', 'keepalived.log'), 1000)), 30_000, "node b's keepalived to enter BACKUP");
    await sleep(this.settleMs);
  }

  private configure(node: Node): void {
    mkdirSync(join(this.root, node), { recursive: true });
    writeFileSync(this.file(node, 'standby'), '0\n');
    const unicast = this.opts.shape === 'unicast';
    const peer = node === 'a' ? 'b' : 'a';
    writeFileSync(
      this.file(node, 'keepalived.conf'),
      [
        'global_defs {',
        `  router_id ${HOLDER[node]}`,
        '  vrrp_version 3',
        '}',
        // The demotion for "standby": the file's value times the weight is added to the priority.
        'track_file standby {',
        `  file "${this.file(node, 'standby')}"`,
        '  weight 1',
        '}',
        'vrrp_instance baseline {',
        // Node a is the home node: MASTER and the higher priority; preempt is keepalived's default.
        `  state ${node === 'a' ? 'MASTER' : 'BACKUP'}`,
        `  interface ${unicast ? 'eth1' : 'eth0'}`,
        // Over the crossover, the peer's power loss takes this end's carrier too: without
        // dont_track_primary that is a fault of the instance's own interface, and the survivor
        // drops the VIP instead of taking it.
        ...(unicast ? [`  unicast_src_ip ${CROSSOVER[node]}`, `  unicast_peer {`, `    ${CROSSOVER[peer]}`, '  }', '  dont_track_primary'] : []),
        '  virtual_router_id 50',
        `  priority ${PRIORITY[node]}`,
        `  advert_int ${this.opts.advert}`,
        '  virtual_ipaddress {',
        `    ${LAN.vip}/${LAN.prefix} dev eth0`,
        '  }',
        '  track_file {',
        '    standby',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  }

  /**
   * keepalived in the foreground (-n), logging to the console only (-l -D -G: not to the host's
   * syslog), appended to the node's keepalived.log; VRRP only (-P); its pid files in its own
   * tmpfs /run.
   */
  override startDaemon(node: Node): void {
    const script = [
      `hostname ${HOLDER[node]}`,
      'mount -t tmpfs tmpfs /run',
      `exec ${KEEPALIVED} -n -l -D -G -P -f ${this.file(node, 'keepalived.conf')} -p /run/keepalived.pid -r /run/keepalived_vrrp.pid >>${this.file(node, 'keepalived.log')} 2>&1`,
    ].join(' && ');
    this.daemons[node] = spawnWatched(this.lab, node, ['unshare', '-m', '-u', '--propagation', 'private', 'sh', '-c', script]);
  }

  override daemonPids(node: Node): number[] {
    return this.processes(node)
      .filter((p) => p.cmdline.startsWith(KEEPALIVED))
      .map((p) => p.pid);
  }

  /** The parent (the spawned process itself: ip, unshare and sh each exec the next). */
  override stopDaemon(node: Node): number {
    const pid = this.daemons[node]?.child.pid;
    if (pid === undefined || !this.daemonPids(node).includes(pid)) throw new Error(`no keepalived parent on node ${node}`);
    const at = Date.now();
    process.kill(pid, 'SIGTERM');
    return at;
  }

  override standby(node: Node): void {
    writeFileSync(this.file(node, 'standby'), `${DEMOTION}\n`);
  }

  override takeover(node: Node): void {
    writeFileSync(this.file(node, 'standby'), '0\n');
  }

  override diagnostics(): string {
    return (['a', 'b'] as const).map((node) => `  --- node ${node}'s keepalived.log, last lines:\n${tail(this.file(node, 'keepalived.log'), 20)}`).join('\n');
  }
}

/**
 * keepalived 2.2.7's client gaps per operation of `ops` over `runs` rounds (see runBaseline:
 * standby, takeover, stop and failback share one pair; power loss gets a fresh one).
 */
export function keepalivedGaps(opts: KeepalivedOptions): Promise<BaselineResult> {
  return runBaseline(`keepalived ${opts.shape ?? 'multicast'} advert ${opts.advert}`, () => new KeepalivedPair(opts), opts);
}
