// The field suite's report: per operation, how often it ran, the client's outage (median and
// max) against its budget, and the violations; then which segments ran (seed, shape, relays).
import { median } from '../bench/stats';
import type { SegmentResult, StepRecord } from './driver';

export function report(segments: SegmentResult[], elapsedMs: number): string[] {
  const steps = segments.flatMap((s) => s.steps);
  const byOp = new Map<string, StepRecord[]>();
  for (const step of steps) byOp.set(step.op, [...(byOp.get(step.op) ?? []), step]);
  const lines = [
    `| operation | runs | outage median (ms) | outage max (ms) | budget (ms) | violations |`,
    `| --- | --- | --- | --- | --- | --- |`,
  ];
  for (const [op, runs] of [...byOp].sort(([a], [b]) => a.localeCompare(b))) {
    const judged = runs.filter((r) => r.budgetMs !== undefined && r.outageMs !== undefined);
    const outages = judged.map((r) => r.outageMs!);
    const budgets = [...new Set(judged.map((r) => r.budgetMs!))].sort((a, b) => a - b);
    const fmt = (n: number | undefined) => (n === undefined ? '-' : String(Math.round(n)));
    lines.push(
      `| ${op} | ${runs.length} | ${fmt(outages.length ? median(outages) : undefined)} | ${fmt(outages.length ? Math.max(...outages) : undefined)} | ${budgets.join(', ') || 'not judged'} | ${runs.filter((r) => r.violation).length} |`,
    );
  }
  const violations = steps.filter((s) => s.violation).length;
  lines.push('');
  lines.push(`${steps.length} steps in ${segments.length} segment(s), ${(elapsedMs / 60_000).toFixed(1)} min, ${violations} violation(s)`);
  for (const s of segments) lines.push(`  seed ${s.seed}: ${s.setup.shape}, ${s.setup.relay ? 'relays' : 'no relay'}, ${s.steps.length} steps${s.failure ? ', VIOLATION' : ''}`);
  return lines;
}
