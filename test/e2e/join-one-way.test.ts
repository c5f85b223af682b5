// A one-way path at boot (issue 17): node-b hears node-a, but its own frames do not reach node-a
// (dropped on the way out, as an interface whose carrier the kernel reports late, or a firewall
// rule on one side, would). A run is joined only by answering a challenge, so node-a's frames
// prove nothing to node-b; but without a reset device node-b must not take over from a peer it
// hears: node-a, hearing nobody, takes over at its initdead, and both would run the VIP. node-b
// waits and says why; once its frames get through, the pair forms with node-a holding.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { labUnavailable } from '../helpers/netns';
import { FAST, Pair, type Watched } from '../helpers/pair';
import { answeredBy, assertNeverBoth, linksUp, sleep, type ServingPair } from '../helpers/pair-scenario';
import { skipWithReason } from '../helpers/skip';
import type { Shape } from '../helpers/shapes';
import type { StatusSnapshot } from '../../src/snapshot';

const unavailable = labUnavailable(['ip', 'socat', 'arping', 'nft']);
const TABLE = 'twinbeat_one_way';

/** node's heartbeat frames (UDP 694) dropped on their way out; the way in stays open. */
function muteOutgoing(pair: Pair, node: 'a' | 'b'): void {
  pair.lab.exec(node, ['nft', 'add', 'table', 'inet', TABLE]);
  pair.lab.exec(node, ['nft', 'add', 'chain', 'inet', TABLE, 'out', '{ type filter hook output priority 0 ; }']);
  pair.lab.exec(node, ['nft', 'add', 'rule', 'inet', TABLE, 'out', 'udp', 'dport', '694', 'drop']);
}

async function status(pair: Pair, node: 'a' | 'b'): Promise<StatusSnapshot> {
  const { code, output } = await pair.twinbeat(node, 'status', '--json');
  assert.is(code, 0, output);
  return JSON.parse(output) as StatusSnapshot;
}

function oneWayAtBoot(shape: Shape) {
  test(`a one-way path at boot, no reset device: the node that hears but is not heard does not take over (${shape})`, async () => {
    const pair = await new Pair({ ...FAST, shape }).build();
    let sp: ServingPair | undefined;
    try {
      muteOutgoing(pair, 'b');
      const holdsA = pair.watchAddress('a', 60);
      const holdsB = pair.watchAddress('b', 60);
      const client = pair.watchClient(60);
      const started = Date.now();
      const a: Watched = pair.startAgent('a');
      const b: Watched = pair.startAgent('b');
      sp = { pair, a, b, client, holdsA, holdsB };
      await a.waitFor(/Taking over: node-b not heard within initdead/, 5000);
      await answeredBy(sp, 'node-a', started, 5000);
      await b.waitFor(/Not taking over: node-a has not joined within initdead \(1000 ms\), but node-a is heard in a run that has not answered this node's challenge/, 5000);
      const waiting = await status(pair, 'b');
      assert.is(waiting.role, 'standby');
      assert.is(waiting.peer.state, 'unknown', 'a run that has not answered is not up');
      assert.ok(waiting.peer.unansweredAgoMs !== undefined && waiting.peer.unansweredAgoMs < 1000, JSON.stringify(waiting.peer));
      // Well past initdead + deadtime: node-b still stands by while it hears node-a.
      await sleep(2000);
      assert.not.ok(b.lines.some((l) => /Taking over/.test(l)), b.lines.join('\n'));
      // The way out opens: node-b answers, both join, node-a keeps the group.
      const opened = b.lines.length;
      pair.lab.exec('b', ['nft', 'delete', 'table', 'inet', TABLE]);
      await linksUp(pair, 'b', b, opened, 5000);
      await linksUp(pair, 'a', a, 0, 5000);
      const [sa, sb] = [await status(pair, 'a'), await status(pair, 'b')];
      assert.is(sa.peer.state, 'up');
      assert.is(sb.peer.state, 'up');
      assert.equal(sa.groups.map((g) => g.holder), ['node-a']);
      assert.equal(sb.groups.map((g) => g.holder), ['node-a']);
      await sleep(300);
      console.log(`  one way for ${Date.now() - started} ms: node-b stood by, then joined`);
      assertNeverBoth(sp);
    } finally {
      pair.lab.run('b', ['nft', 'delete', 'table', 'inet', TABLE]);
      pair.dispose();
    }
  });
}

if (unavailable) {
  skipWithReason(test, `one-way path at boot: ${unavailable}`);
} else {
  for (const shape of ['tutorial', 'udp'] as const) oneWayAtBoot(shape);
}

test.run();
