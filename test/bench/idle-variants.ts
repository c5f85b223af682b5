// `npm run bench idle-variants` (root; issue 23): idle twinbeat pairs of several variants side by
// side in the same minutes, so that a change too small to see between two runs of `bench compare`
// (the machine's load moves more than that) is seen against its twin under the same load. A
// variant is another build (a copy of build/twinbeat.js kept from before a change), other Node
// flags, more environment, or systemd's notify socket and watchdog (TwinbeatPair's `systemd`).
// TWINBEAT_IDLE_VARIANTS names a JSON file: [{ "name", "bundle"?, "nodeFlags"?, "env"?,
// "systemd"? }] (default: this build as the unit runs it, and the same under systemd).
// TWINBEAT_IDLE_ROUNDS rounds (3; the order of the pairs turns each round), TWINBEAT_IDLE_S
// seconds measured (60) after 10 s of settling. Each pair: keepalive 1 s, deadtime 3 s, the
// tutorial's shape and twinbeat's defaults (compare's idle pair). Printed per variant and node:
// CPU (% of a core, the agent and its children, schedstat), the Node process's RSS and PSS, all
// its processes' RSS and PSS, and its threads; medians with each round's figure.
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { labUnavailable } from '../helpers/netns';
import type { Node } from './baseline-common';
import { descendants, TwinbeatPair } from './baseline-twinbeat';
import { cpuNs, kib } from './compare';
import { median } from './stats';

interface Variant {
  name: string;
  bundle?: string;
  nodeFlags?: string[];
  env?: Record<string, string>;
  systemd?: boolean;
}

const ROUNDS = Number(process.env.TWINBEAT_IDLE_ROUNDS ?? 3);
const SECONDS = Number(process.env.TWINBEAT_IDLE_S ?? 60);

const threads = (pid: number) => {
  try {
    return readdirSync(`/proc/${pid}/task`).length;
  } catch {
    return 0;
  }
};

const isNode = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'node';
  } catch {
    return false;
  }
};

type Figure = 'cpu' | 'nodeRss' | 'nodePss' | 'rss' | 'pss' | 'threads';
const FIGURES: Record<Figure, { label: string; digits: number }> = {
  cpu: { label: 'CPU %', digits: 3 },
  nodeRss: { label: 'Node RSS MiB', digits: 1 },
  nodePss: { label: 'Node PSS MiB', digits: 1 },
  rss: { label: 'all RSS MiB', digits: 1 },
  pss: { label: 'all PSS MiB', digits: 1 },
  threads: { label: 'threads', digits: 0 },
};

export async function runIdleVariantsBench(print: (line: string) => void): Promise<void> {
  const noLab = labUnavailable(['ip', 'arping']);
  if (noLab) return print(`idle-variants: skipped: ${noLab}`);
  const file = process.env.TWINBEAT_IDLE_VARIANTS;
  const variants: Variant[] = file ? (JSON.parse(readFileSync(file, 'utf8')) as Variant[]) : [{ name: 'as the unit runs it' }, { name: 'under systemd', systemd: true }];
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const figures = new Map<string, Record<string, number[]>>();
  const keep = (variant: string, key: string, value: number) => {
    const byKey = figures.get(variant) ?? {};
    (byKey[key] ??= []).push(value);
    figures.set(variant, byKey);
  };
  const loads: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = variants.map((_, i) => variants[(i + round) % variants.length]!);
    const pairs: { variant: Variant; pair: TwinbeatPair }[] = [];
    try {
      for (const variant of order) {
        log(`idle-variants: round ${round + 1} of ${ROUNDS}: starting ${variant.name}`);
        const pair = new TwinbeatPair({
          runs: 1,
          ops: [],
          keepalive: '1s',
          deadtime: '3s',
          ...(variant.systemd ? { systemd: true } : {}),
          ...(variant.bundle ? { bundle: variant.bundle } : {}),
          ...(variant.nodeFlags ? { nodeFlags: variant.nodeFlags } : {}),
          ...(variant.env ? { env: variant.env } : {}),
        });
        pairs.push({ variant, pair });
        pair.build();
        await pair.startPair();
      }
      await new Promise((r) => setTimeout(r, 10_000));
      const sets = pairs.flatMap(({ variant, pair }) => (['a', 'b'] as const).map((node: Node) => ({ variant, node, pids: pair.daemonPids(node) })));
      const before = sets.map((s) => new Map(s.pids.map((pid) => [pid, cpuNs(pid)])));
      const started = Date.now();
      const loadBefore = loadavg()[0]!;
      await new Promise((r) => setTimeout(r, SECONDS * 1000));
      const elapsedS = (Date.now() - started) / 1000;
      loads.push(`${loadBefore.toFixed(1)}-${loadavg()[0]!.toFixed(1)}`);
      sets.forEach((s, i) => {
        // Children that came meanwhile count from 0; those reaped, in their parent's cutime.
        const pids = [...new Set([...s.pids, ...descendants(s.pids.filter(isNode))])];
        const usedNs = pids.reduce((sum, pid) => sum + cpuNs(pid) - (before[i]!.get(pid) ?? 0), 0);
        const nodes = pids.filter(isNode);
        const key = (figure: Figure) => `${figure} ${s.node}`;
        keep(s.variant.name, key('cpu'), (usedNs / 1e9 / elapsedS) * 100);
        keep(s.variant.name, key('nodeRss'), nodes.reduce((x, pid) => x + kib(`/proc/${pid}/status`, 'VmRSS'), 0) / 1024);
        keep(s.variant.name, key('nodePss'), nodes.reduce((x, pid) => x + kib(`/proc/${pid}/smaps_rollup`, 'Pss'), 0) / 1024);
        keep(s.variant.name, key('rss'), pids.reduce((x, pid) => x + kib(`/proc/${pid}/status`, 'VmRSS'), 0) / 1024);
        keep(s.variant.name, key('pss'), pids.reduce((x, pid) => x + kib(`/proc/${pid}/smaps_rollup`, 'Pss'), 0) / 1024);
        keep(s.variant.name, key('threads'), nodes.reduce((x, pid) => x + threads(pid), 0));
      });
    } finally {
      for (const { variant, pair } of pairs) {
        try {
          pair.dispose();
        } catch (err) {
          log(`idle-variants: disposing ${variant.name}: ${(err as Error).message}`);
        }
      }
    }
  }
  print(`idle-variants: ${variants.length} variants side by side, ${ROUNDS} rounds of ${SECONDS} s, keepalive 1 s; load average (1 min) per round: ${loads.join(', ')}`);
  print('  median (each round); a: active node, b: standby');
  for (const variant of variants) {
    const byKey = figures.get(variant.name) ?? {};
    const cells = Object.entries(byKey).map(([key, values]) => {
      const [figure, node] = key.split(' ') as [Figure, string];
      const { label, digits } = FIGURES[figure];
      return `${label} ${node} ${median(values).toFixed(digits)} (${values.map((v) => v.toFixed(digits)).join(' ')})`;
    });
    print(`  ${variant.name}: ${cells.join('; ')}`);
  }
}
