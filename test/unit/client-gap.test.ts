// The arithmetic behind the handover matrix's figures (test/helpers/client-gap.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { handoverGap, lossGap, type ClientChange } from '../helpers/client-gap';

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

test.run();
