// Operator commands, a failing resource and the duplicate-address guard on the namespaced pair
// (issue 6, scenarios 7, 8 and 9).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { labUnavailable } from '../helpers/netns';
import { answeredBy, assertNeverBoth, holdsNow, servingPair, sleep } from '../helpers/pair-scenario';
import { events, FAST, Pair } from '../helpers/pair';
import { skipWithReason } from '../helpers/skip';

const unavailable = labUnavailable(['ip', 'socat', 'arping']);

if (unavailable) {
  skipWithReason(test, `pair admin end-to-end: ${unavailable}`);
} else {
  test('7. twinbeat standby on node-a moves the group to node-b; twinbeat takeover brings it back', async () => {
    const sp = await servingPair();
    try {
      let asked = Date.now();
      const standby = await sp.pair.twinbeat('a', 'standby');
      assert.is(standby.code, 0, standby.output);
      assert.match(standby.output, /^Standby: handing .*to node-b/, standby.output);
      await answeredBy(sp, 'node-b', asked, 5000);
      await sleep(300);
      assert.ok(holdsNow(sp.holdsB) && !holdsNow(sp.holdsA));
      asked = Date.now();
      const takeover = await sp.pair.twinbeat('a', 'takeover');
      assert.is(takeover.code, 0, takeover.output);
      assert.match(takeover.output, /Takeover: asking node-b to release/);
      await answeredBy(sp, 'node-a', asked, 5000);
      await sleep(300);
      assert.ok(holdsNow(sp.holdsA) && !holdsNow(sp.holdsB));
      assertNeverBoth(sp);
    } finally {
      sp.pair.dispose();
    }
  });

  test('8. a resource that fails to start on node-a: the group ends on node-b, the failure in the log and in status', async () => {
    const pair = await new Pair({ ...FAST, services: 'failsonnodea websvc' }).build();
    try {
      const holdsA = pair.watchAddress('a');
      const client = pair.watchClient();
      const a = pair.startAgent('a');
      pair.startAgent('b');
      await client.waitFor(/"answer":"node-b"/, 20_000);
      await a.waitFor(/Starting failsonnodea: FAILED .*cannot mount \/srv\/data on node-a/, 1000);
      const status = await pair.twinbeat('a', 'status');
      // Handed away, the group is released here; its failure shows by the mark, with what to do.
      assert.match(status.output, /group +192\.0\.2\.50\/24\/eth0 \(home node-a\): held by node-b, FAILED on node-a \(`twinbeat cleanup 192\.0\.2\.50\/24\/eth0` there/, status.output);
      assert.match(status.output, /node +node-a \(this node\): failed/);
      assert.match(status.output, /failed to start/);
      await sleep(300);
      assert.not.ok(holdsNow(holdsA), 'what did start on node-a was stopped again');
      // auto_failback on, and the retry pause (2 x deadtime) long over: node-b keeps it, no bouncing.
      const since = Date.now();
      await sleep(2500);
      const answers = events<{ t: number; answer: string | null }>(client).filter((e) => e.t >= since);
      assert.equal(answers, [], `the client saw changes: ${JSON.stringify(answers)}`);
      assert.is(a.lines.filter((l) => /Starting failsonnodea: FAILED/.test(l)).length, 1, 'one failed start on node-a, not a loop');
    } finally {
      pair.dispose();
    }
  });

  test('9. both paths cut, no reset device, the VIP still answered by node-a: node-b refuses to add it', async () => {
    const sp = await servingPair();
    try {
      const fromB = sp.b.lines.length;
      sp.pair.lab.exec('a', ['ip', 'link', 'set', 'eth1', 'down']);
      sp.pair.cable.cut();
      await sp.b.waitFor(/node node-a: is dead/, 3000, fromB);
      await sp.b.waitFor(/not adding 192\.0\.2\.50: it is already answered on eth0 by ([0-9a-f:]+)/, 3000, fromB);
      const line = sp.b.lines.slice(fromB).find((l) => /already answered on eth0 by/.test(l))!;
      assert.ok(line.includes(sp.pair.lab.mac('a', 'eth0')), `names node-a's MAC: ${line}`);
      await sleep(1000);
      assert.ok(holdsNow(sp.holdsA) && !holdsNow(sp.holdsB), 'node-a keeps serving, node-b never added it');
      assertNeverBoth(sp);
    } finally {
      sp.pair.dispose();
    }
  });
}

test.run();
