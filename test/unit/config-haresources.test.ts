import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { check } from '../helpers/config-dir';

const groupsOf = async (haresources: string) => {
  const r = await check({ haresources });
  assert.equal(r.errors, []);
  return r.config!.groups;
};

test('a bare address is IPaddr, then scripts left to right', async () => {
  const [group] = await groupsOf('alpha 192.0.2.50 httpd\n');
  assert.is(group?.id, '192.0.2.50');
  assert.is(group?.home, 'alpha');
  assert.equal(group?.resources, [
    { kind: 'vip', raw: '192.0.2.50', agent: 'IPaddr', address: '192.0.2.50', family: 4 },
    { kind: 'script', raw: 'httpd', name: 'httpd', args: [] },
  ]);
});

test('IPaddr and IPaddr2 with prefix, interface and broadcast', async () => {
  const [group] = await groupsOf('alpha IPaddr::192.0.2.50/24/eth0/192.0.2.255 IPaddr2::192.0.2.51/24\n');
  assert.equal(group?.resources, [
    { kind: 'vip', raw: 'IPaddr::192.0.2.50/24/eth0/192.0.2.255', agent: 'IPaddr', address: '192.0.2.50', family: 4, prefixLength: 24, iface: 'eth0', broadcast: '192.0.2.255' },
    { kind: 'vip', raw: 'IPaddr2::192.0.2.51/24', agent: 'IPaddr2', address: '192.0.2.51', family: 4, prefixLength: 24 },
  ]);
});

test('IPv6: bare, IPaddr2 and IPv6addr forms (the "::" inside the address is not a separator)', async () => {
  const [group] = await groupsOf('alpha 2001:db8::50/64/eth0 IPv6addr::2001:db8::51/64\n');
  assert.equal(group?.resources.map((r) => r.kind === 'vip' && [r.address, r.family, r.prefixLength, r.iface ?? null]), [
    ['2001:db8::50', 6, 64, 'eth0'],
    ['2001:db8::51', 6, 64, null],
  ]);
});

test('script::arg1::arg2', async () => {
  const [group] = await groupsOf('beta 192.0.2.60 Filesystem::/dev/sdb1::/data::ext4 mysql\n');
  assert.equal(group?.resources[1], { kind: 'script', raw: 'Filesystem::/dev/sdb1::/data::ext4', name: 'Filesystem', args: ['/dev/sdb1', '/data', 'ext4'] });
  assert.is(group?.home, 'beta');
});

test('several lines make an active/active pair', async () => {
  const groups = await groupsOf('alpha 192.0.2.50 httpd\nbeta 192.0.2.51 postfix\n');
  assert.equal(groups.map((g) => [g.id, g.home]), [['192.0.2.50', 'alpha'], ['192.0.2.51', 'beta']]);
});

test('comments, blank lines and backslash continuation as Heartbeat reads them', async () => {
  const groups = await groupsOf('# the web group\n\nalpha 192.0.2.50 \\\n   httpd \\\n   squid # proxy\n  # indented comment\n');
  assert.is(groups.length, 1);
  assert.equal(groups[0]?.resources.map((r) => r.raw), ['192.0.2.50', 'httpd', 'squid']);
  assert.is(groups[0]?.source.line, 3);
});

test('errors name the line and what is right', async () => {
  const cases: [string, string][] = [
    ['gamma 192.0.2.50\n', 'haresources:1: home node "gamma" is not a node of ha.cf (nodes: alpha, beta)'],
    ['alpha\n', 'haresources:1: alpha has no resources; expected "alpha 192.0.2.50 httpd"'],
    ['alpha IPaddr::192.0.2.500/24\n', 'haresources:1: IPaddr::192.0.2.500/24: "192.0.2.500" is not an IP address; expected IPaddr::ADDRESS[/PREFIX[/IFACE[/BROADCAST]]], e.g. IPaddr::192.0.2.50/24/eth0'],
    ['alpha IPaddr2::192.0.2.50/33\n', 'haresources:1: IPaddr2::192.0.2.50/33: prefix "/33" is not 1 to 32; expected IPaddr2::ADDRESS[/PREFIX[/IFACE[/BROADCAST]]], e.g. IPaddr2::192.0.2.50/24/eth0'],
    ['alpha IPv6addr::192.0.2.50\n', 'haresources:1: IPv6addr::192.0.2.50: IPv6addr takes an IPv6 address; expected IPv6addr::ADDRESS[/PREFIX[/IFACE[/BROADCAST]]], e.g. IPv6addr::2001:db8::50/64/eth0'],
    ['alpha ../bin/evil\n', 'haresources:1: resource "../bin/evil": "../bin/evil" is not a script name (the name of a file in resource.d/ or /etc/init.d/: letters, digits and "_.@+-", without "/", not "." or "..")'],
    ['alpha 192.0.2.50 httpd\nbeta IPaddr::192.0.2.50 mysql\n', 'haresources:2: IPaddr::192.0.2.50 is already in the group at line 1: a resource belongs to one group'],
  ];
  for (const [haresources, expected] of cases) {
    const r = await check({ haresources });
    assert.equal(r.errors, [expected], haresources);
    assert.is(r.config, undefined);
  }
});

test.run();
