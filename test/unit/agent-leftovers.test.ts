// Start-up's release of what an earlier run left: nothing running costs only the status calls;
// a resource that runs, or whose status hangs until its limit, gets the group stopped.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { releaseLeftover } from '../../src/agent/leftovers';
import type { ActionResult, ManagedResource } from '../../src/resources/resource';

function resource(name: string, status: Partial<ActionResult>, stopOk = true, calls: string[] = []): ManagedResource {
  const result = (ok: boolean): ActionResult => ({ ok, detail: '', durationMs: 0 });
  return {
    name,
    start: async () => (calls.push(`${name} start`), result(true)),
    stop: async () => (calls.push(`${name} stop`), result(stopOk)),
    status: async () => (calls.push(`${name} status`), { ...result(false), ...status }),
  };
}

const logger = (lines: string[]) => ({ log: (level: string, message: string) => void lines.push(`${level}: ${message}`) });

test('nothing left: only the status calls, no stop, nothing logged', async () => {
  const calls: string[] = [];
  const lines: string[] = [];
  const outcome = await releaseLeftover('192.0.2.50', [resource('vip', {}, true, calls), resource('web', {}, true, calls)], logger(lines));
  assert.equal(outcome, { ok: true, steps: [] });
  assert.equal(calls, ['vip status', 'web status']);
  assert.equal(lines, []);
});

test('a status that timed out counts as running: the group is stopped, right to left, and a failed stop is reported', async () => {
  const calls: string[] = [];
  const lines: string[] = [];
  const outcome = await releaseLeftover('192.0.2.50', [resource('vip', {}, true, calls), resource('hang', { timedOut: true }, false, calls)], logger(lines));
  assert.is(outcome.ok, false);
  assert.is(outcome.failed, 'hang');
  assert.equal(calls, ['vip status', 'hang status', 'hang stop', 'vip stop']);
  assert.equal(lines, ['warn: Releasing resource group 192.0.2.50: hang still running from a previous run']);
});

test.run();
