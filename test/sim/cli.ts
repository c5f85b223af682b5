// npm run sim -- --seed N            replay one scenario and print its whole trace
// npm run sim -- --scenarios N [--from S]   run N seeded scenarios, report failures
// add --mixed: the pairs are twinbeat beside a Heartbeat v1 node (mixed-scenario.ts); --legacy
// also draws auto_failback legacy for them
import { runMixedScenario } from './mixed-scenario';
import { runScenario as runTwinbeatScenario } from './scenario';

const args = process.argv.slice(2);
const value = (flag: string): number | undefined => {
  const i = args.indexOf(flag);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : undefined;
};

const mixed = args.includes('--mixed');
const legacy = args.includes('--legacy');
const runScenario = (s: number, o: { trace?: boolean } = {}) => (mixed ? runMixedScenario(s, { ...o, legacy }) : runTwinbeatScenario(s, o));
const replayCommand = `npm run sim -- ${mixed ? '--mixed ' : ''}${legacy ? '--legacy ' : ''}--seed`;

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
      process.stdout.write(`replay: ${replayCommand} ${s}\n`);
    }
  }
  const ms = Math.round(performance.now() - started);
  process.stdout.write(`${count} scenarios from seed ${from}: ${failed} failed, ${steps} core steps, ${ms} ms\n`);
  process.exitCode = failed > 0 ? 1 : 0;
}
