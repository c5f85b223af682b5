// The relay driver: every wiring x polarity, the pulse, read-back, a line that will not open.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GpioRelay } from '../../src/fence/gpio-relay';
import { levelFor, type RelaySettings } from '../../src/fence/relay-settings';
import { fakeGpio, memoryLog } from '../helpers/fake-gpio';
import { makeFakeSysfs, PI5_CHIPS } from '../helpers/fake-sysfs';

const sysfsRoot = makeFakeSysfs(PI5_CHIPS);

function settings(over: Partial<RelaySettings> = {}): RelaySettings {
  return { target: 'beta', chipLabels: ['pinctrl-rp1'], offset: 26, named: 'chip pinctrl-rp1 line 26', wiring: 'nc', activeLow: false, pulseMs: 120, ...over };
}

// wiring, active_low -> [level that keeps the target powered, level that cuts it]
const TABLE = [
  { wiring: 'nc', activeLow: false, powered: 0, cut: 1 },
  { wiring: 'nc', activeLow: true, powered: 1, cut: 0 },
  { wiring: 'no', activeLow: false, powered: 1, cut: 0 },
  { wiring: 'no', activeLow: true, powered: 0, cut: 1 },
] as const;

for (const row of TABLE) {
  const name = `wiring=${row.wiring} active_low=${row.activeLow ? 'yes' : 'no'}`;

  test(`${name}: powered is level ${row.powered}, cut is level ${row.cut}`, () => {
    assert.is(levelFor('powered', row), row.powered);
    assert.is(levelFor('cut', row), row.cut);
  });

  test(`${name}: start drives the powered level; reset cuts for the pulse, then powers`, async () => {
    const gpio = fakeGpio();
    const log = memoryLog();
    const relay = new GpioRelay(settings({ wiring: row.wiring, activeLow: row.activeLow }), { log, sysfsRoot, gpioFactory: gpio.factory });
    await relay.start();
    assert.equal(gpio.opened, [{ number: 597, initialLevel: row.powered }], 'opened at the powered level, no glitch');
    assert.equal(gpio.writes.map((w) => w.level), [row.powered]);
    assert.match(log.lines[0] ?? '', `driven to level ${row.powered}, which keeps beta powered`);
    assert.ok(relay.health().ok);

    const outcome = await relay.reset();
    assert.ok(outcome.ok, outcome.detail);
    const [, cut, restored] = gpio.writes;
    assert.equal(gpio.writes.map((w) => w.level), [row.powered, row.cut, row.powered]);
    assert.ok(restored!.at - cut!.at >= 115, `power cut for ${restored!.at - cut!.at} ms, pulse is 120 ms`);
    assert.match(outcome.detail, 'power cut for 120 ms, then restored');
    assert.match((await relay.status()).detail, 'beta powered');
  });
}

test('the pulse is waited through the injected sleep', async () => {
  const gpio = fakeGpio();
  const slept: number[] = [];
  const relay = new GpioRelay(settings({ pulseMs: 2000 }), { log: memoryLog(), sysfsRoot, gpioFactory: gpio.factory, sleep: async (ms) => void slept.push(ms) });
  await relay.start();
  assert.ok((await relay.reset()).ok);
  assert.equal(slept, [2000]);
});

test('off and on drive one edge each and read it back', async () => {
  const gpio = fakeGpio();
  const relay = new GpioRelay(settings(), { log: memoryLog(), sysfsRoot, gpioFactory: gpio.factory });
  await relay.start();
  assert.ok((await relay.off()).ok);
  assert.match((await relay.status()).detail, 'level 1, beta cut');
  assert.ok((await relay.on()).ok);
  assert.equal(gpio.writes.map((w) => w.level), [0, 1, 0]);
});

test('a read-back that does not match fails the reset and tries to leave the target powered', async () => {
  const gpio = fakeGpio();
  const relay = new GpioRelay(settings(), { log: memoryLog(), sysfsRoot, gpioFactory: gpio.factory });
  await relay.start();
  gpio.stuckAt = 0;
  const outcome = await relay.reset();
  assert.not.ok(outcome.ok);
  assert.match(outcome.detail, /wrote level 1 \(cut\) but read back 0/);
  assert.equal(gpio.writes.map((w) => w.level), [0, 1, 0]);
});

test('a line stuck after the cut fails the reset: restoring power is verified too', async () => {
  const gpio = fakeGpio();
  const relay = new GpioRelay(settings(), { log: memoryLog(), sysfsRoot, gpioFactory: gpio.factory, sleep: async () => void (gpio.stuckAt = 1) });
  await relay.start();
  const outcome = await relay.reset();
  assert.not.ok(outcome.ok);
  assert.match(outcome.detail, /power was cut for 120 ms, but restoring it failed: .*wrote level 0 \(powered\) but read back 1/);
});

test('a line that cannot be opened is an error in the log and in health, not a crash; the next reset tries again', async () => {
  const gpio = fakeGpio();
  gpio.openError = 'EACCES: permission denied, open /sys/class/gpio/export';
  const log = memoryLog();
  const relay = new GpioRelay(settings(), { log, sysfsRoot, gpioFactory: gpio.factory });
  await relay.start();
  assert.equal(relay.health(), { ok: false, detail: 'relay line (chip pinctrl-rp1 line 26) cannot be opened: EACCES: permission denied, open /sys/class/gpio/export' });
  assert.match(log.lines[0] ?? '', /^ERROR: Reset device for beta: relay line .* cannot be reset until it opens$/);
  const failed = await relay.reset();
  assert.not.ok(failed.ok);
  gpio.openError = undefined;
  assert.ok((await relay.reset()).ok);
  assert.ok(relay.health().ok);
});

test('a chip that is not on this machine fails with the chips found', async () => {
  const relay = new GpioRelay(settings({ chipLabels: ['pinctrl-bcm2711'] }), { log: memoryLog(), sysfsRoot, gpioFactory: fakeGpio().factory });
  await relay.start();
  assert.match(relay.health().detail, /the GPIO chip labelled "pinctrl-bcm2711" is not on this machine \(.* has gpiochip512 /);
});

test('describe names the resolved line, wiring, polarity and pulse', async () => {
  const relay = new GpioRelay(settings({ activeLow: true }), { log: memoryLog(), sysfsRoot, gpioFactory: fakeGpio().factory });
  await relay.start();
  assert.is(relay.describe(), `gpio-relay for beta: chip pinctrl-rp1 line 26 = ${sysfsRoot}/class/gpio/gpio597, wiring nc: energised cuts power, active low, pulse 120 ms`);
});

test.run();
