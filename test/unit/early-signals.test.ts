// `twinbeat run` keeps the signals that arrive while it starts (src/commands/early-signals.ts):
// the process is not killed by them, and the agent acts on each once it runs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { holdSignalsWhileStarting } from '../../src/commands/early-signals';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('SIGTERM and SIGHUP sent while starting are kept, once each, in order; the process lives on', async () => {
  const held = holdSignalsWhileStarting();
  process.kill(process.pid, 'SIGHUP');
  await sleep(50);
  process.kill(process.pid, 'SIGTERM');
  process.kill(process.pid, 'SIGTERM');
  await sleep(50);
  assert.equal(held.release(), ['SIGHUP', 'SIGTERM']);
  assert.is(process.listenerCount('SIGTERM'), 0, 'the placeholders are removed');
  assert.is(process.listenerCount('SIGHUP'), 0);
});

test('nothing arrived: nothing to act on', () => {
  assert.equal(holdSignalsWhileStarting().release(), []);
});

test.run();
