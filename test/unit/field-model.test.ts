// The field suite's pure parts (test/field): what the model expects of the pair after each kind
// of operation, which operations a pair allows, and that a seed replays the same choices.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expectedHolder, FLAP, freshWorld, healthMoved, healthRepaired, settledTogether, standbyOn, started, stopped, takeoverOn } from '../field/model';
import { OPERATIONS } from '../field/operations';
import { setupForSeed } from '../field/driver';
import { statusProblems } from '../field/checks';
import { SHAPES } from '../helpers/shapes';
import { makeRng } from '../sim/prng';
import type { FieldPair } from '../field/field-pair';
import type { StatusSnapshot } from '../../src/snapshot';

const both = (relay = false) => {
  const w = freshWorld(relay);
  started(w, 'a');
  started(w, 'b');
  settledTogether(w);
  return w;
};

test('both running: the home node holds; standby, takeover and a lost LAN move it, a restart forgets standby', () => {
  const w = both();
  assert.is(expectedHolder(w).holder, 'a');
  standbyOn(w, 'a');
  assert.is(expectedHolder(w).holder, 'b');
  takeoverOn(w, 'a');
  assert.is(expectedHolder(w).holder, 'a', 'takeover on node-a brings it back and puts node-b in standby');
  assert.ok(w.standby.b);
  stopped(w, 'a');
  assert.is(expectedHolder(w).holder, 'b', 'a node in standby still takes over from a peer that left');
  started(w, 'a');
  settledTogether(w);
  assert.is(expectedHolder(w).holder, 'a', 'node-b still in standby: the group goes home');
  w.unfit.a = true;
  assert.is(expectedHolder(w).holder, 'b');
});

test('a LAN lost on node-a again and again: home after each repair, until the third move damps it on node-b for the window', () => {
  const w = both();
  const t0 = 1_000_000;
  healthMoved(w, 'a', t0);
  healthRepaired(w, 'a', t0 + 5000, true);
  assert.is(expectedHolder(w, t0 + 12_000).holder, 'a', 'two moves: away and home after the hold-down');
  healthMoved(w, 'a', t0 + 20_000);
  healthRepaired(w, 'a', t0 + 25_000, true);
  assert.is(expectedHolder(w, t0 + 40_000).holder, 'b', 'three moves in the window: damped');
  assert.match(expectedHolder(w, t0 + 40_000).why, /damped on node-b/);
  assert.is(expectedHolder(w, t0 + 25_000 + FLAP.windowMs).holder, 'a', 'node-a steady for the window: home');
  standbyOn(w, 'b');
  assert.not.ok(w.flap.damped, 'a standby on the damped holder hands the group over all the same');
  healthMoved(w, 'b', t0 + 50_000);
  assert.not.ok(w.flap.damped, 'a move to the home node is never damped there');
});

test('one node alone: it holds, unless it has a reset device and never heard its peer (it waits)', () => {
  const w = freshWorld(false);
  assert.is(expectedHolder(w).holder, null);
  started(w, 'b');
  assert.is(expectedHolder(w).holder, 'b');
  const r = freshWorld(true);
  started(r, 'b');
  const waiting = expectedHolder(r);
  assert.is(waiting.holder, null);
  assert.match(waiting.why, /waits/);
  const served = both(true);
  stopped(served, 'a');
  assert.is(expectedHolder(served).holder, 'b', 'it heard its peer before the peer left');
});

test('which operations a pair allows', () => {
  const fakePair = { noPathCut: () => undefined } as unknown as FieldPair;
  const allowed = (w: ReturnType<typeof freshWorld>) => OPERATIONS.filter((op) => !op.blocked(w, fakePair)).map((op) => op.name);
  assert.equal(allowed(freshWorld(false)), ['simul-start', 'start-one-by-one', 'partial-start']);
  const w = both();
  assert.not.ok(allowed(w).includes('simul-start'));
  assert.ok(allowed(w).includes('heartbeats-cut') && allowed(w).includes('carrier-loss'));
  standbyOn(w, 'a');
  assert.not.ok(allowed(w).includes('carrier-loss'), 'health moves are judged only on a plain pair');
  assert.not.ok(allowed(w).includes('standby'), 'no standby of a node whose peer is in standby');
});

test('every operation of the default list has a budget rule and a name; twelve seeds cover every shape with and without relays', () => {
  assert.ok(OPERATIONS.length >= 18);
  const setups = new Set(Array.from({ length: 12 }, (_, seed) => JSON.stringify(setupForSeed(seed))));
  assert.is(setups.size, 2 * SHAPES.length);
  const picks = (seed: number) => {
    const rng = makeRng(seed);
    return Array.from({ length: 20 }, () => rng.pick(OPERATIONS).name);
  };
  assert.equal(picks(7), picks(7), 'a seed replays the same choices');
});

test('a status that disagrees with the model is named', () => {
  const w = both();
  const status = (over: Partial<StatusSnapshot>): StatusSnapshot =>
    ({
      node: 'node-b',
      role: 'standby',
      peer: { node: 'node-a', state: 'up' },
      groups: [{ id: '192.0.2.50', home: 'node-a', holder: 'node-a', state: 'released', failedOn: [] }],
      ...over,
    }) as StatusSnapshot;
  assert.equal(statusProblems(status({}), 'b', w, { holder: 'a', why: '' }), []);
  const failed = statusProblems(status({ role: 'failed', groups: [{ id: '192.0.2.50', home: 'node-a', holder: 'node-a', state: 'released', failedOn: ['node-b'] }] }), 'b', w, { holder: 'a', why: '' });
  assert.equal(failed, ["node-b's status says 192.0.2.50 is FAILED on node-b", "node-b's status says role failed, expected standby"]);
  assert.ok(statusProblems(status({}), 'b', w, { holder: 'b', why: '' }).length >= 2);
});

test.run();
