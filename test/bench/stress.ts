// `npm run bench stress` (root; issue 23): pairs that must not fail over while the machine is
// busy. Every pair is started first, side by side in namespaces of its own: twinbeat at each
// keepalive/deadtime of TWINBEAT_STRESS_TIMINGS (default 100ms/300ms, 70ms/200ms, 50ms/150ms;
// deadtime must be more than twice keepalive)
// and keepalived at each advert of TWINBEAT_STRESS_ADVERTS (default 0.1 and 0.05); then
// `stress-ng --cpu 2 --io 2 --vm 1` (TWINBEAT_STRESS_LOAD) runs for TWINBEAT_STRESS_S seconds
// (default 300) while every pair stays as it is. Nothing happens to any node, so any move of
// the VIP is a false failover: the VIP seen on node b (its watcher, every 10 ms) or the client
// answered by node b. twinbeat's own log says more: paths or the peer declared dead, late
// heartbeats (warntime is two thirds of deadtime). One stress run serves every pair, so all see
// the same load. The bench installs nothing: without stress-ng it says so and stops.
import { spawn, spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { labUnavailable } from '../helpers/netns';
import { BUNDLE } from '../helpers/pair';
import { existsSync } from 'node:fs';
import type { BaselineSession } from './baseline-common';
import { keepalivedUnavailable, KeepalivedPair } from './baseline-keepalived';
import { haMs, TwinbeatPair } from './baseline-twinbeat';
import { median } from './stats';

const SECONDS = Number(process.env.TWINBEAT_STRESS_S ?? 300);
const TIMINGS = (process.env.TWINBEAT_STRESS_TIMINGS ?? '100ms/300ms,70ms/200ms,50ms/150ms').split(',').filter(Boolean);
const ADVERTS = (process.env.TWINBEAT_STRESS_ADVERTS ?? '0.1,0.05').split(',').filter(Boolean).map(Number);
const LOAD = (process.env.TWINBEAT_STRESS_LOAD ?? '--cpu 2 --io 2 --vm 1').split(/\s+/).filter(Boolean);

/** keepalived's Master_Down_Interval for the backup (priority 100): 3 adverts + (256 - 100) / 256 of one. */
const masterDownMs = (advert: number) => Math.round((3 + (256 - 100) / 256) * advert * 1000);

export interface Contender {
  label: string;
  /** When the peer counts as dead, ms. */
  detectionMs: number;
  session: BaselineSession;
  twinbeat?: TwinbeatPair;
  /** Where each watcher's and the agent's lines stood when the stress began. */
  from: { holdB: number; poller: number; logB: number; logA: number };
}

export interface Verdict {
  vipOnB: number;
  clientSawB: number;
  peerDead?: number;
  pathsDead?: number;
  late?: number;
  worstLateMs?: number;
}

/** From now on: what the watchers and the agents say before this point is not judged. */
export function markFrom(c: Contender): void {
  c.from = {
    holdB: c.session.holds.b?.lines.length ?? 0,
    poller: c.session.poller?.lines.length ?? 0,
    logA: c.twinbeat?.logLines('a').length ?? 0,
    logB: c.twinbeat?.logLines('b').length ?? 0,
  };
}

const linesSince = (lines: readonly string[] | undefined, from: number) => (lines ?? []).slice(from);

/** What the watchers and twinbeat's log saw of one pair since `c.from`. */
export function verdictOf(c: Contender): Verdict {
  const holds = linesSince(c.session.holds.b?.lines, c.from.holdB).filter((l) => l.startsWith('{') && (JSON.parse(l) as { held: boolean }).held);
  const answers = linesSince(c.session.poller?.lines, c.from.poller).filter((l) => /"answer":"node-b"/.test(l));
  const verdict: Verdict = { vipOnB: holds.length, clientSawB: answers.length };
  if (c.twinbeat) {
    const log = [...linesSince(c.twinbeat.logLines('a'), c.from.logA), ...linesSince(c.twinbeat.logLines('b'), c.from.logB)];
    const late = log.flatMap((l) => /Late heartbeat: Node \S+: interval (\d+) ms/.exec(l)?.[1] ?? []).map(Number);
    verdict.peerDead = log.filter((l) => /: is dead/.test(l)).length;
    verdict.pathsDead = log.filter((l) => /Link \S+ dead\./.test(l)).length;
    verdict.late = late.length;
    if (late.length) verdict.worstLateMs = Math.max(...late);
  }
  return verdict;
}

/** The VIP moved (seen on node b or by the client) or a node declared its peer dead. */
export const falseFailover = (v: Verdict) => v.vipOnB > 0 || v.clientSawB > 0 || (v.peerDead ?? 0) > 0;

function contenders(): Contender[] {
  const none = { holdB: 0, poller: 0, logA: 0, logB: 0 };
  const out: Contender[] = [];
  for (const timing of TIMINGS) {
    const [keepalive = '100ms', deadtime = '300ms'] = timing.split('/');
    const twinbeat = new TwinbeatPair({ runs: 1, ops: [], keepalive, deadtime });
    out.push({ label: `twinbeat ${keepalive}/${deadtime}`, detectionMs: haMs(deadtime), session: twinbeat, twinbeat, from: none });
  }
  const noKeepalived = keepalivedUnavailable();
  if (!noKeepalived) {
    for (const advert of ADVERTS) {
      out.push({ label: `keepalived advert ${advert}`, detectionMs: masterDownMs(advert), session: new KeepalivedPair({ shape: 'unicast', advert, runs: 1, ops: [] }), from: none });
    }
  }
  return out;
}

export async function runStressBench(print: (line: string) => void): Promise<void> {
  const noLab = labUnavailable(['ip', 'arping']);
  if (noLab) return print(`stress: skipped: ${noLab}`);
  if (!existsSync(BUNDLE)) return print(`stress: skipped: ${BUNDLE} is missing (npm run build)`);
  if (spawnSync('stress-ng', ['--version']).error) return print('stress: skipped: stress-ng is not installed (apt-get install stress-ng)');
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const noKeepalived = keepalivedUnavailable();
  if (noKeepalived) print(`  keepalived: skipped: ${noKeepalived}`);
  const all: Contender[] = [];
  let stress: ReturnType<typeof spawn> | undefined;
  try {
    for (const c of contenders()) {
      log(`stress: starting ${c.label}`);
      all.push(c);
      try {
        c.session.build();
        await c.session.startPair();
      } catch (err) {
        // One pair that does not start (a timing its configuration refuses) leaves the others.
        print(`  ${c.label}: did not start: ${(err as Error).message.split('\n')[0]}\n${c.session.diagnostics()}`);
        c.session.dispose();
        all.pop();
      }
    }
    for (const c of all) markFrom(c);
    const loads: number[] = [];
    const sampler = setInterval(() => loads.push(loadavg()[0]!), 5000);
    log(`stress: stress-ng ${LOAD.join(' ')} for ${SECONDS} s (load ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
    stress = spawn('stress-ng', [...LOAD, '--timeout', `${SECONDS}s`, '--quiet'], { stdio: 'ignore' });
    const running = stress;
    const ended = new Promise<void>((resolve) => running.on('exit', () => resolve()));
    // Bounded: stress-ng stops itself at its timeout; this is the bench's own limit on top.
    const limit = setTimeout(() => running.kill('SIGTERM'), (SECONDS + 60) * 1000);
    await ended;
    clearTimeout(limit);
    clearInterval(sampler);
    // The last moments of the load still count: a takeover decided at its end shows a little later.
    await new Promise((r) => setTimeout(r, 3000));

    print(`stress: ${all.length} pairs side by side, stress-ng ${LOAD.join(' ')} for ${SECONDS} s; nothing done to any node, so every move of the VIP is false`);
    print(`  load average (1 min) during the run: median ${loads.length ? median(loads).toFixed(1) : '-'}, max ${loads.length ? Math.max(...loads).toFixed(1) : '-'}`);
    print('  | pair | detection, ms | false failovers | VIP on node b (watcher lines) | peer declared dead | paths declared dead | late heartbeats (worst, ms) |');
    print('  | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    const passing: Contender[] = [];
    for (const c of all) {
      const v = verdictOf(c);
      if (!falseFailover(v)) passing.push(c);
      const show = (n: number | undefined) => (n === undefined ? '-' : String(n));
      print(`  | ${c.label} | ${c.detectionMs} | ${falseFailover(v) ? 'YES' : '0'} | ${v.vipOnB} | ${show(v.peerDead)} | ${show(v.pathsDead)} | ${show(v.late)}${v.worstLateMs ? ` (${v.worstLateMs})` : ''} |`);
    }
    const lowest = (daemon: string) => passing.filter((c) => c.label.startsWith(daemon)).sort((x, y) => x.detectionMs - y.detectionMs)[0];
    for (const daemon of ['twinbeat', 'keepalived']) {
      const best = lowest(daemon);
      if (all.some((c) => c.label.startsWith(daemon))) print(`  ${daemon}: lowest detection time without a false failover: ${best ? `${best.detectionMs} ms (${best.label})` : 'none of those tried'}`);
    }
  } finally {
    // An interrupted bench ends its stress-ng (which ends its workers) before the pairs.
    if (stress && stress.exitCode === null && stress.signalCode === null) stress.kill('SIGTERM');
    for (const c of all) {
      try {
        c.session.dispose();
      } catch (err) {
        log(`stress: disposing ${c.label}: ${(err as Error).message}`);
      }
    }
  }
}
