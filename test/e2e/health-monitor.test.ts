// Resource monitoring on the namespaced pair (issue 10, scenario 3): the web service of the
// group (websvc, a socat listener) is killed under the agent on node-a. The next check finds it
// dead and restarts the group in place: node-a answers again. Killed again, the group moves to
// node-b and node-a is marked failed for it; `twinbeat cleanup` on node-a clears the mark and,
// with auto_failback on, the group goes home.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { labUnavailable } from '../helpers/netns';
import { events } from '../helpers/pair';
import { answeredBy, assertNeverBoth, servingPair, sleep } from '../helpers/pair-scenario';
import { skipWithReason } from '../helpers/skip';

const unavailable = labUnavailable(['ip', 'socat', 'arping']);
const GROUP = '192.0.2.50/24/eth0';
const MONITOR = ['monitor_interval 1s', 'monitor_timeout 2s'];

/** Kills node's websvc (the socat listener) as a crash would: SIGKILL, pid file left behind. */
function killService(dir: string): number {
  const pid = Number(readFileSync(join(dir, 'websvc.pid'), 'utf8').trim());
  process.kill(pid, 'SIGKILL');
  return pid;
}

if (unavailable) {
  skipWithReason(test, `resource monitoring end-to-end: ${unavailable}`);
} else {
  test('3. the service is killed: restarted in place; killed again: the group moves; twinbeat cleanup clears the mark', async () => {
    const sp = await servingPair({ extra: MONITOR });
    try {
      const runA = sp.pair.dir('a', 'run');
      const killed = Date.now();
      const first = killService(runA);
      await sp.a.waitFor(/ERROR: Resource group 192\.0\.2\.50\/24\/eth0 failed its check: websvc: .*websvc status: exit 3: stopped/, 3000);
      await sp.a.waitFor(/Restarting resource group 192\.0\.2\.50\/24\/eth0 in place: it failed its check/, 1000);
      await sp.a.waitFor(/Starting resource group 192\.0\.2\.50\/24\/eth0 again \(restart in place\)/, 3000);
      await sp.a.waitFor(/Resource group 192\.0\.2\.50\/24\/eth0 is running here/, 5000, sp.a.lines.findIndex((l) => /Restarting resource group/.test(l)));
      const restarted = Number(readFileSync(join(runA, 'websvc.pid'), 'utf8').trim());
      assert.is.not(restarted, first, 'a new service process');
      // The client lost its answer (the address and the service went down together) and got it back from node-a.
      const after = () => events<{ t: number; answer: string | null }>(sp.client).filter((e) => e.t >= killed);
      for (let i = 0; i < 300 && after().at(-1)?.answer !== 'node-a'; i++) await sleep(10);
      const seen = after();
      assert.ok(seen.some((e) => e.answer === null), JSON.stringify(seen));
      assert.is(seen.at(-1)?.answer, 'node-a', JSON.stringify(seen));
      console.log(`  first crash on node-a to node-a answering again: ${seen.at(-1)!.t - killed} ms (monitor_interval 1 s)`);
      assert.not.ok(sp.b.lines.some((l) => /Taking over resource group/.test(l)), 'node-b took nothing yet');

      // After at least one good check, the second crash: the restart in place is spent.
      await sleep(1500);
      const cut = Date.now();
      killService(runA);
      await sp.a.waitFor(/Stopping resource group 192\.0\.2\.50\/24\/eth0: it failed its check again after a restart in place; handing it to node-b/, 3000);
      const served = await answeredBy(sp, 'node-b', cut, 5000);
      console.log(`  second crash on node-a to node-b answering: ${served - cut} ms (monitor_interval 1 s)`);
      const status = await sp.pair.twinbeat('b', 'status');
      assert.match(status.output, /group +192\.0\.2\.50\/24\/eth0 \(home node-a\): held by node-b, FAILED on node-a \(`twinbeat cleanup 192\.0\.2\.50\/24\/eth0` there to try again\)/, status.output);
      // auto_failback on, yet the group stays on node-b while node-a is marked.
      await sleep(1500);
      assert.is(events<{ answer: string | null }>(sp.client).at(-1)?.answer, 'node-b');
      assert.not.ok(sp.b.lines.some((l) => /auto_failback on: .* handing resource group/.test(l)), 'node-b did not hand it back');

      const cleanup = await sp.pair.twinbeat('a', 'cleanup', GROUP);
      assert.is(cleanup.code, 0, cleanup.output);
      assert.match(cleanup.output, /Cleanup of resource group 192\.0\.2\.50\/24\/eth0: its failures here are forgotten/);
      const home = Date.now();
      await answeredBy(sp, 'node-a', home, 5000);
      const unknown = await sp.pair.twinbeat('a', 'cleanup', '192.0.2.99');
      assert.is(unknown.code, 1);
      assert.match(unknown.output, /no resource group 192\.0\.2\.99; the groups are: 192\.0\.2\.50\/24\/eth0/);
      assertNeverBoth(sp);
    } finally {
      sp.pair.dispose();
    }
  });
}

test.run();
