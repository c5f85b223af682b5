// What the Heartbeat and keepalived baselines share: the namespace pair with an HTTP server on
// both nodes all the time (so the client's gap is the VIP's move alone), the client polling the
// VIP every 10 ms, a watcher of the VIP in each node, the handover operations run in sessions,
// and how the figures are kept and printed.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab, type NodeName } from '../helpers/netns';
import { events, POLL_VIP, spawnWatched, WATCH_ADDRESS, type Watched } from '../helpers/pair';
import { sleep } from '../helpers/pair-scenario';
import { eventually } from '../helpers/link-log';
import { firstAnswerFrom, handoverGap, type ClientChange } from '../helpers/client-gap';
import { median } from './stats';

/**
 * The handovers measured. power: the active node loses power (everything in its namespace
 * frozen, its links down, then all killed -9); stop: the daemon on the active node is stopped gracefully
 * (SIGTERM, what its init script or systemd unit sends); standby: the active node is told to
 * give its resources away; takeover: the node without them is told to take them; failback: the
 * home node's daemon, stopped, is started again and takes its resources back.
 */
export type BaselineOp = 'power' | 'stop' | 'standby' | 'takeover' | 'failback';

export const ALL_OPS: readonly BaselineOp[] = ['standby', 'takeover', 'stop', 'failback', 'power'];

/**
 * The order of a session's operations: each leaves the pair as the next one starts from
 * (standby moves the VIP a→b, takeover b→a, stop a→b, failback b→a), so one start-up serves
 * four figures. Power loss has a session of its own on a freshly started pair: at deadtime 1 s,
 * Heartbeat took 3.2-3.7 s instead of 1.2-1.7 s to declare dead a peer that had restarted earlier
 * in its life (power loss right after failback; no such difference at deadtime 5 s), a figure
 * about restarts, not about power loss.
 */
const SESSIONS: readonly (readonly BaselineOp[])[] = [['standby', 'takeover', 'stop', 'failback'], ['power']];

export interface OpResult {
  /**
   * Client gaps in ms: the new holder's first answer minus the old holder's last (power loss:
   * minus the moment of the cut, as the old node's last answer is then not its own doing).
   */
  gaps: number[];
  /** ms from the operation (command run, signal sent, daemon restarted, power cut) to the new holder's first answer. */
  sinceOp: number[];
  /** ms from the operation until the old holder no longer had the VIP (not for power loss). */
  released: number[];
  /** ms the VIP was on neither node: from its removal on the old holder (power loss: the cut) to its addition on the new; negative when both held it. */
  vacant: number[];
  /** ms from the VIP's addition on the new holder to the client's first answer from it (ARP). */
  toAnswer: number[];
  /** stop only: ms from the signal until the daemon had exited on that node. */
  exited: number[];
  /** One line per run that gave no figure, with why. */
  failures: string[];
}

export type BaselineResult = Partial<Record<BaselineOp, OpResult>>;

function emptyResult(ops: readonly BaselineOp[]): BaselineResult {
  const result: BaselineResult = {};
  for (const op of ops) result[op] = { gaps: [], sinceOp: [], released: [], vacant: [], toAnswer: [], exited: [], failures: [] };
  return result;
}

const OP_LABEL: Record<BaselineOp, string> = {
  power: 'power loss',
  stop: 'graceful stop',
  standby: 'standby',
  takeover: 'takeover',
  failback: 'failback',
};

const med = (values: number[]) => (values.length ? `${Math.round(median(values))}` : '-');

/** Per operation: the client gap's median, max and n; then where the time went (medians); failures. */
export function printGaps(print: (line: string) => void, label: string, result: BaselineResult): void {
  print(label);
  for (const op of ALL_OPS) {
    const r = result[op];
    if (!r) continue;
    const gap = r.gaps.length ? `gap median ${med(r.gaps)} ms, max ${Math.max(...r.gaps)} ms` : 'no gap measured';
    print(`  ${OP_LABEL[op].padEnd(13)} ${gap} (n=${r.gaps.length}); from the operation ${med(r.sinceOp)} ms`);
    const parts = [
      ...(r.released.length ? [`VIP released ${med(r.released)} ms after the operation`] : []),
      `on neither node ${med(r.vacant)} ms`,
      `added to first answer ${med(r.toAnswer)} ms`,
      ...(r.exited.length ? [`daemon exited ${med(r.exited)} ms after the signal`] : []),
    ];
    if (r.gaps.length) print(`  ${''.padEnd(13)} medians: ${parts.join(', ')}`);
    for (const failure of r.failures) print(`  ${''.padEnd(13)} failed: ${failure}`);
  }
}

