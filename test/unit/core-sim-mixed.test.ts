// Seeded random fault scenarios of mixed pairs (issue 24): a twinbeat core beside a node that runs
// Heartbeat v1 (test/sim/heartbeat-v1-peer.ts), as in a rolling migration. A failure prints the
// seed, what went wrong and the end of the trace; replay it with `npm run sim -- --mixed --seed N`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runMixedScenario } from '../sim/mixed-scenario';

const FIRST_SEED = 1;
const COUNT = 2000;

test(`${COUNT} random mixed-pair scenarios (seeds ${FIRST_SEED}..${FIRST_SEED + COUNT - 1}) keep every invariant`, () => {
  const started = performance.now();
  const failures: string[] = [];
  let steps = 0;
  for (let seed = FIRST_SEED; seed < FIRST_SEED + COUNT; seed++) {
    const r = runMixedScenario(seed);
    steps += r.steps;
    if (!r.ok && failures.length < 3) {
      const replay = runMixedScenario(seed, { trace: true });
      failures.push(`${replay.summary}\nVIOLATION ${replay.violation}\n${replay.trace.slice(-40).join('\n')}\nreplay: npm run sim -- --mixed --seed ${seed}`);
    }
  }
  const ms = Math.round(performance.now() - started);
  console.log(`${COUNT} mixed-pair scenarios, ${steps} core steps, ${ms} ms`);
  assert.equal(failures, [], failures.join('\n\n'));
});

test.run();
