// The external and manual devices, and the controller that logs, counts and serialises shots.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentDeps } from '../../src/agent/agent';
import type { Config, ResetDeviceSpec } from '../../src/config/types';
import { fenceConfirmHandler } from '../../src/fence/confirm-request';
import { ExternalDevice } from '../../src/fence/external';
import { createResetDevice } from '../../src/fence/index';
import { ManualDevice } from '../../src/fence/manual';
import { fakeGpio, memoryLog } from '../helpers/fake-gpio';
import { makeFakeSysfs, PI5_CHIPS } from '../helpers/fake-sysfs';

const dir = mkdtempSync(join(tmpdir(), 'twinbeat-fence-'));
function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

const calls = join(dir, 'calls');
const good = script('good', `echo "$@" >> ${calls}; echo "power cycled $2"`);
const bad = script('bad', 'echo "PDU said no" >&2; exit 1');
const slow = script('slow', 'sleep 5');

test('external: runs COMMAND ACTION NODE, exit 0 is success, output in the detail', async () => {
  const device = new ExternalDevice({ target: 'beta', command: good, timeoutMs: 5000 }, { log: memoryLog() });
  for (const action of ['reset', 'off', 'on', 'status'] as const) {
    const outcome = await device[action]();
    assert.ok(outcome.ok, outcome.detail);
    assert.match(outcome.detail, new RegExp(`^${good} ${action} beta succeeded \\(\\d+ ms\\): power cycled beta$`));
  }
  assert.is(readFileSync(calls, 'utf8'), 'reset beta\noff beta\non beta\nstatus beta\n');
});

test('external: exit 1 fails with what the program said', async () => {
  const outcome = await new ExternalDevice({ target: 'beta', command: bad, timeoutMs: 5000 }, { log: memoryLog() }).reset();
  assert.equal(outcome, { ok: false, detail: `${bad} reset beta exited 1: PDU said no` });
});

test('external: a program that hangs is killed at the timeout and the reset fails', async () => {
  const started = performance.now();
  const outcome = await new ExternalDevice({ target: 'beta', command: slow, timeoutMs: 300 }, { log: memoryLog() }).reset();
  assert.not.ok(outcome.ok);
  assert.match(outcome.detail, `${slow} reset beta timed out after 300 ms`);
  assert.ok(performance.now() - started < 3000);
});

test('external: a missing program fails, never throws', async () => {
  const outcome = await new ExternalDevice({ target: 'beta', command: join(dir, 'absent'), timeoutMs: 1000 }, { log: memoryLog() }).reset();
  assert.not.ok(outcome.ok);
  assert.match(outcome.detail, 'could not run');
});

test('manual: asks for the operator and resolves only on fence-confirm for that node', async () => {
  const log = memoryLog();
  const device = new ManualDevice('beta', { log });
  let settled: { ok: boolean; detail: string } | undefined;
  const shot = device.reset().then((o) => (settled = o));
  assert.match(log.lines[0] ?? '', /^CRIT: Operator intervention required to reset beta: .*twinbeat fence-confirm beta/);
  await new Promise((r) => setTimeout(r, 50));
  assert.is(settled, undefined, 'still waiting');
  assert.match((await device.status()).detail, 'waiting for "twinbeat fence-confirm beta"');
  assert.throws(() => device.confirm('alpha'), /is for beta, not alpha/);
  assert.is(device.confirm('BETA'), 'reset of beta confirmed');
  await shot;
  assert.ok(settled?.ok);
  assert.match(settled?.detail ?? '', /^reset of beta confirmed by the operator after \d+ s$/);
  assert.throws(() => device.confirm('beta'), /no reset of beta is waiting/);
});

test('manual: stopping twinbeat fails the waiting reset', async () => {
  const device = new ManualDevice('beta', { log: memoryLog() });
  const shot = device.reset();
  device.stop();
  assert.not.ok((await shot).ok);
});

type ResetConfig = Pick<Config, 'localNode' | 'peerNode' | 'resetDevices'>;
const spec = (over: Partial<ResetDeviceSpec> & Pick<ResetDeviceSpec, 'type' | 'params'>): ResetDeviceSpec => ({
  from: '*',
  target: 'beta',
  source: { file: 'ha.cf', line: 12 },
  ...over,
});
const pair = (devices: ResetDeviceSpec[], local = 'alpha'): ResetConfig => ({ localNode: local, peerNode: local === 'alpha' ? 'beta' : 'alpha', resetDevices: devices });

