// The fleet view during a power loss, on the real pair: node-a's links go down first and its
// agent is then killed -9, so no FIN reaches the broker and node-a stays `online` there until its
// Last Will (1.5 x mqtt_keepalive). node-b's verdict, in its retained state within deadtime,
// must show node-a dead at once, and no view, at any moment, may flag `both active`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { viewOfMessages, type FleetMessage, type FleetView } from '../../src/fleet/view';
import { LAN, labUnavailable } from '../helpers/netns';
import { mosquittoBinary } from '../helpers/mosquitto';
import { BUNDLE, FAST, Pair, events } from '../helpers/pair';
import { skipWithReason } from '../helpers/skip';

const unavailable = labUnavailable(['ip', 'socat', 'arping']) ?? (mosquittoBinary() ? undefined : 'mosquitto is not installed');

interface Seen {
  t: number;
  topic?: string;
  payload?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${limitMs} ms: ${what}`);
    await sleep(20);
  }
}

const nodeA = (view: FleetView) => view.pairs[0]?.nodes.find((n) => n.node === 'node-a');

if (unavailable) {
  skipWithReason(test, `the fleet view during a power loss: ${unavailable}`);
} else {
  test('power loss (links down, then kill -9): node-a dead (per node-b) within 2 s, never both active', async () => {
    const pair = await new Pair({ ...FAST, autoFailback: 'off', extra: [`mqtt_broker mqtt://${LAN.client}:1883`] }).build();
    try {
      const conf = join(pair.root, 'mosquitto.conf');
      writeFileSync(conf, 'listener 1883 0.0.0.0\nallow_anonymous true\npersistence false\n');
      pair.spawnIn('client', [mosquittoBinary()!, '-c', conf]);
      const watch = pair.spawnIn('client', [process.execPath, '--import', 'tsx', 'test/e2e/tools/mqtt-watch.ts', 'mqtt://127.0.0.1:1883', '60']);
      await watch.waitFor(/"connected":true/, 10_000);
      pair.startAgent('a');
      pair.startAgent('b');
      const received = () => events<Seen>(watch).filter((m) => m.topic !== undefined);
      const viewAt = (t: number) =>
        viewOfMessages('twinbeat', received().filter((m) => m.t <= t).map((m): FleetMessage => ({ topic: m.topic!, payload: m.payload ?? '', receivedAt: new Date(m.t).toISOString() })), new Date(t));
      await until('a healthy pair: node-a holds the group, both online and up', () => {
        const pairView = viewAt(Date.now()).pairs[0];
        return pairView?.flags.length === 0 && pairView.groups[0]?.holder === 'node-a' && pairView.nodes.every((n) => n.peerState === 'up');
      }, 20_000);
      await sleep(500);

      // Power loss: nothing leaves node-a any more, not even a FIN to the broker.
      const cut = Date.now();
      pair.lab.exec('a', ['ip', 'link', 'set', 'eth0', 'down']);
      pair.lab.exec('a', ['ip', 'link', 'set', 'eth1', 'down']);
      pair.agents.a?.kill('SIGKILL');

      // Meanwhile the operator runs `twinbeat fleet --json` again and again.
      const snapshots: { startedAt: number; view: FleetView }[] = [];
      const polling = (async () => {
        while (Date.now() - cut < 6000) {
          const startedAt = Date.now();
          const cli = pair.spawnIn('client', [process.execPath, BUNDLE, 'fleet', '--broker', 'mqtt://127.0.0.1:1883', '--json', '--settle', '300']);
          assert.is(await cli.exited, 0, cli.lines.join('\n'));
          snapshots.push({ startedAt, view: JSON.parse(cli.lines.join('\n')) as FleetView });
        }
      })();
      await until('node-b holds the group', () => viewAt(Date.now()).pairs[0]?.groups[0]?.holder === 'node-b', 10_000);
      await polling;

      // Every moment of the broker's stream from the cut on, as the view would show it.
      const moments = received().filter((m) => m.t >= cut).map((m) => m.t);
      for (const t of moments) assert.not.ok(viewAt(t).pairs[0]?.flags.includes('both active'), `both active at +${t - cut} ms`);
      const shownDead = moments.find((t) => nodeA(viewAt(t))?.availability === 'dead');
      assert.ok(shownDead !== undefined, 'node-a shown dead');
      const stillOnline = received().some((m) => m.topic === 'twinbeat/node-a-node-b/node-a/availability' && m.payload === 'offline' && m.t <= shownDead!);
      assert.not.ok(stillOnline, 'shown dead before the Last Will, by node-b\'s verdict');
      process.stdout.write(`node-a shown dead (per node-b) ${shownDead! - cut} ms after the cut; ${snapshots.length} fleet --json runs in 6 s\n`);
      assert.ok(shownDead! - cut <= 2000, `shown dead ${shownDead! - cut} ms after the cut`);
      assert.equal(nodeA(viewAt(shownDead!))?.deadPer, 'node-b');

      // The command itself: never both active; dead in every run started once node-b had said so.
      assert.ok(snapshots.length >= 2, `${snapshots.length} runs`);
      for (const s of snapshots) assert.not.ok(s.view.pairs[0]?.flags.includes('both active'), `fleet --json started at +${s.startedAt - cut} ms flags both active`);
      for (const s of snapshots.filter((x) => x.startedAt >= shownDead!)) assert.is(nodeA(s.view)?.availability, 'dead', `fleet --json started at +${s.startedAt - cut} ms`);
    } finally {
      pair.dispose();
    }
  });
}

test.run();
