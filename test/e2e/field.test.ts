// A short seeded slice of the field suite (issue 16; test/field, `npm run field`), so that CI
// keeps it alive: the seed tutorial's shape without a reset device, and serial + UDP with a
// relay on each node, each for a dozen random operator and fault steps with every invariant
// checked after each; and the health moves with relays. A failure prints the replay command and
// both logs' tails.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { labUnavailable } from '../helpers/netns';
import { skipWithReason } from '../helpers/skip';
import { runSegment, type SegmentOptions, type SegmentResult } from '../field/driver';
import { byName } from '../field/operations';
import { report } from '../field/report';

const unavailable = labUnavailable(['ip', 'socat', 'arping', 'ping', 'nft', 'unshare']);

async function segment(seed: number, steps: number, more: Partial<SegmentOptions> = {}): Promise<SegmentResult> {
  const begun = Date.now();
  const result = await runSegment({ seed, steps, print: (line) => console.log(line), ...more });
  for (const line of report([result], Date.now() - begun)) console.log(`  ${line}`);
  return result;
}

if (unavailable) {
  skipWithReason(test, `field suite: ${unavailable}`);
} else {
  test('seed 0 (the tutorial\'s shape, no reset device): 12 random steps, every invariant holds after each', async () => {
    const result = await segment(0, 12);
    assert.equal(result.setup, { shape: 'tutorial', relay: false });
    assert.is(result.failure, undefined, result.failure);
    assert.is(result.steps.length, 12);
  });

  test('seed 9 (serial + UDP, a relay on each node): 14 random steps, every invariant holds after each', async () => {
    const result = await segment(9, 14);
    assert.equal(result.setup, { shape: 'serial+udp', relay: true });
    assert.is(result.failure, undefined, result.failure);
    assert.is(result.steps.length, 14);
  });

  // Found by the field run: behind the relay's fake /sys/class the agents read every tracked
  // interface as down, so a lost LAN moved the group only by ping nodes, 2.5 s later.
  test('with relays, a lost LAN carrier and a lost ping node each move the group within a graceful move\'s budget', async () => {
    const ops = ['carrier-loss', 'ping-loss'].map((o) => byName.get(o)!);
    const result = await segment(3, 5, { setup: { relay: true }, ops });
    assert.is(result.failure, undefined, result.failure);
    assert.ok(result.steps.slice(1).every((s) => s.op === 'carrier-loss' || s.op === 'ping-loss'));
  });
}

test.run();