test('createResetDevice: undefined when no device is wired to this node', () => {
  assert.is(createResetDevice(pair([]), { log: memoryLog() }), undefined);
  assert.is(createResetDevice(pair([spec({ from: 'beta', target: 'alpha', type: 'manual', params: {} })]), { log: memoryLog() }), undefined);
});

test('createResetDevice: a device of its own wins over *', () => {
  const devices = [spec({ type: 'manual', params: {} }), spec({ from: 'alpha', type: 'external', params: { command: good } })];
  assert.is(createResetDevice(pair(devices), { log: memoryLog() })?.device.type, 'external');
  const forBeta = createResetDevice(pair([spec({ target: 'alpha', type: 'manual', params: {} })], 'beta'), { log: memoryLog() });
  assert.is(forBeta?.device.target, 'alpha');
});

test('every shot is logged with why and counted; a failure is counted as failed', async () => {
  const log = memoryLog();
  const controller = createResetDevice(pair([spec({ type: 'external', params: { command: bad } })]), { log })!;
  const outcome = await controller.resetPeer('beta still silent after fence_delay');
  assert.not.ok(outcome.ok);
  assert.equal(log.lines, [
    'warn: Resetting node beta with external (shot 1): beta still silent after fence_delay',
    `ERROR: Reset of node beta FAILED: ${bad} reset beta exited 1: PDU said no`,
  ]);
  const c = controller.counters();
  assert.equal([c.shots, c.succeeded, c.failed, c.last?.why, c.last?.ok], [1, 0, 1, 'beta still silent after fence_delay', false]);
});

test('a gpio-relay controller from a board profile resets through the resolved line; shots in flight are shared', async () => {
  const gpio = fakeGpio();
  const log = memoryLog();
  const sysfsRoot = makeFakeSysfs(PI5_CHIPS);
  const controller = createResetDevice(pair([spec({ type: 'gpio-relay', params: { board: 'raspberry-pi-5', channel: '1', active_low: 'yes', pulse: '100ms' } })]), {
    log,
    sysfsRoot,
    gpioFactory: gpio.factory,
  })!;
  await controller.start();
  assert.equal(gpio.opened, [{ number: 597, initialLevel: 1 }]);
  const [a, b] = await Promise.all([controller.resetPeer(), controller.resetPeer()]);
  assert.ok(a.ok && b.ok);
  assert.equal(gpio.writes.map((w) => w.level), [1, 0, 1], 'one power cycle, not two');
  assert.equal([controller.counters().shots, controller.counters().succeeded], [1, 1]);
  assert.match(log.lines.join('\n'), /info: node beta now reset: board raspberry-pi-5 channel 1 \(GPIO26, .*\) = .*\/gpio597: power cut for 100 ms, then restored/);
  assert.throws(() => controller.confirm('beta'), /the reset device for beta is gpio-relay: it needs no confirmation/);
  assert.match(controller.describe(), /^gpio-relay for beta: board raspberry-pi-5 channel 1 .* active low, pulse 100 ms$/);
});

test('the controller plugs into the agent as deps.resetPeer, unbound', async () => {
  const controller = createResetDevice(pair([spec({ type: 'external', params: { command: good } })]), { log: memoryLog() })!;
  const deps: Pick<AgentDeps, 'resetPeer'> = { resetPeer: controller.resetPeer };
  assert.ok((await deps.resetPeer!()).ok);
});

test('the control-socket handler confirms a manual reset; errors become replies', async () => {
  const controller = createResetDevice(pair([spec({ type: 'manual', params: {} })]), { log: memoryLog() })!;
  const handler = fenceConfirmHandler(controller);
  assert.throws(() => handler({ command: 'fence-confirm' }), /needs the node/);
  assert.throws(() => handler({ command: 'fence-confirm', node: 'beta' }), /no reset of beta is waiting/);
  const shot = controller.resetPeer();
  assert.is(handler({ command: 'fence-confirm', node: 'beta' }), 'reset of beta confirmed');
  assert.ok((await shot).ok);
  assert.throws(() => fenceConfirmHandler(undefined)({ command: 'fence-confirm', node: 'beta' }), /this node has no reset device/);
});

test.run();
