// `npm run bench fleet` (issue 22): `twinbeat fleet --json` against a default mosquitto holding
// 1,000 and 10,000 pairs' retained states (4 messages per pair): the time from spawning the
// command to its complete snapshot, and its peak RSS (GNU time's %M), median of RUNS. Beside it,
// what one wildcard subscription over every topic delivers at QoS 1 and QoS 0, which is why the
// fleet view asks in slices (src/fleet/watch.ts).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { FleetView } from '../../src/fleet/view';
import { clusterName, populateFleet } from '../helpers/fleet-population';
import { Mosquitto, mosquittoBinary } from '../helpers/mosquitto';
import { BUNDLE } from '../helpers/pair';
import { median } from './stats';

const RUNS = Number(process.env.TWINBEAT_BENCH_RUNS ?? 5);
const SIZES = [1000, 10_000];

interface Run {
  ms: number;
  rssKiB: number;
  view: FleetView;
}

function fleetJson(url: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-f', 'maxrss %M', process.execPath, BUNDLE, 'fleet', '--broker', url, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      const rss = /maxrss (\d+)/.exec(stderr);
      if (code !== 0 || !rss) return reject(new Error(`fleet --json exited ${code}: ${stderr.slice(-500)}`));
      resolve({ ms, rssKiB: Number(rss[1]), view: JSON.parse(stdout) as FleetView });
    });
  });
}

/** Messages one wildcard subscription over all availability and state topics receives, at `qos`. */
async function oneWildcard(url: string, qos: 0 | 1, expected: number): Promise<number> {
  const mqtt = await import('mqtt');
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000 }, false);
  let received = 0;
  client.on('message', () => received++);
  await client.subscribeAsync(['twinbeat/+/+/availability', 'twinbeat/+/+/state'], { qos });
  // Until all came, or nothing more for a second (the broker dropped the rest).
  let last = -1;
  for (let i = 0; i < 60 && received < expected && received !== last; i++) {
    last = received;
    await new Promise((r) => setTimeout(r, 1000));
  }
  await client.endAsync(true);
  return received;
}

/** A complete view: every pair, both nodes online with their roles, nothing missing. */
function completeness(view: FleetView, pairs: number): string {
  const names = new Set(view.pairs.map((p) => p.cluster));
  const listed = Array.from({ length: pairs }, (_, i) => clusterName(i)).filter((c) => names.has(c)).length;
  const withRoles = view.pairs.filter((p) => p.nodes.length === 2 && p.nodes.every((n) => n.role !== 'unknown' && n.availability === 'online')).length;
  return `${listed}/${pairs} pairs listed, ${withRoles} with both roles, complete ${view.complete}`;
}

export async function runFleetBench(print: (line: string) => void): Promise<void> {
  if (!mosquittoBinary()) {
    print('fleet: mosquitto is not installed, skipped');
    return;
  }
  execFileSync('npm', ['run', '-s', 'build'], { stdio: 'ignore' });
  if (!existsSync(BUNDLE)) throw new Error(`no ${BUNDLE} after npm run build`);
  // `mosquitto -h` prints its version and exits 3.
  const version = spawnSync(mosquittoBinary()!, ['-h'], { encoding: 'utf8' }).stdout.split('\n')[0]?.trim();
  print(`fleet: twinbeat fleet --json against ${version} with default settings, ${RUNS} runs each (time from spawn to the complete snapshot, peak RSS)`);
  for (const pairs of SIZES) {
    const broker = await Mosquitto.start();
    try {
      await populateFleet(broker.url, pairs);
      const runs: Run[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await fleetJson(broker.url));
      const ms = runs.map((r) => r.ms);
      const rss = runs.map((r) => r.rssKiB / 1024);
      print(
        `  ${pairs} pairs (${pairs * 4} retained): median ${median(ms).toFixed(0)} ms (min ${Math.min(...ms).toFixed(0)}, max ${Math.max(...ms).toFixed(0)}), ` +
          `peak RSS median ${median(rss).toFixed(0)} MiB (max ${Math.max(...rss).toFixed(0)}); ${completeness(runs.at(-1)!.view, pairs)}`,
      );
      if (!runs.every((r) => r.view.complete && r.view.pairs.length === pairs)) print('    NOT COMPLETE in every run');
      const q1 = await oneWildcard(broker.url, 1, pairs * 4);
      const q0 = await oneWildcard(broker.url, 0, pairs * 4);
      print(`    one wildcard over everything instead: ${q1} of ${pairs * 4} at QoS 1, ${q0} at QoS 0`);
    } finally {
      await broker.stop();
    }
  }
}
