// `npm run bench handover` (root, with Debian's heartbeat and keepalived installed): twinbeat's
// graceful handovers side by side with Heartbeat 3.0.6's and keepalived 2.2.7's, in the same
// namespaces and the same run, so that the machine's drift from run to run does not decide the
// comparison. For the tutorial's shape and UDP on two interfaces, at keepalive 200 ms and
// deadtime 5 s: standby, takeover, SIGTERM and failback, as the client's gap (the old holder's
// last answer to the new holder's first). keepalived (VRRPv3, advert 0.1, unicast over the
// crossover) has no standby: its stand-in is a priority drop through a track_file (see
// baseline-keepalived.ts). Runs: TWINBEAT_BENCH_RUNS (10) for twinbeat, TWINBEAT_BASELINE_RUNS
// (5) for the others.
import { heartbeatGaps, heartbeatUnavailable, keepalivedGaps, keepalivedUnavailable, type BaselineOp, type BaselineResult } from './baselines';
import { LABEL, MATRIX_TIMING, type Operation } from '../helpers/handover-ops';
import { labUnavailable } from '../helpers/netns';
import { runShape } from './matrix';
import { median } from './stats';

const RUNS = Number(process.env.TWINBEAT_BENCH_RUNS ?? 10);
const BASELINE_RUNS = Number(process.env.TWINBEAT_BASELINE_RUNS ?? 5);
const SHAPES = ['tutorial', 'udp'] as const;
/** twinbeat's operation and the baselines' name for the same thing. */
const OPS: [Operation, BaselineOp][] = [
  ['sigterm', 'stop'],
  ['standby', 'standby'],
  ['takeover', 'takeover'],
  ['failback', 'failback'],
];
const DEADTIME_S = '5';

const figure = (gaps: number[]) => (gaps.length ? `${median(gaps)} (${Math.max(...gaps)})` : '-');
const ratio = (ours: number[], theirs: number[] | undefined) =>
  ours.length && theirs?.length ? `${(median(ours) / median(theirs)).toFixed(2)}` : '-';

export async function runHandoverBench(print: (l: string) => void): Promise<void> {
  const why = labUnavailable(['ip', 'socat', 'arping']);
  if (why) return print(`handover: skipped: ${why}`);
  const noHeartbeat = heartbeatUnavailable();
  const noKeepalived = keepalivedUnavailable();
  print(`handover: graceful handovers side by side, client gap in ms, median (max); keepalive ${MATRIX_TIMING.keepalive}, deadtime ${DEADTIME_S} s`);
  print(`  twinbeat ${RUNS} runs, Heartbeat 3.0.6 and keepalived 2.2.7 (VRRPv3 unicast, advert 0.1) ${BASELINE_RUNS} runs; ratio = twinbeat median / theirs`);
  if (noHeartbeat) print(`  heartbeat: skipped: ${noHeartbeat}`);
  if (noKeepalived) print(`  keepalived: skipped: ${noKeepalived}`);
  const keepalived: BaselineResult = noKeepalived ? {} : await keepalivedGaps({ shape: 'unicast', advert: 0.1, runs: BASELINE_RUNS, ops: OPS.map(([, b]) => b) });
  for (const shape of SHAPES) {
    const { outcomes } = await runShape(shape, { cycles: RUNS, gracefulOnly: true });
    const heartbeat: BaselineResult = noHeartbeat ? {} : await heartbeatGaps({ shape, keepalive: MATRIX_TIMING.keepalive, deadtime: DEADTIME_S, runs: BASELINE_RUNS, ops: OPS.map(([, b]) => b) });
    print(`  ${shape} shape`);
    print(`    ${'operation'.padEnd(10)} ${'twinbeat'.padStart(12)} ${'heartbeat'.padStart(12)} ${'ratio'.padStart(6)} ${'keepalived'.padStart(12)} ${'ratio'.padStart(6)}`);
    for (const [op, theirs] of OPS) {
      const mine = outcomes.filter((o) => o.op === op);
      const gaps = mine.flatMap((o) => ('gapMs' in o && o.gapMs !== undefined && !o.error ? [o.gapMs] : []));
      const hb = heartbeat[theirs]?.gaps;
      const ka = keepalived[theirs]?.gaps;
      print(`    ${LABEL[op].padEnd(10)} ${figure(gaps).padStart(12)} ${figure(hb ?? []).padStart(12)} ${ratio(gaps, hb).padStart(6)} ${figure(ka ?? []).padStart(12)} ${ratio(gaps, ka).padStart(6)}`);
      const failed = mine.length - gaps.length;
      if (failed > 0) print(`    ${''.padEnd(10)} twinbeat: ${failed} of ${mine.length} runs failed or were not run (npm run bench matrix says why)`);
      for (const f of [...(heartbeat[theirs]?.failures ?? []), ...(keepalived[theirs]?.failures ?? [])]) print(`    ${''.padEnd(10)} baseline failed: ${f.split('\n')[0]}`);
    }
  }
}
