// npm run sim -- --seed N            replay one scenario and print its whole trace
// npm run sim -- --scenarios N [--from S]   run N seeded scenarios, report failures
import { runScenario } from './scenario';

const args = process.argv.slice(2);
const value = (flag: string): number | undefined => {
  const i = args.indexOf(flag);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : undefined;
};

const seed = value('--seed');
if (seed !== undefined) {
  const r = runScenario(seed, { trace: true });
  process.stdout.write(`${r.summary}\n${r.trace.join('\n')}\n`);
  process.stdout.write(r.ok ? `seed ${seed}: ok (${r.steps} steps)\n` : `seed ${seed}: VIOLATION ${r.violation}\n`);
  process.exitCode = r.ok ? 0 : 1;
} else {
  const count = value('--scenarios') ?? 1000;
  const from = value('--from') ?? 1;
  const started = performance.now();
  let failed = 0;
  let steps = 0;
  for (let s = from; s < from + count; s++) {
    const r = runScenario(s);
    steps += r.steps;
    if (!r.ok) {
      failed += 1;
      const replay = runScenario(s, { trace: true });
      process.stdout.write(`\n${replay.summary}\nVIOLATION ${replay.violation}\n${replay.trace.slice(-60).join('\n')}\n`);
      process.stdout.write(`replay: npm run sim -- --seed ${s}\n`);
    }
  }
  const ms = Math.round(performance.now() - started);
  process.stdout.write(`${count} scenarios from seed ${from}: ${failed} failed, ${steps} core steps, ${ms} ms\n`);
  process.exitCode = failed > 0 ? 1 : 0;
}
