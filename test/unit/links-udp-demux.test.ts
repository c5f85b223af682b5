// Which path a datagram belongs to, from its source address, against a made-up interface table
// (so the rules are tested without the host's interfaces): ucast peer first, then own
// addresses, then bcast subnets, else unknown. Also the address arithmetic behind it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { NetworkInterfaceInfo } from 'node:os';
import { canonicalAddress, inIpv4Subnet, ipv4Broadcast } from '../../src/links/addresses';
import type { LinkMonitorListener } from '../../src/links/link-monitor';
import { InterfaceTable } from '../../src/links/interfaces';
import { TwinCopies } from '../../src/links/twin-copies';
import { bcastTwinOf, classifySource, type UdpPathRef } from '../../src/links/udp-demux';

const v4 = (address: string, netmask: string): NetworkInterfaceInfo =>
  ({ address, netmask, family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: null }) as NetworkInterfaceInfo;
const v6 = (address: string): NetworkInterfaceInfo =>
  ({ address, netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal: false, cidr: null, scopeid: 0 }) as NetworkInterfaceInfo;

const table = new InterfaceTable(() => ({
  eth0: [v4('192.0.2.1', '255.255.255.0'), v6('2001:db8::1')],
  eth1: [v4('198.51.100.1', '255.255.255.0')],
}));

const paths: UdpPathRef[] = [
  { id: 'bcast eth0', kind: 'bcast', iface: 'eth0' },
  { id: 'ucast eth1 198.51.100.2', kind: 'ucast', iface: 'eth1', peerAddress: '198.51.100.2' },
  { id: 'ucast eth0 2001:DB8:0::2', kind: 'ucast', iface: 'eth0', peerAddress: '2001:DB8:0::2' },
];

test('the ucast peer address selects its path, however the IPv6 address is spelled', () => {
  assert.equal(classifySource('198.51.100.2', paths, table), { kind: 'path', id: 'ucast eth1 198.51.100.2' });
  assert.equal(classifySource('2001:db8::2', paths, table), { kind: 'path', id: 'ucast eth0 2001:DB8:0::2' });
  assert.equal(classifySource('2001:db8:0:0::2%eth0', paths, table), { kind: 'path', id: 'ucast eth0 2001:DB8:0::2' });
});

test("the tutorial's bcast eth1 + ucast eth1: the ucast path has a bcast twin; other shapes have none", () => {
  const tutorial: UdpPathRef[] = [
    { id: 'bcast eth1', kind: 'bcast', iface: 'eth1' },
    { id: 'ucast eth1 198.51.100.2', kind: 'ucast', iface: 'eth1', peerAddress: '198.51.100.2' },
  ];
  assert.is(bcastTwinOf('ucast eth1 198.51.100.2', tutorial, table), 'bcast eth1');
  assert.is(bcastTwinOf('bcast eth1', tutorial, table), undefined);
  // bcast eth0 + ucast eth1: separate interfaces, no twin.
  assert.is(bcastTwinOf('ucast eth1 198.51.100.2', paths, table), undefined);
  // A ucast peer outside the bcast interface's subnet (routed): its frames are only its own.
  const routed: UdpPathRef[] = [tutorial[0]!, { id: 'ucast eth1 203.0.113.9', kind: 'ucast', iface: 'eth1', peerAddress: '203.0.113.9' }];
  assert.is(bcastTwinOf('ucast eth1 203.0.113.9', routed, table), undefined);
});

test('of two identical copies the first is credited to ucast, the second to its bcast twin; a lone copy to ucast', () => {
  const twins = new TwinCopies();
  const frame = (seq: number) => Buffer.from(`>>>\nt=status\nseq=${seq}\n<<<\n`);
  const u = 'ucast eth1 198.51.100.2';
  assert.equal([twins.route(frame(1), u, 'bcast eth1'), twins.route(frame(1), u, 'bcast eth1')], [u, 'bcast eth1']);
  // The broadcast copies stop (a switch that drops them): every frame is a lone copy.
  assert.equal([2, 3, 4, 5, 6, 7].map((n) => twins.route(frame(n), u, 'bcast eth1')), [u, u, u, u, u, u]);
  // Copies that cross (2nd copy of 8 after the 1st of 9) still pair up.
  assert.equal([twins.route(frame(8), u, 'bcast eth1'), twins.route(frame(9), u, 'bcast eth1'), twins.route(frame(8), u, 'bcast eth1'), twins.route(frame(9), u, 'bcast eth1')], [u, u, 'bcast eth1', 'bcast eth1']);
});

test('a source in the bcast interface subnet is that bcast path; one outside it is unknown', () => {
  assert.equal(classifySource('192.0.2.2', paths, table), { kind: 'path', id: 'bcast eth0' });
  assert.equal(classifySource('192.0.2.254', paths, table), { kind: 'path', id: 'bcast eth0' });
  assert.equal(classifySource('192.0.3.2', paths, table), { kind: 'unknown' });
  // In eth1's subnet, but eth1 carries only a ucast line, for another peer.
  assert.equal(classifySource('198.51.100.7', paths, table), { kind: 'unknown' });
  assert.equal(classifySource('2001:db8::7', paths, table), { kind: 'unknown' });
});

