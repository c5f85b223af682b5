// Chip label + offset to the sysfs number, against fake sysfs trees; board detection.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BOARD_PROFILES, findProfile, profileForModel, profileProblems } from '../../src/config/boards';
import { listGpioChips, readBoardModel, resolveGpioLine } from '../../src/fence/sysfs';
import { makeFakeSysfs, PI5_CHIPS } from '../helpers/fake-sysfs';

test('a Pi 5 line resolves against pinctrl-rp1 base 571, not 0', async () => {
  const root = makeFakeSysfs(PI5_CHIPS);
  const line = await resolveGpioLine(['pinctrl-rp1'], 26, root);
  assert.is(line.number, 597);
  assert.is(line.path, `${root}/class/gpio/gpio597`);
  assert.is(line.chip.name, 'gpiochip571');
});

test('the same offset moves with the base the kernel chose', async () => {
  const old = makeFakeSysfs([{ label: 'pinctrl-bcm2711', base: 0, ngpio: 58 }]);
  const current = makeFakeSysfs([{ label: 'pinctrl-bcm2711', base: 512, ngpio: 58 }, { label: 'raspberrypi-exp-gpio', base: 570, ngpio: 8 }]);
  assert.is((await resolveGpioLine(['pinctrl-bcm2711'], 26, old)).number, 26);
  assert.is((await resolveGpioLine(['pinctrl-bcm2711'], 26, current)).number, 538);
});

test('the first listed label that a chip carries wins (BeagleBone kernels spell them two ways)', async () => {
  const root = makeFakeSysfs([{ label: '44e07000.gpio', base: 0, ngpio: 32 }, { label: '4804c000.gpio', base: 32, ngpio: 32 }]);
  assert.is((await resolveGpioLine(['gpio-32-63', '4804c000.gpio'], 28, root)).number, 60);
});

test('no labels: the chip with the lowest base (generic profile)', async () => {
  const root = makeFakeSysfs(PI5_CHIPS);
  assert.equal((await listGpioChips(root)).map((c) => c.base), [512, 544, 546, 571]);
  assert.is((await resolveGpioLine([], 3, root)).number, 515);
});

test('a missing chip names the label and every chip found', async () => {
  const root = makeFakeSysfs([{ label: 'pinctrl-bcm2711', base: 512, ngpio: 58 }]);
  try {
    await resolveGpioLine(['pinctrl-rp1'], 26, root);
    assert.unreachable('should throw');
  } catch (err) {
    assert.is((err as Error).message, `the GPIO chip labelled "pinctrl-rp1" is not on this machine (${root}/class/gpio has gpiochip512 "pinctrl-bcm2711" (base 512, 58 lines))`);
  }
});

test('no sysfs GPIO at all, and a line beyond the chip, are clear errors', async () => {
  await resolveGpioLine(['pinctrl-rp1'], 1, '/nonexistent').then(
    () => assert.unreachable(),
    (err: Error) => assert.match(err.message, /is not on this machine \(\/nonexistent\/class\/gpio has no gpiochip at all\)/),
  );
  await resolveGpioLine(['pinctrl-rp1'], 54, makeFakeSysfs(PI5_CHIPS)).then(
    () => assert.unreachable(),
    (err: Error) => assert.is(err.message, 'line 54 is beyond gpiochip571 "pinctrl-rp1", which has lines 0 to 53'),
  );
});

test('board detection reads the NUL-terminated device-tree model', async () => {
  const root = makeFakeSysfs([], 'Raspberry Pi 5 Model B Rev 1.0');
  const model = await readBoardModel(root);
  assert.is(model, 'Raspberry Pi 5 Model B Rev 1.0');
  assert.is(profileForModel(model ?? '')?.name, 'raspberry-pi-5');
  assert.is(profileForModel('Raspberry Pi 4 Model B Rev 1.4')?.name, 'raspberry-pi-4');
  assert.is(profileForModel('TI AM335x BeagleBone Black')?.name, 'beaglebone-black');
  assert.is(profileForModel('QEMU Virtual Machine'), undefined);
  assert.is(await readBoardModel('/nonexistent'), undefined);
});

test('every board profile is valid and findable by name and alias', () => {
  assert.equal(BOARD_PROFILES.map((p) => p.name).sort(), ['beaglebone-black', 'generic', 'raspberry-pi-4', 'raspberry-pi-5']);
  for (const p of BOARD_PROFILES) assert.equal(profileProblems(p), [], p.name);
  assert.is(findProfile('rpi4')?.name, 'raspberry-pi-4');
  assert.is(findProfile('Raspberry-Pi-5')?.name, 'raspberry-pi-5');
  assert.is(findProfile('bbb')?.name, 'beaglebone-black');
  assert.equal(findProfile('raspberry-pi-5')?.chip, ['pinctrl-rp1']);
  assert.equal(Object.entries(findProfile('rpi4')?.channels ?? {}).map(([n, c]) => [n, c.line]), [['1', 26], ['2', 20], ['3', 21]]);
});

test('a broken profile is refused with reasons', () => {
  assert.equal(profileProblems({ name: 'Bad Name', aliases: [], detect: 'x', chip: [], channels: { a: { line: -1 } }, serial: ['ttyS0'], description: '', comment: '' }), [
    'name must be lower-case letters, digits and "-"',
    'detect must be a list of strings',
    'serial devices must be /dev paths',
    'channel "a" must be a number',
    'channel a: line must be a whole number',
  ]);
});

test.run();
