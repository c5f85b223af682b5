// One path cut, the other up (issue 6, scenarios 3 and 4): nothing moves, only that path is
// logged dead, and up again when it heals. Scenario 3 is also issue 5's two-node smoke test: two
// processes with a UDP and a serial link each, one path cut, only that path dead in the other's
// log, healed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { labUnavailable } from '../helpers/netns';
import { events } from '../helpers/pair';
import { assertNeverBoth, holdsNow, servingPair, sleep } from '../helpers/pair-scenario';
import { skipWithReason } from '../helpers/skip';

const unavailable = labUnavailable(['ip', 'socat', 'arping']);

if (unavailable) {
  skipWithReason(test, `pair paths end-to-end: ${unavailable}`);
} else {
  test('3. crossover cut, serial up: eth1 dead in the log, no takeover; healed: up again and the VIP announced again', async () => {
    const sp = await servingPair();
    try {
      const fromB = sp.b.lines.length;
      const fromA = sp.a.lines.length;
      sp.pair.lab.exec('a', ['ip', 'link', 'set', 'eth1', 'down']);
      await sp.b.waitFor(/Link node-a:eth1 dead\./, 3000, fromB);
      await sleep(1500); // three deadtimes
      const during = [...sp.b.lines.slice(fromB), ...sp.a.lines.slice(fromA)];
      assert.not.ok(during.some((l) => /ttyB dead|ttyA dead|is dead|Taking over|Resetting/.test(l)), `only eth1 may go dead:\n${during.join('\n')}`);
      assert.ok(holdsNow(sp.holdsA) && !holdsNow(sp.holdsB), 'node-a still serves alone');
      sp.pair.lab.exec('a', ['ip', 'link', 'set', 'eth1', 'up']);
      await sp.b.waitFor(/Link node-a:eth1 up\./, 5000, fromB);
      await sp.a.waitFor(/Announcing resource group 192\.0\.2\.50\/24\/eth0 again: link eth1 is up again/, 5000, fromA);
      assert.is(events<{ answer: string | null }>(sp.client).at(-1)?.answer, 'node-a');
      assertNeverBoth(sp);
    } finally {
      sp.pair.dispose();
    }
  });

  test('4. serial cut, crossover up: the serial path dead, no takeover; plugged back: the link reopens by itself', async () => {
    const sp = await servingPair();
    try {
      const fromB = sp.b.lines.length;
      sp.pair.cable.cut();
      await sp.b.waitFor(/Link node-a:\S+ttyB dead\./, 3000, fromB);
      await sleep(1500);
      const during = sp.b.lines.slice(fromB);
      assert.not.ok(during.some((l) => /eth1 dead|is dead|Taking over|Resetting/.test(l)), `only the serial path may go dead:\n${during.join('\n')}`);
      assert.ok(holdsNow(sp.holdsA) && !holdsNow(sp.holdsB));
      await sp.pair.cable.plug();
      await sp.b.waitFor(/Link node-a:\S+ttyB up\./, 10_000, fromB);
      await sp.a.waitFor(/Link node-b:\S+ttyA up\./, 10_000);
      assertNeverBoth(sp);
    } finally {
      sp.pair.dispose();
    }
  });
}

test.run();
