// `npm run bench compare` (root; issue 23): twinbeat, keepalived 2.2.7 and Heartbeat 3.0.6 side
// by side in one run, in the same namespaces (BaselinePair), with the same faults and the same
// client polling the VIP every 10 ms:
//
// - power loss of the active node (its processes frozen, its links down, all killed -9): the gap
//   from the cut to the first answer from the other node;
// - SIGTERM of the active daemon (what systemd sends): the client's gap, the old holder's last
//   answer to the new holder's first;
// - idle: both nodes up, keepalive 1 s (keepalived advert 1), CPU of the daemon and everything
//   it runs (its children's time included) over a minute, and its RSS and PSS, on the active
//   node and on the standby; and beside them the floor: bare Node doing the same I/O and
//   nothing else (node-floor.mjs). twinbeat and the floor run with the Node flags and the
//   scheduling of twinbeat's systemd unit; twinbeat idles once more as systemd runs it, with
//   the unit's notify socket and watchdog (socat standing in for PID 1; skipped without socat).
//
// The runs are interleaved (one of each daemon per round), so that a machine that gets busier or
// quieter during the bench shifts all three alike. twinbeat's and Heartbeat's timing:
// TWINBEAT_COMPARE_TIMING (keepalive/deadtime, default 100ms/300ms); keepalived's advert:
// TWINBEAT_COMPARE_ADVERT (default 0.1, whose Master_Down_Interval of 3 adverts + skew is 361 ms
// for priority 100); rounds: TWINBEAT_COMPARE_RUNS (5); idle seconds: TWINBEAT_COMPARE_IDLE_S
// (60; 0 skips idle). The bench installs nothing: a daemon that is missing is a column skipped
// with the reason (docs/development.md says how to install them without starting them).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { CROSSOVER, labUnavailable } from '../helpers/netns';
import { BUNDLE, spawnWatched } from '../helpers/pair';
import { BaselinePair, runBaseline, survivors, type BaselineResult, type BaselineSession, type Node } from './baseline-common';
import { HeartbeatPair, heartbeatUnavailable } from './baseline-heartbeat';
import { KeepalivedPair, keepalivedUnavailable } from './baseline-keepalived';
import { asTheUnitRuns, descendants, haMs, TwinbeatPair } from './baseline-twinbeat';
import { median } from './stats';
import type { TakeoverTrace } from '../../src/snapshot';

type Daemon = 'twinbeat' | 'keepalived' | 'heartbeat';
const DAEMONS: readonly Daemon[] = ['twinbeat', 'keepalived', 'heartbeat'];

const RUNS = Number(process.env.TWINBEAT_COMPARE_RUNS ?? 5);
const IDLE_S = Number(process.env.TWINBEAT_COMPARE_IDLE_S ?? 60);
const [KEEPALIVE = '100ms', DEADTIME = '300ms'] = (process.env.TWINBEAT_COMPARE_TIMING ?? '100ms/300ms').split('/');
const ADVERT = Number(process.env.TWINBEAT_COMPARE_ADVERT ?? 0.1);

/** The crossover's broadcast address (198.51.100.0/24), where `bcast eth1` sends. */
const CROSSOVER_BROADCAST = '198.51.100.255';

/** keepalived's Master_Down_Interval for the backup (priority 100): 3 adverts + (256 - 100) / 256 of one. */
const masterDownMs = (advert: number) => Math.round((3 + (256 - 100) / 256) * advert * 1000);

interface Idle {
  cpuPercent: number;
  rssMiB: number;
  pssMiB: number;
  /** The Node processes alone (twinbeat's agent without its `ip` children; the floor). */
  nodeRssMiB: number;
  nodePssMiB: number;
  processes: number;
}

const isNode = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'node';
  } catch {
    return false;
  }
};

function machine(): string {
  const model = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const kernel = spawnSync('uname', ['-r'], { encoding: 'utf8' }).stdout.trim();
  return `${model}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Linux ${kernel}, Node ${process.version}`;
}

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

