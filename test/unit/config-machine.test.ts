// Problems of this machine rather than of the files: warnings, errors under --strict.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { interfacesHolding } from '../../src/config/machine';
import { check, fakeMachine } from '../helpers/config-dir';

const bare = { lo: [{ address: '127.0.0.1', family: 4 as const, prefixLength: 8 }] };

test('the interface for a VIP is the one whose subnet holds it', () => {
  const m = fakeMachine();
  assert.equal(interfacesHolding({ address: '192.0.2.77', family: 4 }, m), ['eth0']);
  assert.equal(interfacesHolding({ address: '198.51.100.9', family: 4 }, m), ['eth1']);
  assert.equal(interfacesHolding({ address: '2001:db8::77', family: 6 }, m), ['eth0']);
  assert.equal(interfacesHolding({ address: '203.0.113.5', family: 4 }, m), []);
});

test('a VIP with no interface holding its subnet is a warning naming what was looked at', async () => {
  const r = await check({ haresources: 'alpha 203.0.113.5 httpd\n' }, { machine: fakeMachine() });
  assert.ok(r.config);
  assert.equal(r.warnings, [
    'haresources:1: warning: 203.0.113.5: no interface here has a subnet that holds 203.0.113.5; name one (IPaddr::203.0.113.5/PREFIX/IFACE) or add an address in that subnet (interfaces: lo 127.0.0.1/8, eth0 192.0.2.1/24 2001:db8::1/64, eth1 198.51.100.1/24)',
  ]);
});

test('missing interfaces, serial device and script are warnings; --strict makes them errors, except the serial device', async () => {
  const machine = fakeMachine({ interfaces: bare, fileExists: () => false });
  const expected = [
    'ha.cf:5: interface eth1 does not exist on this machine (it has: lo)',
    'ha.cf:6: serial device /dev/ttyS1 does not exist on this machine',
    'haresources:1: 192.0.2.50/24/eth0: interface eth0 does not exist on this machine',
  ];
  const lenient = await check({}, { machine });
  assert.ok(lenient.config, 'still valid on a build host');
  assert.equal(lenient.warnings.slice(0, 3), expected.map((e) => e.replace(/^(\S+:\d+): /, '$1: warning: ')));
  assert.match(lenient.warnings[3] ?? '', /^haresources:1: warning: resource script httpd not found \(looked in \/.*\/resource\.d\/httpd and \/etc\/init\.d\/httpd\)$/);
  const strict = await check({}, { machine, strict: true });
  assert.is(strict.config, undefined);
  assert.equal(strict.errors.slice(0, 2), [expected[0], expected[2]]);
  // A USB serial adapter may be plugged in later: the agent starts and its link keeps trying.
  assert.ok(strict.warnings.includes('ha.cf:6: warning: serial device /dev/ttyS1 does not exist on this machine; its path stays dead until it appears (twinbeat keeps trying to open it)'), strict.warnings.join('\n'));
  assert.is(strict.errors.length, 3);
});

test('a script is found in resource.d first, then in the init directory', async () => {
  const seen: string[] = [];
  const machine = fakeMachine({ initDir: '/opt/init', fileExists: (p) => (seen.push(p), p === '/opt/init/httpd' || p === '/dev/ttyS1') });
  const r = await check({}, { machine });
  assert.equal(r.warnings, []);
  assert.ok(seen.findIndex((p) => p.endsWith('/resource.d/httpd')) < seen.indexOf('/opt/init/httpd'));
});

test.run();
