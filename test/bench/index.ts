// `npm run bench [wire|failover|lan|idle|startup|matrix|baselines|handover|fleet|compare|idle-variants|stress]...`: the figures
// docs/performance.md and the closing notes quote. No argument runs every part but startup, matrix,
// baselines, handover, fleet, compare, idle-variants and stress (each takes minutes: run it by name). All but wire need root
// (network namespaces). matrix: every pair shape through every handover, some ten times;
// baselines: Heartbeat 3.0.6 and keepalived 2.2.7 in the same namespaces (baselines.ts);
// handover: twinbeat's graceful handovers beside theirs in one run, with the ratios;
// fleet: `twinbeat fleet --json` against a default mosquitto with 1,000 and 10,000 pairs (no root).
// compare: power loss, SIGTERM and idle cost of twinbeat, keepalived and Heartbeat side by side.
// idle-variants: idle pairs of several builds, Node flags or environments side by side (idle-variants.ts).
// stress: pairs of twinbeat and keepalived left alone under stress-ng for TWINBEAT_STRESS_S
// seconds (default 300): any move of the VIP is a false failover (stress.ts).
import { runWireBench } from './wire';

const parts = process.argv.slice(2);
const wanted = (name: string) => parts.length === 0 || parts.includes(name);
const print = (line: string) => process.stdout.write(`${line}\n`);

if (wanted('wire')) await runWireBench(print);
if (parts.includes('startup')) {
  const { runStartupBench } = await import('./startup');
  await runStartupBench(print);
}
if (wanted('failover') || wanted('lan') || wanted('idle')) {
  const { runFailoverBench } = await import('./failover');
  await runFailoverBench(print, { failover: wanted('failover'), lan: wanted('lan'), idle: wanted('idle') });
}
if (parts.includes('matrix')) {
  const { runMatrixBench } = await import('./matrix');
  await runMatrixBench(print);
}
if (parts.includes('baselines')) {
  const { runBaselinesBench } = await import('./baselines');
  await runBaselinesBench(print);
}
if (parts.includes('compare')) {
  const { runCompareBench } = await import('./compare');
  await runCompareBench(print);
}
if (parts.includes('idle-variants')) {
  const { runIdleVariantsBench } = await import('./idle-variants');
  await runIdleVariantsBench(print);
}
if (parts.includes('stress')) {
  const { runStressBench } = await import('./stress');
  await runStressBench(print);
}
if (parts.includes('handover')) {
  const { runHandoverBench } = await import('./handover');
  await runHandoverBench(print);
}
if (parts.includes('fleet')) {
  const { runFleetBench } = await import('./fleet');
  await runFleetBench(print);
}
