// Seeded random fault scenarios, part 2 of 2 (the runner runs the two files at once, one per
// core): seeds 10001..20000. A failure prints the seed, what went wrong and the end of the
// trace; replay it with `npm run sim -- --seed N`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runScenario } from '../sim/scenario';

const FIRST_SEED = 10001;
const COUNT = 10_000;

test(`${COUNT} random scenarios (seeds ${FIRST_SEED}..${FIRST_SEED + COUNT - 1}) keep every invariant`, () => {
  const started = performance.now();
  const failures: string[] = [];
  let steps = 0;
  for (let seed = FIRST_SEED; seed < FIRST_SEED + COUNT; seed++) {
    const r = runScenario(seed);
    steps += r.steps;
    if (!r.ok && failures.length < 3) {
      const replay = runScenario(seed, { trace: true });
      failures.push(`${replay.summary}\nVIOLATION ${replay.violation}\n${replay.trace.slice(-40).join('\n')}\nreplay: npm run sim -- --seed ${seed}`);
    }
  }
  const ms = Math.round(performance.now() - started);
  console.log(`${COUNT} scenarios, ${steps} core steps, ${ms} ms`);
  assert.equal(failures, [], failures.join('\n\n'));
});

test.run();
