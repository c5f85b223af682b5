// Issue 24, the first steps of a rolling migration: Debian's Heartbeat 3.0.6 on node-b and
// twinbeat on node-a with the same /etc/ha.d (test/helpers/mixed-pair.ts). Both see each other
// up and the group runs on exactly one node (two watchers sample the VIP on both nodes every
// 10 ms); Heartbeat's auto_failback hands the group home to twinbeat; a power loss of either
// makes the other take over after deadtime; SIGTERM of either hands the group over at once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { heartbeatUnavailable, type HeartbeatShape } from '../bench/baseline-heartbeat';
import type { Node } from '../bench/baseline-common';
import { LAN, labUnavailable } from '../helpers/netns';
import { MixedPair } from '../helpers/mixed-pair';
import { sleep } from '../helpers/pair-scenario';
import { skipWithReason } from '../helpers/skip';

const KEEPALIVE = '200ms';
const DEADTIME = '2';
const DEADTIME_MS = 2000;
/** Silence counts from the last frame heard, up to a keepalive before the cut. */
const SOONEST_MS = DEADTIME_MS - 200;
/** Heartbeat runs its resource scripts (IPaddr through ResourceManager) after deadtime: seconds, on a loaded host more. */
const HEARTBEAT_TAKEOVER_MS = 15_000;

const unavailable = heartbeatUnavailable('tutorial') ?? labUnavailable(['ip', 'arping', 'nft']);
/** The nftables table the lossy-LAN test drops frames with, inside a node's namespace. */
const LOSS = 'twinbeat_loss';
/**
 * Each frame goes twice (bcast and ucast on one interface), so 60 % loss loses both copies of
 * about one frame in three: some 8 of the 25 a node sends in 5 s (none: about 1 run in 10^5),
 * while ten in a row, a deadtime of silence, stay out of reach.
 */
const LOSS_PERCENT = 60;

