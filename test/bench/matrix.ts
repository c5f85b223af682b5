// `npm run bench matrix` (root): the handover matrix of issue 15. Every shape of the pair
// (test/helpers/shapes.ts) goes through the cycle of test/helpers/handover-ops.ts at deadtime
// 5 s; the tutorial and udp shapes repeat the graceful part (standby, takeover, SIGTERM,
// failback) TWINBEAT_BENCH_RUNS times (10). Printed as one row per shape and operation with the
// median and max of the client's gap; a run that failed is counted as failed and its reason
// printed, never left out of the count; a run that was not reached (an earlier operation of its
// cycle failed) is counted as not run.
import { CYCLE, GRACEFUL, LABEL, MATRIX_TIMING, GRACEFUL_BOUND_MS, POWER_BOUND_MS, MatrixPair, withinBound, type OpResult, type Operation } from '../helpers/handover-ops';
import { labUnavailable } from '../helpers/netns';
import { SHAPES, type Shape } from '../helpers/shapes';
import { median } from './stats';

const RUNS = Number(process.env.TWINBEAT_BENCH_RUNS ?? 10);
const REPEATED: Shape[] = ['tutorial', 'udp'];
/** The watchers of one pair outlive its longest life: RUNS cycles that each wait for deadtime. */
const WATCH_S = 60 + RUNS * 30;

export type Outcome = OpResult | { op: Operation; notRun: string };
const notRun = (o: Outcome): o is { op: Operation; notRun: string } => 'notRun' in o;

/**
 * One shape: its rows' outcomes, and what node-b's status said of its paths once serving.
 * `cycles` graceful cycles (default: RUNS for the repeated shapes, else one), then the rest of
 * the cycle once unless `gracefulOnly`.
 */
export async function runShape(shape: Shape, opts: { cycles?: number; gracefulOnly?: boolean } = {}): Promise<{ outcomes: Outcome[]; paths: string[] }> {
  const outcomes: Outcome[] = [];
  let paths: string[] = [];
  let mp: MatrixPair | undefined;
  // A pair whose operation failed is in no known state: the rest of its cycle is not run and
  // the next cycle starts on a fresh pair.
  const start = async (): Promise<MatrixPair | string> => {
    try {
      const fresh = await MatrixPair.start(shape, WATCH_S);
      if (paths.length === 0) paths = (await fresh.sp.pair.twinbeat('b', 'status')).output.split('\n').filter((l) => l.startsWith('path'));
      return fresh;
    } catch (err) {
      return `the pair did not start: ${(err as Error).message.split('\n')[0]}`;
    }
  };
  const cycle = async (ops: Operation[]) => {
    // A pair that ran a cycle has node-b in standby (the takeover put it there): the next
    // cycle's standby on node-a hands the group to it all the same (it leaves standby).
    const started = mp ?? (await start());
    if (typeof started === 'string') return outcomes.push(...ops.map((op) => ({ op, notRun: started })));
    mp = started;
    for (const [i, op] of ops.entries()) {
      const r = await mp.run(op);
      outcomes.push(r);
      if (!r.error) continue;
      outcomes.push(...ops.slice(i + 1).map((later) => ({ op: later, notRun: `${LABEL[op]} failed before it` })));
      mp.dispose();
      mp = undefined;
      return;
    }
  };
  try {
    const cycles = opts.cycles ?? (REPEATED.includes(shape) ? RUNS : 1);
    for (let i = 0; i < cycles; i++) await cycle(GRACEFUL);
    if (!opts.gracefulOnly) await cycle(CYCLE.filter((op) => !GRACEFUL.includes(op)));
  } finally {
    mp?.dispose();
  }
  return { outcomes, paths };
}

const COLUMNS = ['shape', 'operation', 'runs', 'ok', 'over', 'failed', 'not run', 'median ms', 'max ms'];
const WIDTHS = [12, 12, 5, 4, 5, 7, 8, 10, 7];
const row = (cells: (string | number)[]) => `  ${cells.map((c, i) => (i < 2 ? String(c).padEnd(WIDTHS[i]!) : String(c).padStart(WIDTHS[i]!))).join(' ')}`.trimEnd();

/** The row of one operation in one shape, and the notes under the table: why runs failed or were not run. */
function summarize(shape: Shape, op: Operation, outcomes: Outcome[]): { line: string; reasons: string[] } {
  const mine = outcomes.filter((o) => o.op === op);
  const ran = mine.filter((o): o is OpResult => !notRun(o));
  if (ran.length > 0 && ran.every((r) => !r.applies)) return { line: row([shape, LABEL[op], `n/a: ${ran[0]!.detail}`]), reasons: [] };
  const failed = ran.filter((r) => r.error);
  const gaps = ran.filter((r) => !r.error && r.gapMs !== undefined).map((r) => r.gapMs!);
  const over = ran.filter((r) => !r.error && r.boundMs !== undefined && !withinBound(r)).length;
  const ok = ran.length - failed.length - over;
  // A path cut has no gap: the client missed no answer or the run failed.
  const figures = op === 'path-cut' ? ['-', '-'] : gaps.length ? [median(gaps), Math.max(...gaps)] : ['-', '-'];
  // What a path cut did, once: the row itself has no figure to show it.
  const cutDone = op === 'path-cut' ? ran.filter((r) => !r.error).slice(0, 1).map((r) => r.detail) : [];
  const reasons = [...cutDone, ...failed.map((r) => r.error!), ...mine.filter(notRun).map((o) => `not run: ${o.notRun}`)];
  return { line: row([shape, LABEL[op], ran.length, ok, over, failed.length, mine.length - ran.length, ...figures]), reasons };
}

export async function runMatrixBench(print: (l: string) => void): Promise<void> {
  const why = labUnavailable(['ip', 'socat', 'arping']);
  if (why) return print(`matrix: skipped: ${why}`);
  print(`matrix: the client's gap per shape and operation (keepalive ${MATRIX_TIMING.keepalive}, deadtime ${MATRIX_TIMING.deadtime}, the VIP polled every 10 ms)`);
  print(`  bounds: standby, takeover, SIGTERM, failback ${GRACEFUL_BOUND_MS} ms; power loss deadtime + 100 = ${POWER_BOUND_MS} ms; path cut: no answer missed`);
  print(`  ${REPEATED.join(' and ')}: the graceful operations ${RUNS} times; other shapes and operations once`);
  print(`  cycles after the first start with node-b in standby (left there by the takeover): their standby on node-a must move the group all the same`);
  print(`  ok: within the bound; over: done but over it; failed: did not happen, or moved something it must not, or both nodes held the VIP`);
  print(row(COLUMNS));
  const notes: string[] = [];
  for (const shape of SHAPES) {
    const { outcomes, paths } = await runShape(shape);
    for (const op of CYCLE) {
      const { line, reasons } = summarize(shape, op, outcomes);
      print(line);
      for (const reason of new Set(reasons)) {
        const times = reasons.filter((r) => r === reason).length;
        notes.push(`  ${shape} ${LABEL[op]}: ${reason.split('\n')[0]}${times > 1 ? ` (${times} runs)` : ''}`);
      }
    }
    const brief = (p: string) => p.replace(/^path\s+/, '').replace(/, heard \d+ ms ago/, '').replace(/\/tmp\/twinbeat-cable-\w+\//g, 'CABLE/');
    notes.push(`  ${shape}: node-b's paths when serving: ${paths.map(brief).join('; ') || '(no status)'}`);
  }
  print('  notes:');
  for (const note of notes) print(note);
}
