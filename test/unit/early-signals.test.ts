// `twinbeat run` keeps the signals that arrive while it starts (src/commands/early-signals.ts):
// the process is not killed by them, and the agent acts on each once it runs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { holdSignalsWhileStarting } from '../../src/commands/early-signals';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('SIGTERM and SIGHUP sent while starting are kept, in order; the process lives on', async () => {
  const exits: number[] = [];
  const held = holdSignalsWhileStarting((code) => exits.push(code));
  process.kill(process.pid, 'SIGHUP');
  process.kill(process.pid, 'SIGHUP');
  await sleep(50);
  process.kill(process.pid, 'SIGTERM');
  await sleep(50);
  assert.equal(held.release(), ['SIGHUP', 'SIGTERM']);
  assert.equal(exits, [], 'a repeated SIGHUP is only kept once');
  assert.is(process.listenerCount('SIGTERM'), 0, 'the placeholders are removed');
  assert.is(process.listenerCount('SIGHUP'), 0);
});

test('the same SIGTERM twice while starting (a stuck start, an insisting operator) exits at once, as 143', async () => {
  const exits: number[] = [];
  const held = holdSignalsWhileStarting((code) => exits.push(code));
  process.kill(process.pid, 'SIGTERM');
  await sleep(50);
  assert.equal(exits, []);
  process.kill(process.pid, 'SIGTERM');
  await sleep(50);
  assert.equal(exits, [143]);
  held.release();
});

test('nothing arrived: nothing to act on', () => {
  assert.equal(holdSignalsWhileStarting().release(), []);
});

test.run();