/**
 * CPU time of a process in ns: its threads' run time as the scheduler counts it (schedstat, ns;
 * clock ticks of 10 ms would show an idle daemon as 0 or 1 tick a minute), plus the time of the
 * children it reaped (scripts, arping; cutime and cstime, in ticks: all the kernel keeps).
 */
export function cpuNs(pid: number): number {
  try {
    let ns = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // the thread ended meanwhile
      }
    }
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ns + (Number(fields[13]) + Number(fields[14])) * 1e7;
  } catch {
    return 0;
  }
}

export function kib(file: string, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(file, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** CPU (% of one core) of each node's daemon over `seconds`, and its memory at the end. */
async function measureIdle(daemonPids: (node: Node) => number[], seconds: number): Promise<Record<Node, Idle>> {
  const pidsOf = (node: Node) => {
    const own = daemonPids(node);
    return [...new Set([...own, ...descendants(own)])];
  };
  const before: Record<Node, Map<number, number>> = { a: new Map(), b: new Map() };
  for (const node of ['a', 'b'] as const) for (const pid of pidsOf(node)) before[node].set(pid, cpuNs(pid));
  const started = Date.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const elapsedS = (Date.now() - started) / 1000;
  const out = {} as Record<Node, Idle>;
  for (const node of ['a', 'b'] as const) {
    const pids = pidsOf(node);
    // A process that came meanwhile counts from 0; one that left, not at all (its parent reaped it: cutime).
    const usedNs = pids.reduce((sum, pid) => sum + cpuNs(pid) - (before[node].get(pid) ?? 0), 0);
    out[node] = {
      cpuPercent: (usedNs / 1e9 / elapsedS) * 100,
      rssMiB: pids.reduce((s, pid) => s + kib(`/proc/${pid}/status`, 'VmRSS'), 0) / 1024,
      pssMiB: pids.reduce((s, pid) => s + kib(`/proc/${pid}/smaps_rollup`, 'Pss'), 0) / 1024,
      nodeRssMiB: pids.filter(isNode).reduce((s, pid) => s + kib(`/proc/${pid}/status`, 'VmRSS'), 0) / 1024,
      nodePssMiB: pids.filter(isNode).reduce((s, pid) => s + kib(`/proc/${pid}/smaps_rollup`, 'Pss'), 0) / 1024,
      processes: pids.length,
    };
  }
  return out;
}

/** Bare Node doing an idle pair's I/O (node-floor.mjs) in the same namespaces: what no Node agent can go below. */
async function measureFloor(log: (line: string) => void): Promise<Record<Node, Idle> | undefined> {
  log(`compare: idle floor (bare Node), ${IDLE_S} s (load ${load()})`);
  const pair = new BaselinePair('tb-floor-');
  try {
    pair.build();
    const script = fileURLToPath(new URL('./node-floor.mjs', import.meta.url));
    // With the unit's Node flags and scheduling, as twinbeat runs: the floor of the same Node.
    const unit = asTheUnitRuns();
    for (const node of ['a', 'b'] as const) spawnWatched(pair.lab, node, [...unit.prefix, process.execPath, ...unit.nodeFlags, script, CROSSOVER_BROADCAST, node === 'a' ? CROSSOVER.b : CROSSOVER.a]);
    await new Promise((r) => setTimeout(r, 10_000));
    const floorPids = (node: Node) => pair.processes(node).filter((p) => p.cmdline.includes('node-floor.mjs')).map((p) => p.pid);
    return await measureIdle(floorPids, IDLE_S);
  } catch (err) {
    log(`compare: idle floor failed: ${(err as Error).message.split('\n')[0]}`);
    return undefined;
  } finally {
    pair.dispose();
  }
}

function sessionFor(daemon: Daemon, idle: boolean): BaselineSession {
  const common = { runs: 1, ops: [] as const };
  if (daemon === 'twinbeat') return new TwinbeatPair({ ...common, keepalive: idle ? '1s' : KEEPALIVE, deadtime: idle ? '3s' : DEADTIME });
  if (daemon === 'keepalived') return new KeepalivedPair({ ...common, shape: 'unicast', advert: idle ? 1 : ADVERT });
  return new HeartbeatPair({ ...common, shape: 'tutorial', keepalive: idle ? '1' : KEEPALIVE, deadtime: idle ? '3' : DEADTIME });
}

function merge(into: BaselineResult, from: BaselineResult): void {
  for (const [op, r] of Object.entries(from) as [keyof BaselineResult, NonNullable<BaselineResult['power']>][]) {
    const target = (into[op] ??= { gaps: [], sinceOp: [], released: [], vacant: [], toAnswer: [], exited: [], failures: [] });
    for (const key of ['gaps', 'sinceOp', 'released', 'vacant', 'toAnswer', 'exited', 'failures'] as const) (target[key] as unknown[]).push(...(r[key] as unknown[]));
  }
}

const cell = (values: number[]) => (values.length ? `${Math.round(median(values))} (${Math.round(Math.min(...values))}-${Math.round(Math.max(...values))})` : '-');
const ratio = (ours: number[], theirs: number[]) => (ours.length && theirs.length ? (median(ours) / median(theirs)).toFixed(2) : '-');

export async function runCompareBench(print: (line: string) => void): Promise<void> {
  const noLab = labUnavailable(['ip', 'arping']);
  if (noLab) return print(`compare: skipped: ${noLab}`);
  if (!existsSync(BUNDLE)) return print(`compare: skipped: ${BUNDLE} is missing (npm run build)`);
  const skipped: Partial<Record<Daemon, string>> = {};
  const k = keepalivedUnavailable();
  if (k) skipped.keepalived = k;
  const h = heartbeatUnavailable('tutorial');
  if (h) skipped.heartbeat = h;
  const running = DAEMONS.filter((d) => !skipped[d]);
  const uptimeBefore = execFileSync('uptime', { encoding: 'utf8' }).trim();

  const results: Record<Daemon, BaselineResult> = { twinbeat: {}, keepalived: {}, heartbeat: {} };
  // twinbeat's power losses: the cut, and node b's trace (the decision's wall time).
  const detections: number[] = [];
  const overheads: number[] = [];
  const traces: TakeoverTrace[] = [];
  const log = (line: string) => process.stderr.write(`${line}\n`);
  for (let round = 1; round <= RUNS; round++) {
    log(`compare: round ${round} of ${RUNS} (load ${load()})`);
    for (const daemon of running) {
      const gapsBefore = results[daemon].power?.gaps.length ?? 0;
      let cut: number | undefined;
      let trace: TakeoverTrace | undefined;
      const make = () => {
        if (daemon !== 'twinbeat') return sessionFor(daemon, false);
        return new TwinbeatPair({
          runs: 1,
          ops: [],
          keepalive: KEEPALIVE,
          deadtime: DEADTIME,
          onPowerLoss: (at, t) => {
            cut = at;
            trace = t;
          },
        });
      };
      merge(results[daemon], await runBaseline(`${daemon} round ${round}`, make, { runs: 1, ops: ['power', 'stop'], log }));
      const gap = results[daemon].power?.gaps[gapsBefore];
      const decision = trace?.marks.find((m) => m.step === 'decision');
      if (daemon === 'twinbeat' && gap !== undefined && cut !== undefined && decision && trace) {
        const detection = Date.parse(decision.at) - cut;
        detections.push(detection);
        overheads.push(gap - detection);
        traces.push(trace);
      }
    }
  }

  const idle: Partial<Record<Daemon | 'twinbeat-systemd', Record<Node, Idle>>> = {};
  // twinbeat once more as systemd runs the unit: its notify socket and watchdog (socat plays PID 1).
  const noSocat = spawnSync('socat', ['-V']).error ? 'socat is not installed' : undefined;
  if (IDLE_S > 0) {
    for (const daemon of [...running, ...(running.includes('twinbeat') && !noSocat ? (['twinbeat-systemd'] as const) : [])]) {
      log(`compare: idle ${daemon}, ${IDLE_S} s (load ${load()})`);
      const session = daemon === 'twinbeat-systemd' ? new TwinbeatPair({ runs: 1, ops: [], keepalive: '1s', deadtime: '3s', systemd: true }) : sessionFor(daemon, true);
      try {
        session.build();
        await session.startPair();
        // Past the start-up tail (the paced gratuitous ARPs, the first checks).
        await new Promise((r) => setTimeout(r, 10_000));
        idle[daemon] = await measureIdle((node) => session.daemonPids(node), IDLE_S);
      } catch (err) {
        log(`compare: idle ${daemon} failed: ${(err as Error).message.split('\n')[0]}\n${session.diagnostics()}`);
      } finally {
        session.dispose();
      }
    }
  }
  const floor = IDLE_S > 0 ? await measureFloor(log) : undefined;
  const uptimeAfter = execFileSync('uptime', { encoding: 'utf8' }).trim();

  const label: Record<Daemon, string> = {
    twinbeat: `twinbeat ${KEEPALIVE}/${DEADTIME}`,
    keepalived: `keepalived 2.2.7 advert ${ADVERT}`,
    heartbeat: `Heartbeat 3.0.6 ${KEEPALIVE}/${DEADTIME}`,
  };
  print(`compare: twinbeat, keepalived and Heartbeat side by side, ${RUNS} interleaved rounds, the tutorial's shape (VRRPv3 unicast over the crossover for keepalived)`);
  print(`  machine: ${machine()}; shared with other work: load before ${uptimeBefore.replace(/.*load average: /, '')}, after ${uptimeAfter.replace(/.*load average: /, '')}`);
  for (const daemon of DAEMONS) if (skipped[daemon]) print(`  ${daemon}: skipped: ${skipped[daemon]}`);
  const gaps = (d: Daemon, op: 'power' | 'stop') => results[d][op]?.gaps ?? [];
  const nominal: Record<Daemon, number> = { twinbeat: haMs(DEADTIME), keepalived: masterDownMs(ADVERT), heartbeat: haMs(DEADTIME) };
  const minusNominal = (d: Daemon) => gaps(d, 'power').map((g) => g - nominal[d]);
  const header = ['', label.twinbeat, label.keepalived, 'ratio', label.heartbeat, 'ratio'];
  const rows: string[][] = [
    ['power loss: gap, ms, median (min-max)', cell(gaps('twinbeat', 'power')), cell(gaps('keepalived', 'power')), ratio(gaps('twinbeat', 'power'), gaps('keepalived', 'power')), cell(gaps('heartbeat', 'power')), ratio(gaps('twinbeat', 'power'), gaps('heartbeat', 'power'))],
    [`power loss: gap - nominal detection (deadtime; keepalived ${masterDownMs(ADVERT)} ms)`, cell(minusNominal('twinbeat')), cell(minusNominal('keepalived')), '', cell(minusNominal('heartbeat')), ''],
    ['SIGTERM: client gap, ms', cell(gaps('twinbeat', 'stop')), cell(gaps('keepalived', 'stop')), ratio(gaps('twinbeat', 'stop'), gaps('keepalived', 'stop')), cell(gaps('heartbeat', 'stop')), ratio(gaps('twinbeat', 'stop'), gaps('heartbeat', 'stop'))],
  ];
  const idleRow = (what: string, node: Node, pick: (i: Idle) => number, digits: number) => {
    const v = (d: Daemon) => idle[d]?.[node];
    const show = (d: Daemon) => (v(d) ? pick(v(d)!).toFixed(digits) : '-');
    const r = (d: Daemon) => {
      const ours = v('twinbeat');
      const theirs = v(d);
      return ours && theirs && pick(theirs) > 0 ? (pick(ours) / pick(theirs)).toFixed(1) : '-';
    };
    return [what, show('twinbeat'), show('keepalived'), r('keepalived'), show('heartbeat'), r('heartbeat')];
  };
  if (IDLE_S > 0) {
    rows.push(
      idleRow(`idle CPU, % of a core, active (${IDLE_S} s, keepalive 1 s / advert 1)`, 'a', (i) => i.cpuPercent, 3),
      idleRow('idle CPU, % of a core, standby', 'b', (i) => i.cpuPercent, 3),
      idleRow('RSS, MiB, active (all its processes)', 'a', (i) => i.rssMiB, 1),
      idleRow('PSS, MiB, active', 'a', (i) => i.pssMiB, 1),
      idleRow('RSS, MiB, standby', 'b', (i) => i.rssMiB, 1),
    );
  }
  const widths = header.map((_, c) => Math.max(...[header, ...rows].map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => `  | ${r.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join(' | ')} |`;
  print(line(header));
  print(`  |${widths.map((w, c) => (c === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const r of rows) print(line(r));
  if (floor) {
    const idleOf = (d: Daemon, node: Node) => idle[d]?.[node];
    const times = (ours: number | undefined, base: number) => (ours !== undefined && base > 0 ? ` (twinbeat ${(ours / base).toFixed(1)} times)` : '');
    const flags = asTheUnitRuns().nodeFlags.join(' ');
    print(
      `  the floor, bare Node ${process.version}${flags ? ` ${flags}` : ''} doing an idle pair's I/O and nothing else (node-floor.mjs, same namespaces): ` +
        `CPU ${floor.a.cpuPercent.toFixed(3)} %${times(idleOf('twinbeat', 'a')?.cpuPercent, floor.a.cpuPercent)} and ${floor.b.cpuPercent.toFixed(3)} %${times(idleOf('twinbeat', 'b')?.cpuPercent, floor.b.cpuPercent)}, ` +
        `RSS ${floor.a.rssMiB.toFixed(1)} MiB${times(idleOf('twinbeat', 'a')?.rssMiB, floor.a.rssMiB)}, PSS ${floor.a.pssMiB.toFixed(1)} MiB`,
    );
    const tb = idle.twinbeat?.a;
    if (tb) print(`  twinbeat's Node process alone (without its ip children), active: RSS ${tb.nodeRssMiB.toFixed(1)} MiB${times(tb.nodeRssMiB, floor.a.rssMiB)}, PSS ${tb.nodePssMiB.toFixed(1)} MiB`);
  }
  const sd = idle['twinbeat-systemd'];
  if (sd) {
    print(
      `  twinbeat as systemd runs the unit (NOTIFY_SOCKET, WATCHDOG_USEC: status on change, a systemd-notify every WatchdogSec / 2): ` +
        `CPU ${sd.a.cpuPercent.toFixed(3)} % active, ${sd.b.cpuPercent.toFixed(3)} % standby; its Node process RSS ${sd.a.nodeRssMiB.toFixed(1)} MiB, PSS ${sd.a.nodePssMiB.toFixed(1)} MiB ` +
        `(the systemd-notify processes wait up to 5 s for a barrier socat does not answer, so they are not counted in memory)`,
    );
  } else if (IDLE_S > 0 && noSocat) print(`  twinbeat as systemd runs the unit: skipped: ${noSocat}`);
  if (detections.length) {
    print(`  twinbeat power loss, from its trace: detection (cut to decision) median ${Math.round(median(detections))} ms; decision to the client's first answer median ${Math.round(median(overheads))} ms (${overheads.map(Math.round).join(', ')})`);
    const step = (name: 'decisionToVipMs' | 'decisionToArpMs' | 'decisionToEndMs') => median(traces.flatMap((t) => (t[name] !== undefined ? [t[name]!] : [])));
    print(`  twinbeat trace medians: decision to VIP added ${step('decisionToVipMs')} ms, to first gratuitous ARP ${step('decisionToArpMs')} ms, to group held ${step('decisionToEndMs')} ms`);
  }
  for (const d of running) {
    for (const op of ['power', 'stop'] as const) for (const f of results[d][op]?.failures ?? []) print(`  ${d} ${op} failed: ${f.split('\n')[0]}`);
  }
  const left = survivors(['heartbeat', 'keepalived']);
  if (left.length) print(`  processes left running (not ended here): ${left.join('; ')}`);
}
