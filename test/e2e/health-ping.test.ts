// ipfail on the namespaced pair (issue 10): a ping node on the LAN (192.0.2.254, in the client's
// namespace). The active node's LAN link goes down while serial and crossover stay up: it
// reaches fewer ping targets than its peer, and after deadping the group moves; the client sees
// node-b. When neither node reaches the ping node, nothing moves.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { labUnavailable } from '../helpers/netns';
import { events } from '../helpers/pair';
import { answeredBy, assertNeverBoth, holdsNow, servingPair, sleep } from '../helpers/pair-scenario';
import { skipWithReason } from '../helpers/skip';

const unavailable = labUnavailable(['ip', 'socat', 'arping', 'ping']);
const DEADPING_MS = 2000;
const IPFAIL = ['ping 192.0.2.254', 'respawn hacluster /usr/lib/heartbeat/ipfail', 'deadping 2s'];

if (unavailable) {
  skipWithReason(test, `ping nodes end-to-end: ${unavailable}`);
} else {
  test('the active node loses its LAN behind a working link (its switch port detached; serial and crossover up): node-b serves within deadping + 1 s', async () => {
    const sp = await servingPair({ extra: IPFAIL }, (pair) => pair.lab.exec('client', ['ip', 'addr', 'add', '192.0.2.254/24', 'dev', 'eth0']));
    try {
      await sp.a.waitFor(/Ping targets: 1 of 1 reachable/, 5000);
      await sp.b.waitFor(/Ping targets: 1 of 1 reachable/, 5000);
      await sleep(500);
      const cut = Date.now();
      // The switch port goes away, the cable does not: node-a keeps its carrier, only ping notices.
      sp.pair.lab.exec('sw', ['ip', 'link', 'set', 'p-a', 'nomaster']);
      const served = await answeredBy(sp, 'node-b', cut, DEADPING_MS + 5000);
      console.log(`  LAN down on node-a to node-b answering: ${served - cut} ms (deadping ${DEADPING_MS} ms)`);
      assert.ok(served - cut <= DEADPING_MS + 1000, `${served - cut} ms`);
      await sp.a.waitFor(/Handing resource group 192\.0\.2\.50\/24\/eth0 to node-b: it reaches 1 of 1 ping targets, this node 0/, 1000);
      assert.ok(!sp.b.lines.some((l) => /is dead/.test(l)), 'the peer was never lost: the heartbeats went on over serial and crossover');
      assertNeverBoth(sp);
    } finally {
      sp.pair.dispose();
    }
  });

  test('carrier loss on the active node\'s LAN interface (track_interface, by default the VIP\'s): the group moves within a keepalive and the takeover', async () => {
    const sp = await servingPair();
    try {
      await sleep(300);
      const cut = Date.now();
      sp.pair.lab.exec('a', ['ip', 'link', 'set', 'eth0', 'down']);
      const served = await answeredBy(sp, 'node-b', cut, 5000);
      console.log(`  carrier lost on node-a to node-b answering: ${served - cut} ms (keepalive 100 ms)`);
      assert.ok(served - cut <= 1000, `${served - cut} ms`);
      await sp.a.waitFor(/Handing resource group 192\.0\.2\.50\/24\/eth0 to node-b: eth0 has no carrier here and is up on node-b/, 1000);
      assert.ok(!sp.b.lines.some((l) => /is dead/.test(l)), 'the heartbeats went on');
      assertNeverBoth(sp);
    } finally {
      sp.pair.dispose();
    }
  });

  test('the ping node unreachable from both nodes: nothing moves', async () => {
    const sp = await servingPair({ extra: IPFAIL }, (pair) => pair.lab.exec('client', ['ip', 'addr', 'add', '192.0.2.254/24', 'dev', 'eth0']));
    try {
      await sp.b.waitFor(/Ping targets: 1 of 1 reachable/, 5000);
      sp.pair.lab.exec('client', ['ip', 'addr', 'del', '192.0.2.254/24', 'dev', 'eth0']);
      await sp.a.waitFor(/Ping targets: 0 of 1 reachable/, 5000);
      await sp.b.waitFor(/Ping targets: 0 of 1 reachable/, 5000);
      await sleep(DEADPING_MS + 1000);
      assert.ok(holdsNow(sp.holdsA) && !holdsNow(sp.holdsB), 'node-a keeps the group');
      assert.is(events<{ answer: string | null }>(sp.client).at(-1)?.answer, 'node-a');
      assert.not.ok(sp.a.lines.some((l) => /Handing resource group/.test(l)));
    } finally {
      sp.pair.dispose();
    }
  });
}

test.run();