/** Waits (bounded) until `check` holds; throws `what` after `timeoutMs`. */
export async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  if (!(await eventually(check, timeoutMs))) throw new Error(`${what}: not within ${timeoutMs} ms`);
}

export type Node = 'a' | 'b';
export const HOLDER: Record<Node, string> = { a: 'node-a', b: 'node-b' };

interface Figures {
  gap: number;
  sinceOp: number;
  released?: number;
  vacant?: number;
  toAnswer?: number;
}

/**
 * The namespace pair of one baseline session: nodes a and b (eth0 LAN, eth1 crossover), a
 * client, an HTTP server answering its node's name on 8080 on both nodes, a watcher of the VIP
 * on each node, the client's poller, and a scratch directory. dispose() ends everything (the
 * Lab kills by pid every process in its namespaces, the daemons under test included) and
 * deletes the namespaces.
 */
export class BaselinePair {
  readonly lab = new Lab();
  readonly root: string;
  poller: Watched | undefined;
  readonly holds: Partial<Record<Node, Watched>> = {};

  constructor(prefix: string) {
    this.root = mkdtempSync(join(tmpdir(), prefix));
  }

  build(): this {
    this.lab.buildPair();
    for (const node of ['a', 'b'] as const) {
      const http = spawn('ip', ['netns', 'exec', this.lab.ns(node), process.execPath, '-e', `require('http').createServer((q, s) => s.end('${HOLDER[node]}')).listen(8080)`], {
        stdio: 'ignore',
        detached: true,
      });
      http.unref();
      this.holds[node] = spawnWatched(this.lab, node, WATCH_ADDRESS(900));
    }
    return this;
  }

  /** Starts the client's poller (every 10 ms, for at most 15 min) and waits for `holder` to answer. */
  async watch(holder: Node, timeoutMs: number): Promise<void> {
    this.poller = spawnWatched(this.lab, 'client', POLL_VIP(900));
    await this.poller.waitFor(new RegExp(`"answer":"${HOLDER[holder]}"`), timeoutMs);
  }

  /** The pids in a node's network namespace with their command lines. */
  processes(node: NodeName): { pid: number; cmdline: string }[] {
    const pids = spawnSync('ip', ['netns', 'pids', this.lab.ns(node)], { encoding: 'utf8', timeout: 10_000 }).stdout?.split(/\s+/).filter(Boolean) ?? [];
    const out: { pid: number; cmdline: string }[] = [];
    for (const pid of pids) {
      try {
        out.push({ pid: Number(pid), cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim() });
      } catch {
        // exited meanwhile
      }
    }
    return out;
  }

  /**
   * Power loss: nothing the node does after the cut may reach the wire. Its processes are frozen
   * first (SIGSTOP), then its links go down, then the processes are killed -9. Killing at once
   * is not enough: keepalived's VRRP child has the parent-death signal set to SIGTERM, so the
   * parent's SIGKILL gave it the moment to send its priority-0 advert before its own SIGKILL
   * came (a 66 ms "power loss" handover instead of ~3 adverts).
   */
  powerOff(node: Node): number {
    const signal = (pids: number[], sig: NodeJS.Signals) => {
      for (const pid of pids) {
        try {
          process.kill(pid, sig);
        } catch {
          // gone
        }
      }
    };
    const pids = this.processes(node).map((p) => p.pid);
    const cut = Date.now();
    signal(pids, 'SIGSTOP');
    this.lab.exec(node, ['ip', 'link', 'set', 'eth0', 'down']);
    this.lab.exec(node, ['ip', 'link', 'set', 'eth1', 'down']);
    signal(pids, 'SIGKILL');
    signal(this.processes(node).map((p) => p.pid), 'SIGKILL');
    return cut;
  }

