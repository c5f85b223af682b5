// The arithmetic behind the handover matrix's figures (test/helpers/client-gap.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { handoverGap, longestOutage, lossGap, type ClientChange } from '../helpers/client-gap';

const moved: ClientChange[] = [
  { t: 1000, answer: 'node-a', prevAt: 0 },
  { t: 5030, answer: null, prevAt: 5020 },
  { t: 5100, answer: 'node-b', prevAt: 5090 },
];

test('a handover is measured from the old holder last answering, not from its first miss', () => {
  assert.is(handoverGap(moved, 'node-a', 'node-b', 4000), 80);
});

test('a direct switch, no miss between: the gap is one sample', () => {
  assert.is(handoverGap([{ t: 0, answer: 'node-a' }, { t: 500, answer: 'node-b', prevAt: 490 }], 'node-a', 'node-b', 100), 10);
});

test('a flap of the old holder before the move: its last answer counts', () => {
  const flap: ClientChange[] = [{ t: 0, answer: 'node-a' }, { t: 100, answer: null, prevAt: 90 }, { t: 120, answer: 'node-a', prevAt: 110 }, { t: 300, answer: null, prevAt: 290 }, { t: 400, answer: 'node-b', prevAt: 390 }];
  assert.is(handoverGap(flap, 'node-a', 'node-b', 50), 110);
});

test('not yet answered by the new holder, or answers from before `since`: no figure', () => {
  assert.is(handoverGap(moved, 'node-a', 'node-b', 6000), undefined);
  assert.is(handoverGap(moved.slice(0, 2), 'node-a', 'node-b', 0), undefined);
  assert.is(handoverGap(moved, 'node-c', 'node-b', 0), undefined);
});

test('a power loss is measured from the cut', () => {
  assert.is(lossGap(moved, 'node-b', 5000), 100);
  assert.is(lossGap(moved, 'node-b', 5200), undefined);
});

test('longest outage in a window: from the last answer before the miss to the next answer', () => {
  assert.is(longestOutage(moved, 4000, 6000), 80);
  // Cut to the window on either side.
  assert.is(longestOutage(moved, 5050, 6000), 50);
  assert.is(longestOutage(moved, 4000, 5060), 40);
  // A window with every sample answered.
  assert.is(longestOutage(moved, 0, 5000), 0);
});

test('longest outage: a direct switch is one sample; an outage still running counts to the end of the window', () => {
  assert.is(longestOutage([{ t: 0, answer: 'node-a' }, { t: 500, answer: 'node-b', prevAt: 490 }], 0, 1000), 10);
  assert.is(longestOutage([{ t: 0, answer: 'node-a' }, { t: 500, answer: null, prevAt: 490 }], 0, 1000), 510);
  // Nobody ever answered: the whole window.
  assert.is(longestOutage([{ t: 0, answer: null, prevAt: 0 }], 100, 400), 300);
  // The longest of several.
  const two: ClientChange[] = [{ t: 0, answer: 'node-a' }, { t: 100, answer: null, prevAt: 90 }, { t: 130, answer: 'node-a', prevAt: 120 }, { t: 300, answer: null, prevAt: 290 }, { t: 500, answer: 'node-b', prevAt: 490 }];
  assert.is(longestOutage(two, 0, 1000), 210);
});

test.run();
