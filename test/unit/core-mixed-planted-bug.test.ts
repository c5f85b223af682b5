// The mixed-pair invariants bite (issue 24): a twinbeat core with a deliberate bug in how it reads a
// Heartbeat v1 peer, run beside the Heartbeat model, must be caught by the simulator.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { step } from '../../src/core';
import { runMixedScenario } from '../sim/mixed-scenario';
import type { StepFn } from '../sim/world';

function firstCaught(stepFn: StepFn, seeds: number, resetDevice?: boolean): { seed: number; violation: string } | null {
  for (let seed = 1; seed <= seeds; seed++) {
    const r = runMixedScenario(seed, { stepFn, ...(resetDevice === undefined ? {} : { resetDevice }) });
    if (!r.ok) return { seed, violation: r.violation! };
  }
  return null;
}

/** Bug: hears Heartbeat's `shutdone` as a routine frame, so a graceful stop of the peer is taken over only after deadtime. */
const deafToShutdone: StepFn = (state, event) => {
  if (event.type === 'heartbeat-peer' && event.news.what === 'shutdone') {
    return step(state, { ...event, news: { generation: event.news.generation, seq: event.news.seq, what: 'routine', type: 'shutdone' } });
  }
  return step(state, event);
};

/** Bug: reads every `resource` as a stable full update, so a holding in transition passes for a fact. */
const trustsTransitions: StepFn = (state, event) => {
  if (event.type === 'heartbeat-peer' && event.news.what === 'resources') return step(state, { ...event, news: { ...event.news, full: true, stable: true } });
  return step(state, event);
};

/** Bug: takes the reset of a silent Heartbeat peer for done as soon as it asks for it, so it takes over before the power is cut. */
const trustsItsShot: StepFn = (state, event) => {
  const r = step(state, event);
  if (!r.effects.some((e) => e.type === 'reset-peer')) return r;
  const done = step(r.state, { type: 'reset-result', now: event.now, ok: true });
  return { state: done.state, effects: [...r.effects, ...done.effects] };
};

test('a core deaf to shutdone is caught: a planned move takes deadtime (17)', () => {
  const caught = firstCaught(deafToShutdone, 300);
  assert.ok(caught, 'no seed caught the planted bug');
  assert.match(caught!.violation, /^\(17\)/);
});

test('a core that trusts a Heartbeat peer in transition is caught: two holders (1)', () => {
  const caught = firstCaught(trustsTransitions, 300);
  assert.ok(caught, 'no seed caught the planted bug');
  assert.match(caught!.violation, /^\(1\)/);
});

test('a twinbeat node that takes over from a Heartbeat peer before its reset is done is caught: a takeover without a reset (2)', () => {
  const caught = firstCaught(trustsItsShot, 300, true);
  assert.ok(caught, 'no seed caught the planted bug');
  assert.match(caught!.violation, /^\(2\)/);
});

test.run();
