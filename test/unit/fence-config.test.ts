// stonith_host in ha.cf: every parameter checked at its file:line with what would be right;
// a device for each node; what check-config and `twinbeat boards` say on this machine.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { inspectResetDevices } from '../../src/fence/inspect';
import { BASE_HA_CF, check, fakeMachine, makeConfigDir, withLine } from '../helpers/config-dir';
import { makeFakeSysfs, PI5_CHIPS } from '../helpers/fake-sysfs';

const GPIO_EXAMPLE = 'e.g. "stonith_host * gpio-relay target=node2 board=rpi4 channel=1"';

const ERRORS: [string, string][] = [
  ['stonith_host * gpio-relay board=rpi5 channel=1', `ha.cf:10: stonith_host gpio-relay: target=NODE is missing; ${GPIO_EXAMPLE}`],
  ['stonith_host * gpio-relay target=beta', `ha.cf:10: stonith_host gpio-relay: name the relay by board=PROFILE channel=N or by chip=LABEL line=N; ${GPIO_EXAMPLE}`],
  ['stonith_host * gpio-relay target=beta board=rpi5 channel=1 chip=pinctrl-rp1 line=26', `ha.cf:10: stonith_host gpio-relay: name the relay by board=PROFILE channel=N or by chip=LABEL line=N; ${GPIO_EXAMPLE}`],
  ['stonith_host * gpio-relay target=beta board=rpi5', `ha.cf:10: stonith_host gpio-relay: board= and channel= go together; ${GPIO_EXAMPLE}`],
  ['stonith_host * gpio-relay target=beta board=orangepi channel=1', `ha.cf:10: stonith_host gpio-relay: board "orangepi" is not a known profile (known: raspberry-pi-5 (rpi5, pi5), raspberry-pi-4 (rpi4, pi4), beaglebone-black (bbb, beaglebone), generic; see "twinbeat boards"), or name the line with chip=LABEL line=N; ${GPIO_EXAMPLE}`],
  ['stonith_host * gpio-relay target=beta board=rpi5 channel=7', `ha.cf:10: stonith_host gpio-relay: board raspberry-pi-5 has no channel 7 (channels: 1, 2, 3); ${GPIO_EXAMPLE}`],
  ['stonith_host * gpio-relay target=beta chip=pinctrl-rp1 line=x', `ha.cf:10: stonith_host gpio-relay: line must be 0 to 1023; ${GPIO_EXAMPLE}`],
  ['stonith_host * gpio-relay target=beta chip=pinctrl-rp1 line=26 active_low=maybe', `ha.cf:10: stonith_host gpio-relay: active_low must be yes or no; ${GPIO_EXAMPLE}`],
  ['stonith_host * gpio-relay target=beta chip=pinctrl-rp1 line=26 wiring=nx', `ha.cf:10: stonith_host gpio-relay: wiring must be nc (normally closed) or no (normally open); ${GPIO_EXAMPLE}`],
  ['stonith_host * gpio-relay target=beta chip=pinctrl-rp1 line=26 pulse=long', `ha.cf:10: stonith_host gpio-relay: pulse must be a duration of at least 100ms, such as 2s; ${GPIO_EXAMPLE}`],
  ['stonith_host * gpio-relay target=beta chip=pinctrl-rp1 line=26 speed=9', `ha.cf:10: stonith_host gpio-relay: unknown parameter speed (known: target, board, channel, chip, line, active_low, wiring, pulse); ${GPIO_EXAMPLE}`],
  ['stonith_host * external target=beta command=reset-node', 'ha.cf:10: stonith_host external: command=PATH must be an absolute path; e.g. "stonith_host * external target=node2 command=/usr/local/sbin/reset-node"'],
  ['stonith_host * external target=beta command=/bin/true timeout=0', 'ha.cf:10: stonith_host external: timeout must be a duration of at least 1s, such as 60s; e.g. "stonith_host * external target=node2 command=/usr/local/sbin/reset-node"'],
  ['stonith_host * manual', 'ha.cf:10: stonith_host manual: target=NODE is missing; e.g. "stonith_host * manual target=node2"'],
  ['stonith_host * manual target=gamma', 'ha.cf:10: stonith_host: target "gamma" is not a node (nodes: alpha, beta)'],
];

