// The pair's bench (root): the failover gap as the client sees it, from the power loss of the
// active node (interfaces down and agent killed -9 in one step) to the first answer from the
// other node on the VIP, polled every 10 ms; the graceful gap (SIGTERM of the active); and one
// idle agent's RSS, PSS and CPU over 30 s at keepalive 1. Both nodes run an HTTP server all the
// time, so the gap is the VIP's move alone, as in the Heartbeat baseline (heartbeat-baseline.ts).
// Failover and lan wire the pair in the seed tutorial's shape (bcast eth1 + ucast eth1, no
// serial line, a bare VIP): the table of failures (docs/failover.md) is measured in it.
import { readFileSync } from 'node:fs';
import { FAST, Pair, type PairSettings } from '../helpers/pair';
import { labUnavailable } from '../helpers/netns';
import { median } from './stats';

const RUNS = Number(process.env.TWINBEAT_BENCH_RUNS ?? 10);

const SETTINGS: [keepalive: string, deadtime: string, warntime: string, deadtimeMs: number][] = [
  ['100ms', '300ms', '200ms', 300],
  ['200ms', '1s', '600ms', 1000],
  ['1s', '3s', '2s', 3000],
];

const SHAPE = 'tutorial' as const;

function settings(keepalive: string, deadtime: string, warntime: string): PairSettings {
  return { ...FAST, keepalive, deadtime, warntime, initdead: '3s', services: '', shape: SHAPE };
}

/** A pair serving from node a, both HTTP servers up, the client watching. */
async function servingPair(s: PairSettings): Promise<{ pair: Pair; client: ReturnType<Pair['watchClient']> }> {
  const pair = await new Pair(s).build();
  for (const node of ['a', 'b'] as const) {
    pair.spawnIn(node, [process.execPath, '-e', `require('http').createServer((q, r) => r.end('${pair.name(node)}')).listen(8080)`]);
  }
  pair.startAgent('a');
  const b = pair.startAgent('b');
  const client = pair.watchClient(300);
  await client.waitFor(/"answer":"node-a"/, 30_000);
  await b.waitFor(/Link node-a:eth1 up\./, 30_000);
  await new Promise((r) => setTimeout(r, 1500));
  return { pair, client };
}

/**
 * How the active node is taken out: power loss (interfaces down, agent killed -9), a graceful
 * stop (SIGTERM), or its LAN cable pulled (eth0 loses carrier; serial and crossover stay up, so
 * the peer is never lost: carrier tracking moves the group).
 */
type Cause = 'power' | 'sigterm' | 'lan';

async function gap(s: PairSettings, how: Cause): Promise<number | undefined> {
  const { pair, client } = await servingPair(s);
  try {
    const from = client.lines.length;
    const at = Date.now();
    if (how === 'power') pair.powerOff('a');
    else if (how === 'lan') pair.lab.exec('a', ['ip', 'link', 'set', 'eth0', 'down']);
    else pair.agents.a?.kill('SIGTERM');
    const line = await client.waitFor(/"answer":"node-b"/, 30_000, from);
    return (JSON.parse(line) as { t: number }).t - at;
  } catch (err) {
    process.stderr.write(`  run failed: ${(err as Error).message.split('\n')[0]}\n`);
    return undefined;
  } finally {
    pair.dispose();
  }
}

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

function kib(file: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(file, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

async function idle(print: (l: string) => void) {
  // Idle is measured in the suites' shape (ucast eth1 + serial), as its figures in docs/performance.md were.
  const { pair } = await servingPair({ ...FAST, keepalive: '1s', deadtime: '10s', warntime: '5s', initdead: '10s', services: '' });
  try {
    const pid = pair.agents.a!.child.pid!;
    // Past the start-up tail (module loading, the paced gratuitous ARPs) before measuring.
    await new Promise((r) => setTimeout(r, 10_000));
    const ticksPerSecond = 100; // USER_HZ on Linux
    const before = cpuTicks(pid);
    const started = Date.now();
    await new Promise((r) => setTimeout(r, 60_000));
    const cpu = (cpuTicks(pid) - before) / ticksPerSecond / ((Date.now() - started) / 1000);
    const rss = kib(`/proc/${pid}/status`, 'VmRSS');
    const pss = kib(`/proc/${pid}/smaps_rollup`, 'Pss');
    print(`idle (ucast eth1 + serial, keepalive 1s, one agent holding the VIP, 60 s): CPU ${(cpu * 100).toFixed(2)} % of a core, RSS ${(rss / 1024).toFixed(1)} MiB, PSS ${(pss / 1024).toFixed(1)} MiB`);
  } finally {
    pair.dispose();
  }
}

export async function runFailoverBench(print: (l: string) => void, parts: { failover: boolean; idle: boolean; lan: boolean }): Promise<void> {
  const why = labUnavailable(['ip', 'socat', 'arping']);
  if (why) return print(`failover: skipped: ${why}`);
  if (parts.failover) {
    print(`failover (${SHAPE} shape): power loss of the active node to the first answer from the other on the VIP (${RUNS} runs each)`);
    for (const [keepalive, deadtime, warntime, deadtimeMs] of SETTINGS) {
      const gaps: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const g = await gap(settings(keepalive, deadtime, warntime), 'power');
        if (g !== undefined) gaps.push(g);
      }
      const max = Math.max(...gaps);
      print(`  keepalive ${keepalive} deadtime ${deadtime}: median ${median(gaps)} ms, max ${max} ms; minus deadtime: median ${median(gaps) - deadtimeMs} ms, max ${max - deadtimeMs} ms (${gaps.length} runs)`);
    }
    const graceful: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const g = await gap(settings('1s', '3s', '2s'), 'sigterm');
      if (g !== undefined) graceful.push(g);
    }
    print(`  graceful (SIGTERM of the active, keepalive 1s deadtime 3s): median ${median(graceful)} ms, max ${Math.max(...graceful)} ms (${graceful.length} runs)`);
  }
  if (parts.lan) {
    print(`lan (${SHAPE} shape): the active node's LAN cable pulled (eth0 loses carrier; the crossover's heartbeats go on) to the first answer from the peer (${RUNS} runs each)`);
    for (const [keepalive, deadtime, warntime] of SETTINGS) {
      const gaps: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const g = await gap(settings(keepalive, deadtime, warntime), 'lan');
        if (g !== undefined) gaps.push(g);
      }
      print(`  keepalive ${keepalive} deadtime ${deadtime}: median ${median(gaps)} ms, max ${Math.max(...gaps)} ms (${gaps.length} runs)`);
    }
  }
  if (parts.idle) await idle(print);
}
