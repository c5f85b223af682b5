// The real onoff against a fake /sys/class: a tmpfs mounted in a private mount namespace
// (`unshare -m`), so the host's sysfs is never touched. Proves that twinbeat finds the line
// by label and base, opens it powered, and pulses the value file for the configured time.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { skipWithReason } from '../helpers/skip';

const canRun = process.getuid?.() === 0 && spawnSync('unshare', ['--version']).status === 0;

function pulsesTheRelay(): void {
  const r = spawnSync(
    'unshare',
    ['-m', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs twinbeat-test-sysfs /sys/class && exec "$0" --import tsx test/helpers/onoff-in-namespace.ts', process.execPath],
    { encoding: 'utf8', timeout: 30_000 },
  );
  assert.is(r.status, 0, `${r.stdout}\n${r.stderr}`);
  const result = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as {
    afterStart: { direction: string; activeLow: string; value: string };
    outcome: { ok: boolean; detail: string };
    seen: { value: string; at: number }[];
    health: { ok: boolean; detail: string };
    log: string[];
  };
  // active_low=yes, wiring nc: level 1 keeps beta powered, level 0 energises the relay and cuts it.
  assert.equal(result.afterStart, { direction: 'high', activeLow: '0', value: '1' }, 'output, powered, our own polarity');
  assert.ok(result.health.ok, result.health.detail);
  assert.match(result.health.detail, '/sys/class/gpio/gpio597');
  assert.ok(result.outcome.ok, result.outcome.detail);
  const values = result.seen.map((s) => s.value);
  assert.equal(values.slice(-3), ['1', '0', '1'], JSON.stringify(result.seen));
  const [, cut, restored] = result.seen.slice(-3);
  const pulse = restored!.at - cut!.at;
  assert.ok(pulse >= 280 && pulse < 1000, `power cut for ${pulse} ms, pulse is 300 ms`);
  assert.match(result.log.join('\n'), 'warn: Resetting node beta with gpio-relay (shot 1): test shot');
}

if (canRun) test('onoff pulses the relay line: powered at start, cut for the pulse, powered again', pulsesTheRelay);
else skipWithReason(test, 'fence-onoff-tmpfs needs root and unshare (a tmpfs over /sys/class in a private mount namespace)');

test.run();