for (const [line, error] of ERRORS) {
  test(`error: ${line}`, async () => {
    const r = await check(withLine(line));
    assert.equal(r.errors, [error]);
    assert.is(r.config, undefined);
  });
}

test('valid lines of every type, aliases and channel numbers as written', async () => {
  for (const line of [
    'stonith_host * gpio-relay target=beta board=raspberry-pi-5 channel=1 active_low=yes wiring=no pulse=500ms',
    'stonith_host * gpio-relay target=beta board=BBB channel=03',
    'stonith_host * gpio-relay target=beta chip=pinctrl-rp1 line=26',
    'stonith_host * external target=beta command=/usr/local/sbin/reset-node timeout=90s',
    'stonith_host * manual target=beta',
  ]) {
    const r = await check(withLine(line));
    assert.equal(r.errors, [], line);
    assert.ok(r.config, line);
  }
});

test('a device on one node only: the other node is warned it would take over without a reset', async () => {
  const r = await check(withLine('stonith_host alpha manual target=beta'));
  assert.ok(r.config);
  assert.equal(r.warnings, ['ha.cf:10: warning: no reset device is wired to beta: if alpha falls silent on every path, beta takes over without resetting it (Heartbeat v1 without STONITH); add "stonith_host beta TYPE target=alpha ..." or use * for both']);
});

test('both nodes covered by their own lines: no warning; two devices for one node: an error at the second', async () => {
  const both = await check({ 'ha.cf': `${BASE_HA_CF}stonith_host alpha manual target=beta\nstonith_host beta manual target=alpha\n` });
  assert.equal([both.errors, both.warnings], [[], []]);
  const twice = await check({ 'ha.cf': `${BASE_HA_CF}stonith_host * manual target=beta\nstonith_host * external target=beta command=/bin/true\nstonith_host * manual target=alpha\n` });
  assert.equal(twice.errors, ['ha.cf:11: stonith_host: alpha already has a reset device for beta at line 10; twinbeat uses one device per node']);
});

test('an external command missing or not executable here: a warning, an error under --strict', async () => {
  const line = withLine('stonith_host * external target=beta command=/opt/pdu/reset');
  const missing = fakeMachine({ fileExists: (p) => p !== '/opt/pdu/reset', isExecutable: () => false });
  const lenient = await check(line, { machine: missing });
  assert.ok(lenient.config);
  assert.ok(lenient.warnings.includes('ha.cf:10: warning: stonith_host external: /opt/pdu/reset does not exist on this machine; it is run as "/opt/pdu/reset reset beta"'), lenient.warnings.join('\n'));
  const strict = await check(line, { machine: fakeMachine({ isExecutable: () => false }), strict: true });
  assert.equal(strict.errors, ['ha.cf:10: stonith_host external: /opt/pdu/reset is not executable (chmod +x it); it is run as "/opt/pdu/reset reset beta"']);
});

test('inspect: a relay that resolves here names its sysfs line; one that does not is a note with the reason', async () => {
  const sysfsRoot = makeFakeSysfs(PI5_CHIPS, 'Raspberry Pi 5 Model B Rev 1.0');
  const r = await check(withLine('stonith_host * gpio-relay target=beta chip=pinctrl-rp1 line=26'));
  const here = await inspectResetDevices(r.config!, { sysfsRoot, root: sysfsRoot });
  assert.equal(here, { notes: [`gpio-relay for beta: chip pinctrl-rp1 line 26 = ${sysfsRoot}/class/gpio/gpio597`], unresolved: [] });

  const pi4 = await check(withLine('stonith_host * gpio-relay target=beta board=rpi4 channel=1'));
  const there = await inspectResetDevices(pi4.config!, { sysfsRoot, root: sysfsRoot });
  assert.is(there.unresolved.length, 1);
  assert.equal(there.unresolved[0]?.source.line, 10);
  assert.match(there.notes[0] ?? '', /^note: gpio-relay for beta \(board raspberry-pi-4 channel 1 \(BCM26, .*\)\) does not resolve here: the GPIO chip labelled "pinctrl-bcm2711" or "pinctrl-bcm2835" is not on this machine \(.*\); this machine is "Raspberry Pi 5 Model B Rev 1\.0" \(profile raspberry-pi-5\), not a raspberry-pi-4$/);
});

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { encoding: 'utf8' });