/** `home`: the node haresources names for the group (a: twinbeat, b: Heartbeat). */
async function withPair(home: Node, body: (pair: MixedPair) => Promise<void>, twinbeatOn: Node[] = ['a'], haCf: string[] = [], shape: HeartbeatShape = 'tutorial'): Promise<void> {
  const pair = new MixedPair({ shape, keepalive: KEEPALIVE, deadtime: DEADTIME, runs: 1, ops: [] }, home, twinbeatOn, haCf);
  try {
    pair.build();
    await body(pair);
    assert.equal(pair.doubleHolds(), [], 'never two holders of the VIP');
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${pair.diagnostics()}`);
  } finally {
    pair.dispose();
  }
}

/**
 * Both sides hear each other, twinbeat reads every Heartbeat frame (a copy of one frame counted
 * twice on one path is dropped as a replay, which is no misunderstanding), and neither declares
 * the other dead (on node b, since twinbeat started: a Heartbeat that started alone declared
 * node-a dead after initdead).
 */
function assertBothUp(pair: MixedPair): void {
  const a = pair.log('a');
  const whole = pair.log('b');
  const b = whole.slice(Math.max(0, whole.lastIndexOf('node node-a: is dead')));
  assert.match(a, /node-b runs Heartbeat 3\.0, not twinbeat/);
  assert.match(a, /Link node-b:eth1 up\./);
  assert.not.match(a, /Dropped a frame on \S+ \((bad-message|unknown-node)\)/, 'twinbeat understands every Heartbeat frame');
  assert.not.match(a, /node node-b: is dead/);
  assert.match(b, /Link node-a:eth1 up\./);
  assert.match(b, /Status update for node node-a: status active/);
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Waits (bounded) for a line in twinbeat's log. */
async function twinbeatSays(pair: MixedPair, pattern: RegExp, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!pattern.test(pair.log('a'))) {
    if (Date.now() > until) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

if (unavailable) {
  skipWithReason(test, `Heartbeat peer end-to-end: ${unavailable}`);
} else {
  test('both start: each sees the other up, the group runs on node-a (its home, twinbeat) only; node-a loses power: Heartbeat takes over after deadtime', async () => {
    await withPair('a', async (pair) => {
      await pair.startBoth(60_000);
      await sleep(3000);
      assertBothUp(pair);
      assert.not.match(pair.log('b'), /node node-a: is dead/);
      assert.match(pair.log('a'), /node-b \(Heartbeat\) holds no group/);
      assert.match(pair.status('a'), /node-b: up, heard .* \(runs Heartbeat 3\.0\)/);
      assert.match(pair.status('a'), /held by node-a/);
      const moved = await pair.move('a', 'b', () => pair.powerOff('a'), { timeoutMs: DEADTIME_MS + HEARTBEAT_TAKEOVER_MS, settleMs: 2000, fromAction: true });
      console.log(`  power loss of node-a (twinbeat) to node-b (Heartbeat) answering: ${moved.gap} ms (deadtime ${DEADTIME_MS} ms)`);
      assert.ok(moved.gap >= SOONEST_MS, `Heartbeat took over before deadtime (${moved.gap} ms)`);
      assert.match(pair.log('b'), /node node-a: is dead/);
    });
  });

  test('Heartbeat serves alone, twinbeat joins on the home node: Heartbeat hands the group home (auto_failback, its standby exchange), never to two holders', async () => {
    await withPair('a', async (pair) => {
      // node-b alone: after initdead it takes its peer's group (mach_down).
      await pair.heartbeatServingAlone(60_000);
      const moved = await pair.move('b', 'a', () => pair.startDaemon('a'), { timeoutMs: 40_000, settleMs: 3000 });
      console.log(`  Heartbeat's failback to twinbeat: client gap ${moved.gap} ms, node-a answering ${moved.sinceOp} ms after twinbeat started`);
      assertBothUp(pair);
      assert.match(pair.log('a'), /node-b wants to go standby \[foreign\]: taking its groups once it has released them/);
      assert.match(pair.log('a'), /Taking over resource group IPaddr::192\.0\.2\.50\/24\/eth0: node-b went standby and released it/);
      assert.match(pair.log('a'), /Standby resource acquisition done \[foreign\]/);
      assert.match(pair.log('b'), /Other node completed standby takeover of foreign resources/);
    });
  });

  test('SIGTERM to twinbeat (holding): it releases the group and says shutdone; Heartbeat takes over without waiting for deadtime', async () => {
    await withPair('a', async (pair) => {
      await pair.startBoth(60_000);
      await sleep(2000);
      assertBothUp(pair);
      const moved = await pair.move('a', 'b', () => pair.stopDaemon('a'), { timeoutMs: HEARTBEAT_TAKEOVER_MS, settleMs: 2000 });
      console.log(`  SIGTERM to twinbeat: client gap ${moved.gap} ms, node-b answering ${moved.sinceOp} ms after the signal`);
      assert.match(pair.log('a'), /Told node-b \(Heartbeat\) that all HA resources here are released \(shutdone\)/);
      assert.match(pair.log('b'), /Received shutdown notice from 'node-a'/);
      assert.ok(moved.sinceOp < DEADTIME_MS, `Heartbeat took over on the notice, not on silence (${moved.sinceOp} ms after the signal)`);
    });
  });

  test('the group at home on node-b (Heartbeat): twinbeat leaves it there; node-b loses power: twinbeat takes over after deadtime', async () => {
    await withPair('b', async (pair) => {
      await pair.startBoth(60_000);
      await twinbeatSays(pair, /node-b \(Heartbeat\) holds IPaddr::192\.0\.2\.50\/24\/eth0/, 20_000, 'twinbeat to learn that node-b holds the group');
      await sleep(2000);
      assertBothUp(pair);
      const moved = await pair.move('b', 'a', () => pair.powerOff('b'), { timeoutMs: DEADTIME_MS + 10_000, settleMs: 2000, fromAction: true });
      console.log(`  power loss of node-b (Heartbeat) to node-a (twinbeat) answering: ${moved.gap} ms (deadtime ${DEADTIME_MS} ms)`);
      assert.ok(moved.gap >= SOONEST_MS && moved.gap <= DEADTIME_MS + 1000, `twinbeat took over ${moved.gap} ms after the cut (deadtime ${DEADTIME_MS} ms)`);
      assert.match(pair.log('a'), /node node-b: is dead/);
    });
  });

  test('SIGTERM to Heartbeat (holding, at home on node-b): it releases the group and says shutdone; twinbeat takes over without waiting for deadtime', async () => {
    await withPair('b', async (pair) => {
      await pair.startBoth(60_000);
      await twinbeatSays(pair, /node-b \(Heartbeat\) holds IPaddr::192\.0\.2\.50\/24\/eth0/, 20_000, 'twinbeat to learn that node-b holds the group');
      await sleep(2000);
      const moved = await pair.move('b', 'a', () => pair.stopDaemon('b'), { timeoutMs: HEARTBEAT_TAKEOVER_MS, settleMs: 2000 });
      console.log(`  SIGTERM to Heartbeat: client gap ${moved.gap} ms, node-a answering ${moved.sinceOp} ms after the signal`);
      assert.match(pair.log('a'), /Received shutdown notice from 'node-b'/);
      assert.match(pair.log('a'), /Taking over resource group IPaddr::192\.0\.2\.50\/24\/eth0: node-b shut down and released it/);
      assert.not.match(pair.log('a'), /node node-b: is dead/, 'twinbeat took over on the notice, not on silence');
      // Heartbeat comes back on the group's home: twinbeat gives it back (auto_failback on) in the standby exchange.
      await pair.waitExit('b');
      const back = await pair.move('a', 'b', () => pair.startDaemon('b'), { timeoutMs: 60_000, settleMs: 3000 });
      console.log(`  failback to node-b (Heartbeat, home): client gap ${back.gap} ms, node-b answering ${back.sinceOp} ms after Heartbeat started`);
      assert.match(pair.log('a'), /node-a wants to go standby \[foreign\] \(auto_failback on: node-b is its home\)/);
      assert.match(pair.log('a'), /Other node completed standby takeover of foreign resources\./);
    });
  });

  test('hb_takeover on the Heartbeat node moves the group there; `twinbeat takeover` brings it back, each time in the standby exchange', async () => {
    await withPair('a', async (pair) => {
      await pair.startBoth(60_000);
      await twinbeatSays(pair, /node-b \(Heartbeat\) holds no group/, 20_000, 'twinbeat to know what node-b holds');
      await sleep(3000);
      const there = await pair.move('a', 'b', () => pair.takeover('b'), { timeoutMs: HEARTBEAT_TAKEOVER_MS, settleMs: 3000 });
      console.log(`  hb_takeover on node-b: client gap ${there.gap} ms, node-b answering ${there.sinceOp} ms after the command`);
      assert.match(pair.log('a'), /node-a wants to go standby \[all\] \(node-b asked for them \(hb_takeover\)\)/);
      const back = await pair.move('b', 'a', () => pair.takeover('a'), { timeoutMs: HEARTBEAT_TAKEOVER_MS, settleMs: 3000 });
      console.log(`  twinbeat takeover on node-a: client gap ${back.gap} ms, node-a answering ${back.sinceOp} ms after the command`);
      assert.match(pair.log('a'), /node-b wants to go standby \[all\]: taking its groups once it has released them/);
      assertBothUp(pair);
    });
  });

  test('the Heartbeat node runs ipfail with a ping node: the pair forms and serves at home; ipfail asking about ping nodes is understood and moves nothing; twinbeat standby hands over', async () => {
    // Before: ipfail's join (t=hbapi-clstat) made node-b "not understood", so node-a never claimed its own group.
    await withPair(
      'a',
      async (pair) => {
        await pair.startBoth(60_000);
        assertBothUp(pair);
        // node-b loses its ping node: its ipfail asks node-a's ipfail for its count (t=num_ping_nodes).
        const before = pair.agents.a!.lines.length;
        pair.lab.exec('b', ['ip', 'route', 'add', 'blackhole', `${LAN.client}/32`]);
        await twinbeatSays(pair, /node-b runs ipfail \(it sent t=num_ping_nodes\): twinbeat does not answer ipfail/, 20_000, 'ipfail heard');
        await sleep(3000);
        assert.not.match(pair.log('a'), /does not understand/);
        assert.not.match(pair.agents.a!.lines.slice(before).join('\n'), /Standby|Taking over|Releasing/, 'nothing moved for ping nodes');
        pair.lab.exec('b', ['ip', 'route', 'del', 'blackhole', `${LAN.client}/32`]);
        const moved = await pair.move('a', 'b', () => pair.standby('a'), { timeoutMs: HEARTBEAT_TAKEOVER_MS, settleMs: 3000 });
        console.log(`  beside ipfail, twinbeat standby on node-a: client gap ${moved.gap} ms`);
        assert.match(pair.log('a'), /Standby: handing resource group IPaddr::192\.0\.2\.50\/24\/eth0 to node-b \(Heartbeat agreed to take it\)/);
      },
      ['a'],
      [`ping ${LAN.client}`, 'respawn hacluster /usr/libexec/heartbeat/ipfail'],
    );
  });

  test('serial + UDP (a null-modem cable beside the LAN and the crossover): each hears the other on all three paths; every UDP path dropped: the cable alone keeps the pair together both ways, nothing moves; node-a loses power: Heartbeat takes over after deadtime', async () => {
    await withPair(
      'a',
      async (pair) => {
        await pair.startBoth(60_000);
        await twinbeatSays(pair, /Link node-b:\/\S+ up\./, 10_000, 'twinbeat hears Heartbeat on the serial line');
        await waitFor(() => /Link node-a:\/\S+ up\./.test(pair.log('b')), 10_000, 'Heartbeat hears twinbeat on the serial line');
        assert.match(pair.log('a'), /Link node-b:eth0 up\./);
        assert.not.match(pair.log('a'), /Dropped a frame on \S+ \((bad-message|unknown-node)\)/, 'twinbeat understands every Heartbeat frame, on the cable too');
        // Only the cable left, both ways: Heartbeat must hear every twinbeat frame on it, not only
        // the first (a NUL after each frame once hid the rest from its serial reader).
        const before = pair.agents.a!.lines.length;
        const heartbeatBefore = pair.log('b').length;
        for (const args of [
          ['add', 'table', 'inet', LOSS],
          ['add', 'chain', 'inet', LOSS, 'in', '{ type filter hook input priority 0 ; }'],
          ['add', 'chain', 'inet', LOSS, 'out', '{ type filter hook output priority 0 ; }'],
          ['add', 'rule', 'inet', LOSS, 'in', 'udp', 'dport', '694', 'drop'],
          ['add', 'rule', 'inet', LOSS, 'out', 'udp', 'dport', '694', 'drop'],
        ])
          pair.lab.exec('a', ['nft', ...args]);
        try {
          await sleep(DEADTIME_MS + 1500);
        } finally {
          pair.lab.run('a', ['nft', 'delete', 'table', 'inet', LOSS]);
        }
        const after = pair.agents.a!.lines.slice(before).join('\n');
        const heartbeatAfter = pair.log('b').slice(heartbeatBefore);
        assert.match(after, /Link node-b:eth1 dead\./);
        assert.not.match(after, /node node-b: is dead|Taking over|Standby/, 'twinbeat hears Heartbeat on the cable: nothing moves');
        assert.not.match(heartbeatAfter, /node node-a: is dead|Link node-a:\/\S+ dead/, 'Heartbeat hears twinbeat on the cable: nothing moves');
        const moved = await pair.move('a', 'b', () => pair.powerOff('a'), { timeoutMs: DEADTIME_MS + HEARTBEAT_TAKEOVER_MS, settleMs: 2000, fromAction: true });
        console.log(`  serial + UDP: power loss of node-a (twinbeat) to node-b (Heartbeat) answering: ${moved.gap} ms (deadtime ${DEADTIME_MS} ms)`);
        assert.ok(moved.gap >= SOONEST_MS, `Heartbeat took over before deadtime (${moved.gap} ms)`);
      },
      ['a'],
      [],
      'serial+udp',
    );
  });

  test('a lossy LAN both ways (60 % of the frames dropped): Heartbeat asks twinbeat for the frames it lost (NS_rexmit) and gets them, twinbeat asks Heartbeat and gets them; nobody is judged dead, nothing moves', async () => {
    await withPair('a', async (pair) => {
      await pair.startBoth(60_000);
      await sleep(2000);
      assertBothUp(pair);
      const lossy = (node: Node, on: boolean) =>
        on
          ? [['add', 'table', 'inet', LOSS], ['add', 'chain', 'inet', LOSS, 'out', '{ type filter hook output priority 0 ; }'], ['add', 'rule', 'inet', LOSS, 'out', 'udp', 'dport', '694', 'numgen', 'random', 'mod', '100', '<', String(LOSS_PERCENT), 'drop']].forEach((args) => pair.lab.exec(node, ['nft', ...args]))
          : pair.lab.run(node, ['nft', 'delete', 'table', 'inet', LOSS]);
      const heartbeatBefore = pair.log('b').length;
      try {
        lossy('a', true);
        lossy('b', true);
        await sleep(5000);
      } finally {
        lossy('a', false);
        lossy('b', false);
      }
      await sleep(2000);
      const heartbeatSince = pair.log('b').slice(heartbeatBefore);
      const counters = Object.fromEntries([...pair.status('a').matchAll(/(heartbeat-[a-z-]+) (\d+)/g)].map((m) => [m[1], Number(m[2])]));
      console.log(`  ${LOSS_PERCENT} % loss both ways for 5 s: twinbeat sent ${counters['heartbeat-resent'] ?? 0} frame(s) again, asked ${counters['heartbeat-rexmit-asked'] ?? 0} time(s), recovered ${counters['heartbeat-recovered'] ?? 0}`);
      assert.match(heartbeatSince, /lost packet\(s\) for \[node-a\]/, 'Heartbeat saw twinbeat frames lost');
      assert.ok((counters['heartbeat-resent'] ?? 0) > 0, 'twinbeat answered Heartbeat\'s requests');
      assert.match(heartbeatSince, /No pkts missing from node-a/, 'Heartbeat got every frame it asked for');
      assert.not.match(heartbeatSince, /Irretrievably lost packet/, 'twinbeat refused nothing Heartbeat asked for');
      assert.ok((counters['heartbeat-rexmit-asked'] ?? 0) > 0 && (counters['heartbeat-recovered'] ?? 0) > 0, 'twinbeat asked Heartbeat for its lost frames and got them');
      assert.not.match(pair.log('a'), /node node-b: is dead/);
      assert.not.match(heartbeatSince, /node node-a: is dead/);
      assert.match(pair.status('a'), /held by node-a/);
    });
  });

  test('hb_standby on the Heartbeat node (holding, at home on node-b): twinbeat takes the group in its standby exchange, never to two holders', async () => {
    await withPair('b', async (pair) => {
      await pair.startBoth(60_000);
      await twinbeatSays(pair, /node-b \(Heartbeat\) holds IPaddr::192\.0\.2\.50\/24\/eth0/, 20_000, 'twinbeat to learn that node-b holds the group');
      await sleep(2000);
      const moved = await pair.move('b', 'a', () => pair.standby('b'), { timeoutMs: HEARTBEAT_TAKEOVER_MS, settleMs: 3000 });
      console.log(`  hb_standby on node-b: client gap ${moved.gap} ms, node-a answering ${moved.sinceOp} ms after the command`);
      assert.match(pair.log('a'), /node-b wants to go standby \[all\]: taking its groups once it has released them/);
      assert.match(pair.log('b'), /Other node completed standby takeover of all resources/);
      assertBothUp(pair);
    });
  });

  test('the migration: a Heartbeat pair serving; node-b becomes twinbeat; hb_standby hands the group to it; node-a becomes twinbeat and the group fails back home; the client never sees two holders', async () => {
    await withPair(
      'a',
      async (pair) => {
        await pair.startBoth(60_000);
        const answers = () => pair.poller!.lines.filter((l) => l.startsWith('{'));
        // 1. node-b (standby, holds nothing) stops Heartbeat and starts twinbeat: nothing moves.
        const before = answers().length;
        pair.stopDaemon('b');
        await pair.waitExit('b');
        pair.migrate('b');
        pair.startDaemon('b');
        await waitFor(() => /node-a \(Heartbeat\) holds IPaddr::192\.0\.2\.50\/24\/eth0/.test(pair.log('b')), 30_000, 'twinbeat on node-b to learn that node-a holds the group');
        await sleep(3000);
        const stayed = answers().slice(before);
        assert.ok(stayed.every((l) => l.includes('"answer":"node-a"')), `node-a served throughout node-b's migration: ${stayed.join(' ')}`);
        // 2. The hand-over: hb_standby on node-a (Heartbeat) gives the group to node-b (twinbeat).
        const handed = await pair.move('a', 'b', () => pair.standby('a'), { timeoutMs: HEARTBEAT_TAKEOVER_MS, settleMs: 3000 });
        console.log(`  migration, hb_standby on node-a to twinbeat on node-b: client gap ${handed.gap} ms`);
        // 3. node-a (standby, holds nothing) stops Heartbeat and starts twinbeat: the group fails back home.
        pair.stopDaemon('a');
        await pair.waitExit('a');
        pair.migrate('a');
        const home = await pair.move('b', 'a', () => pair.startDaemon('a'), { timeoutMs: 30_000, settleMs: 3000 });
        console.log(`  migration, failback to twinbeat on node-a: client gap ${home.gap} ms`);
        assert.match(pair.log('b'), /node-a runs twinbeat now/);
        assert.ok(handed.gap < 2000 && home.gap < 2000, 'each planned step costs at most one graceful hand-over gap');
      },
      [],
    );
  });
}

test.run();