  /**
   * Runs `action` and waits (bounded) for the client's first answer from `to`. The gap is that
   * answer minus `from`'s last one, or minus the moment of the action when `fromAction` (power
   * loss). Then the answers must stay with `to` for `settleMs`: a handover that bounces back is
   * a failure, not a figure. An action that returns a time says when it really acted (after
   * its own preparation), and the figures count from then.
   */
  async move(from: Node, to: Node, action: () => unknown, opts: { timeoutMs: number; settleMs: number; fromAction?: boolean }): Promise<Figures> {
    const poller = this.poller!;
    const start = poller.lines.length;
    const holdsFrom = { a: this.holds.a?.lines.length ?? 0, b: this.holds.b?.lines.length ?? 0 };
    const called = Date.now();
    const acted = await action();
    const at = typeof acted === 'number' ? acted : called;
    await poller.waitFor(new RegExp(`"answer":"${HOLDER[to]}"`), opts.timeoutMs, start);
    const changes = events<ClientChange>(poller);
    const first = firstAnswerFrom(changes, HOLDER[to], called);
    if (!first) throw new Error(`no move from ${HOLDER[from]} to ${HOLDER[to]} found in the client's lines`);
    const gap = handoverGap(changes, HOLDER[from], HOLDER[to], called);
    const move = { firstNew: first.t, lastOld: gap === undefined ? undefined : first.t - gap };
    await sleep(opts.settleMs);
    const last = events<ClientChange>(poller).at(-1);
    if (last?.answer !== HOLDER[to]) throw new Error(`the VIP did not stay with ${HOLDER[to]}: the client's last answer is ${JSON.stringify(last)}`);
    const change = (node: Node, held: boolean) =>
      (this.holds[node]?.lines.slice(holdsFrom[node]) ?? [])
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { t: number; held: boolean })
        .find((e) => e.held === held)?.t;
    const released = opts.fromAction ? at : change(from, false);
    const added = change(to, true);
    const lastOld = opts.fromAction ? at : (move.lastOld ?? at);
    return {
      gap: move.firstNew - lastOld,
      sinceOp: move.firstNew - at,
      ...(released !== undefined && !opts.fromAction ? { released: released - at } : {}),
      ...(released !== undefined && added !== undefined ? { vacant: added - released } : {}),
      ...(added !== undefined ? { toAnswer: move.firstNew - added } : {}),
    };
  }

  dispose(): void {
    this.poller?.kill();
    for (const w of Object.values(this.holds)) w.kill();
    // The daemons fork (resource scripts, send_arp, respawned children): one that forked between
    // a listing of the namespace and its parent's death would outlive a single sweep, so sweep
    // until the nodes are empty (bounded) before the Lab's own sweep deletes the namespaces.
    const deadline = Date.now() + 5000;
    for (;;) {
      const left = [...this.processes('a'), ...this.processes('b')];
      if (left.length === 0 || Date.now() > deadline) break;
      for (const { pid } of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
    this.lab.dispose();
    // TWINBEAT_BASELINE_KEEP=1 keeps the configurations and logs for a look afterwards.
    if (process.env.TWINBEAT_BASELINE_KEEP) process.stderr.write(`  kept ${this.root}\n`);
    else rmSync(this.root, { recursive: true, force: true });
  }
}

/**
 * One pair of the daemon under test, node a its home (the VIP's preferred node). Each method
 * acts on one node; the session runner decides which node and measures the client's view.
 */
export abstract class BaselineSession extends BaselinePair {
  /** ms to wait after each move before the next operation, so none starts mid-transition. */
  settleMs = 3000;
  /** Bound on each move, beyond what the daemon's own timers explain. */
  abstract moveTimeoutMs(): number;
  /** Configures and starts both nodes; resolves once node a serves the VIP and the pair is steady. */
  abstract startPair(): Promise<void>;
  /** Starts the daemon on a node (again). */
  abstract startDaemon(node: Node): void;
  /** The daemon's processes on a node. */
  abstract daemonPids(node: Node): number[];
  /** Stops the daemon on a node as its init script or unit would: SIGTERM to its main process. Returns when the signal went. */
  abstract stopDaemon(node: Node): number;
  /** The node gives its resources away. */
  abstract standby(node: Node): void | Promise<void>;
  /** The node takes the resources. */
  abstract takeover(node: Node): void | Promise<void>;
  /** What to print when a run fails: the tail of each node's log. */
  abstract diagnostics(): string;
}

/**
 * Runs `runs` rounds of sessions of fresh pairs from `make` and measures each operation of
 * `ops`; a step another operation needs (standby before takeover, stop before failback) runs
 * unmeasured when not asked for. A failed step ends its session: the rest of that session's
 * operations are counted as not reached.
 */
export async function runBaseline(
  label: string,
  make: () => BaselineSession,
  opts: { runs: number; ops: readonly BaselineOp[]; log?: (line: string) => void },
): Promise<BaselineResult> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const result = emptyResult(opts.ops);
  const wanted = (op: BaselineOp) => opts.ops.includes(op);
  const needed = (op: BaselineOp) => wanted(op) || (op === 'standby' && wanted('takeover')) || (op === 'stop' && wanted('failback'));
  for (let run = 1; run <= opts.runs; run++) {
    for (const session of SESSIONS) {
      const steps = session.filter(needed);
      if (steps.length === 0) continue;
      const pair = make();
      let current: BaselineOp | undefined;
      try {
        pair.build();
        await pair.startPair();
        const bound = { timeoutMs: pair.moveTimeoutMs(), settleMs: pair.settleMs };
        for (const op of steps) {
          current = op;
          let figures: Figures;
          let exited: number | undefined;
          if (op === 'standby') figures = await pair.move('a', 'b', () => pair.standby('a'), bound);
          else if (op === 'takeover') figures = await pair.move('b', 'a', () => pair.takeover('a'), bound);
          else if (op === 'failback') figures = await pair.move('b', 'a', () => pair.startDaemon('a'), bound);
          else if (op === 'power') figures = await pair.move('a', 'b', () => pair.powerOff('a'), { ...bound, fromAction: true });
          else {
            // The daemon's shutdown may go on after the peer took over: its exit is watched
            // from the signal on, alongside the client, and failback needs it done.
            let exit: Promise<number> | undefined;
            figures = await pair.move('a', 'b', () => {
              const signalled = pair.stopDaemon('a');
              exit = waitUntil(() => pair.daemonPids('a').length === 0, 120_000, 'the daemon on node a to exit after SIGTERM').then(() => Date.now() - signalled);
              exit.catch(() => undefined);
              return signalled;
            }, bound);
            exited = await exit;
          }
          if (wanted(op)) {
            const r = result[op]!;
            r.gaps.push(figures.gap);
            r.sinceOp.push(figures.sinceOp);
            if (figures.released !== undefined) r.released.push(figures.released);
            if (figures.vacant !== undefined) r.vacant.push(figures.vacant);
            if (figures.toAnswer !== undefined) r.toAnswer.push(figures.toAnswer);
            if (exited !== undefined) r.exited.push(exited);
            log(`  ${label} run ${run} ${op}: gap ${figures.gap} ms, ${JSON.stringify({ ...figures, exited })}`);
          }
          current = undefined;
        }
      } catch (err) {
        const why = (err as Error).message.split('\n')[0] ?? '';
        const at = current ?? 'start-up';
        log(`  ${label} run ${run} failed at ${at}: ${why}\n${pair.diagnostics()}`);
        const index = current ? steps.indexOf(current) : -1;
        for (const op of steps) {
          if (!wanted(op)) continue;
          if (op === current) result[op]?.failures.push(`run ${run}: ${why}`);
          else if (steps.indexOf(op) > index) result[op]?.failures.push(`run ${run}: not reached (${at} failed)`);
        }
      } finally {
        pair.dispose();
      }
    }
  }
  return result;
}

/**
 * Live processes named `names` anywhere once a baseline is over (there must be none: everything
 * it started ran in its namespaces, which dispose() emptied). Zombies waiting for pid 1 to reap
 * them are not counted. Only reported, never killed here: a process this bench did not start is
 * not its to end.
 */
export function survivors(names: string[]): string[] {
  const out = spawnSync('ps', ['-eo', 'pid=,stat=,comm=,args='], { encoding: 'utf8', timeout: 10_000 }).stdout ?? '';
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((line) => {
      const [, stat = '', comm = ''] = line.split(/\s+/);
      return !stat.startsWith('Z') && names.some((n) => comm.startsWith(n));
    });
}

/** The last `n` lines of a file, or '' when it does not exist. */
export function tail(file: string, n = 25): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}