test('check-config prints the resolved line; --strict refuses a relay that does not resolve here', () => {
  const sysfsRoot = makeFakeSysfs(PI5_CHIPS, 'Raspberry Pi 5 Model B Rev 1.0');
  const dir = makeConfigDir({ 'ha.cf': `${BASE_HA_CF}stonith_host * gpio-relay target=beta board=rpi5 channel=1\nstonith_host * gpio-relay target=alpha board=rpi5 channel=1\n` });
  const ok = cli('check-config', '--config-dir', dir, '--node', 'alpha', '--sysfs-root', sysfsRoot, '--root', sysfsRoot);
  assert.match(ok.stdout, `reset:    gpio-relay resets beta\n          gpio-relay for beta: board raspberry-pi-5 channel 1 (GPIO26, header pin 37 (Waveshare RPi Relay Board CH1)): chip pinctrl-rp1 line 26 = ${sysfsRoot}/class/gpio/gpio597\n`);
  const elsewhere = makeFakeSysfs([{ label: 'pinctrl-bcm2711', base: 512, ngpio: 58 }], 'Raspberry Pi 4 Model B Rev 1.4');
  const note = cli('check-config', '--config-dir', dir, '--node', 'alpha', '--sysfs-root', elsewhere, '--root', elsewhere);
  assert.match(note.stdout, /note: gpio-relay for beta .* does not resolve here: .*this machine is "Raspberry Pi 4 Model B Rev 1.4" \(profile raspberry-pi-4\), not a raspberry-pi-5/);
  // --strict also checks the interfaces and scripts of this host: a configuration every host has.
  const onLoopback = makeConfigDir({
    'ha.cf': 'keepalive 1\ndeadtime 10\nucast lo 127.0.0.2\nauto_failback on\nnode alpha\nnode beta\nstonith_host * gpio-relay target=beta board=rpi5 channel=1\n',
    haresources: 'alpha httpd\n',
    extra: { 'resource.d/httpd': '#!/bin/sh\n' },
  });
  const strict = cli('check-config', '--config-dir', onLoopback, '--node', 'alpha', '--strict', '--sysfs-root', elsewhere, '--root', elsewhere);
  assert.is(strict.status, 2, strict.stdout + strict.stderr);
  assert.match(strict.stderr, `${onLoopback}/ha.cf:7: gpio-relay for beta (board raspberry-pi-5 channel 1`);
  assert.match(strict.stderr, 'is not valid on this machine (1 reset device not found)');
});

test('twinbeat boards lists every profile and names this machine and its chips', () => {
  const root = makeFakeSysfs(PI5_CHIPS, 'Raspberry Pi 5 Model B Rev 1.0');
  const r = cli('boards', '--sysfs-root', root, '--root', root);
  assert.is(r.status, 0, r.stderr);
  for (const name of ['raspberry-pi-4', 'raspberry-pi-5', 'beaglebone-black', 'generic']) assert.match(r.stdout, `board    ${name}`);
  assert.match(r.stdout, 'raspberry-pi-5 (also rpi5, pi5): Raspberry Pi 5, Compute Module 5, Pi 500  <- this machine');
  assert.match(r.stdout, 'this machine: "Raspberry Pi 5 Model B Rev 1.0", profile raspberry-pi-5');
  assert.match(r.stdout, '"pinctrl-rp1" base 571 (54 lines)');
  assert.match(r.stdout, 'channel 1 is sysfs gpio597 here');
});

test('twinbeat fence-confirm needs a node and reaches the agent', () => {
  assert.is(cli('fence-confirm').status, 2);
  const r = cli('fence-confirm', 'beta', '--run-dir', makeConfigDir());
  assert.is(r.status, 1);
  assert.match(r.stderr, /twinbeat fence-confirm: cannot reach the agent on .*control\.sock: is twinbeat running\?/);
});

test.run();
