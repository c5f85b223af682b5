// The VIP driver on a real LAN of namespaces: adds with a label, moves the client's ARP entry
// with gratuitous ARP, refuses an address that someone already answers for, removes cleanly.
import { test } from 'uvu';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { Lab, LAN, labUnavailable, type NodeName } from '../helpers/netns';
import { skipWithReason } from '../helpers/skip';

const unavailable = labUnavailable(['ip', 'arping']);
const VIP = { kind: 'vip', raw: `IPaddr::${LAN.vip}/24/eth0`, agent: 'IPaddr', address: LAN.vip, family: 4, prefixLength: 24, iface: 'eth0' };
const VIP6 = { kind: 'vip', raw: '2001:db8::50/64/eth0', agent: 'IPaddr', address: '2001:db8::50', family: 6, prefixLength: 64, iface: 'eth0' };

interface Result {
  ok: boolean;
  detail: string;
  durationMs: number;
}

if (unavailable) {
  skipWithReason(test, `VIP end-to-end: ${unavailable}`);
} else {
  const lab = new Lab();
  const vip = (node: NodeName, action: string, spec: object = VIP, options: object = {}): Result =>
    JSON.parse(lab.exec(node, [process.execPath, '--import', 'tsx', 'test/e2e/tools/vip.ts', action, JSON.stringify(spec), JSON.stringify(options)]));
  /** The client's neighbour entry for the VIP: the MAC it would send to. */
  const clientSees = (address = LAN.vip): string | undefined =>
    /lladdr (\S+)/.exec(lab.exec('client', ['ip', 'neigh', 'show', address]))?.[1];

  test.before(() => {
    lab.buildPair();
  });
  test.after(() => lab.dispose());

  test('a bare VIP (placed by its subnet) on an interface without carrier: status sees it and stop removes it', () => {
    // Found by the field suite: Node lists no interface without carrier, so with the LAN cable
    // out a bare VIP had no subnet holder; stop said "not here" and left the address, which
    // answered again beside the peer's when the cable came back.
    const bare = { kind: 'vip', raw: LAN.vip, agent: 'IPaddr', address: LAN.vip, family: 4 };
    assert.ok(vip('a', 'start', bare).ok);
    lab.exec('a', ['ip', 'link', 'set', 'eth0', 'down']);
    try {
      const status = vip('a', 'status', bare);
      assert.ok(status.ok, status.detail);
      const stopped = vip('a', 'stop', bare);
      assert.ok(stopped.ok, stopped.detail);
      assert.match(stopped.detail, /removed 192\.0\.2\.50\/24 from eth0/);
      assert.not.ok(lab.addresses('a', 'eth0').some((x) => x.startsWith('192.0.2.50/')), 'the address is gone from the interface');
      assert.not.ok(vip('a', 'status', bare).ok);
    } finally {
      lab.exec('a', ['ip', 'link', 'set', 'eth0', 'up']);
    }
  });

  test('start adds the address with an eth0:N label; status sees it; a second start is harmless', () => {
    const started = vip('a', 'start');
    assert.ok(started.ok, started.detail);
    assert.match(started.detail, /added 192\.0\.2\.50\/24 on eth0:0; gratuitous ARP for 192\.0\.2\.50 on eth0/);
    assert.ok(lab.addresses('a', 'eth0').includes('192.0.2.50/24'));
    assert.match(lab.exec('a', ['ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0']), /192\.0\.2\.50\/24 brd 192\.0\.2\.255 scope global secondary eth0:0/);
    assert.ok(vip('a', 'status').ok);
    // The held address is found in the kernel's list under its label, without running iproute2.
    assert.ok(vip('a', 'status', VIP, { ipPath: '/nonexistent/ip' }).ok, 'no ip process for a check that passes');
    const again = vip('a', 'start');
    assert.ok(again.ok);
    assert.match(again.detail, /was already on eth0/);
    assert.equal(lab.addresses('a', 'eth0').filter((x) => x.startsWith('192.0.2.50/')).length, 1);
  });

  test('gratuitous ARP moves the client\'s entry when the address moves', () => {
    // The client learns a's MAC for the VIP, then the VIP moves to b.
    lab.exec('client', ['ip', 'neigh', 'replace', LAN.vip, 'lladdr', lab.mac('a', 'eth0'), 'dev', 'eth0', 'nud', 'stale']);
    assert.is(clientSees(), lab.mac('a', 'eth0'));
    assert.ok(vip('a', 'stop').ok);
    const moved = vip('b', 'start');
    assert.ok(moved.ok, moved.detail);
    let seen: string | undefined;
    for (let i = 0; i < 50 && seen !== lab.mac('b', 'eth0'); i++) {
      seen = clientSees();
      if (seen !== lab.mac('b', 'eth0')) lab.exec('client', ['sleep', '0.02']);
    }
    assert.is(seen, lab.mac('b', 'eth0'), 'the client now sends to b');
  });

  test('an address already answered on the LAN is not added, and the answering MAC is named', () => {
    assert.ok(lab.addresses('b', 'eth0').includes('192.0.2.50/24'));
    const refused = vip('a', 'start');
    assert.is(refused.ok, false);
    assert.is(refused.detail, `not adding 192.0.2.50: it is already answered on eth0 by ${lab.mac('b', 'eth0')}`);
    assert.not.ok(lab.addresses('a', 'eth0').includes('192.0.2.50/24'));
  });

  test('stop removes the address; stopping again is harmless', () => {
    const stopped = vip('b', 'stop');
    assert.ok(stopped.ok, stopped.detail);
    assert.is(stopped.detail, 'removed 192.0.2.50/24 from eth0');
    assert.not.ok(lab.addresses('b', 'eth0').includes('192.0.2.50/24'));
    assert.ok(vip('b', 'stop').ok);
    assert.is(vip('b', 'status').ok, false);
  });

  test('a stop ends the gratuitous ARPs still due: none is sent for an address no longer held', () => {
    // An arping that logs each call before running the real one.
    const dir = mkdtempSync(join(tmpdir(), 'twinbeat-arping-'));
    const calls = join(dir, 'calls');
    const wrapper = join(dir, 'arping');
    writeFileSync(wrapper, `#!/bin/sh\necho "$(date +%s%3N) $*" >> ${calls}\nexec arping "$@"\n`);
    chmodSync(wrapper, 0o755);
    try {
      const r = vip('a', 'start-stop-linger', VIP, { arpingPath: wrapper }) as Result & { stoppedAt: number };
      assert.ok(r.ok, r.detail);
      const announced = readFileSync(calls, 'utf8').trim().split('\n').filter((l) => / -U /.test(l)).map((l) => Number(l.split(' ')[0]));
      assert.ok(announced.length >= 1, 'the start announced the address');
      const late = announced.filter((t) => t > r.stoppedAt);
      assert.equal(late, [], `gratuitous ARPs after the stop: ${late.map((t) => t - r.stoppedAt).join(', ')} ms after it`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('without a prefix or interface the VIP takes the subnet it falls in (IPaddr\'s rule)', () => {
    const bare = { kind: 'vip', raw: LAN.vip, agent: 'IPaddr', address: LAN.vip, family: 4 };
    const started = vip('a', 'start', bare);
    assert.ok(started.ok, started.detail);
    assert.ok(lab.addresses('a', 'eth0').includes('192.0.2.50/24'));
    assert.ok(vip('a', 'stop', bare).ok);
    const outside = { ...bare, raw: '203.0.113.9', address: '203.0.113.9' };
    const refused = vip('a', 'start', outside);
    assert.is(refused.ok, false);
    assert.match(refused.detail, /^no interface has a subnet that holds 203\.0\.113\.9 \(looked at: .*eth0 192\.0\.2\.1\/24/);
  });

  test('IPv6: added after the kernel\'s duplicate address detection, refused when another node has it', () => {
    const started = vip('a', 'start', VIP6);
    assert.ok(started.ok, started.detail);
    assert.ok(lab.addresses('a', 'eth0', 6).includes('2001:db8::50/64'));
    const refused = vip('b', 'start', VIP6);
    assert.is(refused.ok, false, refused.detail);
    assert.match(refused.detail, /another node on eth0 has it/);
    assert.not.ok(lab.addresses('b', 'eth0', 6).includes('2001:db8::50/64'), 'the failed copy was removed');
    assert.ok(vip('a', 'stop', VIP6).ok);
  });
}

test.run();