test('our own addresses (broadcast echo) are told apart, unless configured as a ucast peer', () => {
  assert.equal(classifySource('192.0.2.1', paths, table), { kind: 'own' });
  assert.equal(classifySource('2001:db8::1', paths, table), { kind: 'own' });
  const selfPeer: UdpPathRef[] = [{ id: 'ucast eth0 192.0.2.1', kind: 'ucast', iface: 'eth0', peerAddress: '192.0.2.1' }];
  assert.equal(classifySource('192.0.2.1', selfPeer, table), { kind: 'path', id: 'ucast eth0 192.0.2.1' });
});

test('an interface that went away takes its bcast path with it (the table is re-read)', () => {
  let snapshot: NodeJS.Dict<NetworkInterfaceInfo[]> = { eth0: [v4('192.0.2.1', '255.255.255.0')] };
  let clock = 0;
  const changing = new InterfaceTable(() => snapshot, () => clock, 1_000);
  assert.equal(classifySource('192.0.2.2', paths, changing), { kind: 'path', id: 'bcast eth0' });
  snapshot = {};
  clock = 500;
  assert.equal(classifySource('192.0.2.2', paths, changing), { kind: 'path', id: 'bcast eth0' }, 'cached for up to 1 s');
  clock = 1_000;
  assert.equal(classifySource('192.0.2.2', paths, changing), { kind: 'unknown' });
});

test('following the kernel\'s news, the table is read again on a change only (or after 30 s), and every second without it', () => {
  // Every interface the paths name is there (a missing one is looked for sooner, see below).
  let snapshot: NodeJS.Dict<NetworkInterfaceInfo[]> = { eth0: [v4('192.0.2.1', '255.255.255.0'), v6('2001:db8::1')], eth1: [v4('198.51.100.1', '255.255.255.0')] };
  let reads = 0;
  let clock = 0;
  const following = new InterfaceTable(() => (reads++, snapshot), () => clock, 1_000, 100, 30_000);
  let listener: LinkMonitorListener | undefined;
  following.followMonitor({ listen: (l) => ((listener = l), l.onRunning(true), () => undefined) });
  assert.equal(classifySource('192.0.2.2', paths, following), { kind: 'path', id: 'bcast eth0' });
  for (clock = 1_000; clock < 30_000; clock += 1_000) classifySource('192.0.2.2', paths, following);
  assert.is(reads, 1, 'nothing changed: one read in 29 s');
  // Readdressed: seen on the monitor's news, not before.
  clock = 29_500;
  snapshot = { ...snapshot, eth0: [v4('192.0.3.1', '255.255.255.0'), v6('2001:db8::1')] };
  assert.equal(classifySource('192.0.2.2', paths, following), { kind: 'path', id: 'bcast eth0' }, 'no news yet');
  listener!.onChange();
  assert.equal(classifySource('192.0.2.2', paths, following), { kind: 'unknown' }, 'read on the news');
  assert.is(reads, 2);
  clock = 60_000;
  classifySource('192.0.2.2', paths, following);
  assert.is(reads, 3, 'and after 30 s in case a line was missed');
  listener!.onRunning(false);
  clock = 60_500;
  classifySource('192.0.2.2', paths, following);
  clock = 61_500;
  classifySource('192.0.2.2', paths, following);
  assert.is(reads, 5, 'the monitor gone: read at once, then every second');
});

test('an interface missing from the table is looked for again within 100 ms, not 1 s (a carrier reported late at boot)', () => {
  let snapshot: NodeJS.Dict<NetworkInterfaceInfo[]> = { eth0: [v4('192.0.2.1', '255.255.255.0')] };
  let clock = 0;
  let reads = 0;
  const booting = new InterfaceTable(() => (reads++, snapshot), () => clock, 1_000, 100);
  assert.not.ok(booting.hasAddress('eth1', 4));
  assert.equal(booting.ipv4('eth1'), []);
  snapshot = { ...snapshot, eth1: [v4('198.51.100.1', '255.255.255.0')] };
  clock = 50;
  assert.not.ok(booting.hasAddress('eth1', 4), 'a miss is trusted for 100 ms');
  clock = 100;
  assert.ok(booting.hasAddress('eth1', 4));
  assert.is(booting.ipv4('eth1')[0]?.broadcast, '198.51.100.255');
  // What is there stays cached for the full second: no system call per datagram.
  const before = reads;
  clock = 900;
  assert.ok(booting.hasAddress('eth0', 4));
  assert.is(reads, before);
});

test('address arithmetic', () => {
  assert.is(ipv4Broadcast('192.0.2.1', '255.255.255.0'), '192.0.2.255');
  assert.is(ipv4Broadcast('198.51.100.130', '255.255.255.128'), '198.51.100.255');
  assert.is(ipv4Broadcast('192.0.2.1', '255.255.255.255'), '192.0.2.1');
  assert.is(ipv4Broadcast('192.0.2.77', '255.255.255.192'), '192.0.2.127');
  assert.ok(inIpv4Subnet('198.51.100.129', '198.51.100.130', '255.255.255.128'));
  assert.not.ok(inIpv4Subnet('198.51.100.127', '198.51.100.130', '255.255.255.128'));
  assert.not.ok(inIpv4Subnet('2001:db8::1', '192.0.2.1', '255.255.255.0'));
  assert.is(canonicalAddress('2001:0DB8:0000::0001'), '2001:db8::1');
  assert.is(canonicalAddress('fe80::1%eth1'), 'fe80::1');
  assert.is(canonicalAddress('192.0.2.1'), '192.0.2.1');
});

test.run();
