// Fleet reporting on the real pair: a broker in the client's namespace, both agents reporting
// to it over the LAN. A failover shows up as an event and as the new holder in both nodes'
// state topics; a node killed -9 goes offline through its Last Will.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAN, labUnavailable } from '../helpers/netns';
import { mosquittoBinary } from '../helpers/mosquitto';
import { FAST, Pair, events, type Watched } from '../helpers/pair';
import { skipWithReason } from '../helpers/skip';
import type { ClusterEvent } from '../../src/snapshot';

const unavailable = labUnavailable(['ip', 'socat', 'arping']) ?? (mosquittoBinary() ? undefined : 'mosquitto is not installed');

interface Seen {
  t: number;
  topic?: string;
  retain?: boolean;
  payload?: string;
}

const PREFIX = 'twinbeat/node-a-node-b';
/** The pair's group, named as Heartbeat names it: by its first resource. */
const GROUP = '192.0.2.50/24/eth0';

async function until<T>(what: string, find: () => T | undefined, limitMs: number): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`not within ${limitMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The events published since `since`, oldest first. */
const eventsSince = (watch: Watched, since: number): ClusterEvent[] =>
  events<Seen>(watch)
    .filter((m) => m.t >= since && m.topic === `${PREFIX}/events`)
    .map((m) => JSON.parse(m.payload ?? '{}') as ClusterEvent);

/** The events that are a move of a group (src/core/decisions.ts: exactly one per move). */
const movesSince = (watch: Watched, since: number) => eventsSince(watch, since).filter((e) => ['failover', 'handover', 'start'].includes(e.type) && e.kind !== 'keep');

/** What a move event says, in the fields a fleet reads. */
const fields = (e: ClusterEvent) => ({ type: e.type, node: e.node, kind: e.kind, cause: e.cause, group: e.group, subject: e.subject });

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

const holderIn = (watch: Watched, node: string, since: number) =>
  events<Seen>(watch)
    .filter((m) => m.t >= since && m.topic === `${PREFIX}/${node}/state`)
    .map((m) => (JSON.parse(m.payload ?? '{}') as { groups?: { holder: string | null }[] }).groups?.[0]?.holder)
    .at(-1);

/** A pair reporting to a broker in the client namespace, with a watcher subscribed to everything. */
async function reportingPair(extra: string[]) {
  const pair = await new Pair({ ...FAST, autoFailback: 'off', extra: [`mqtt_broker mqtt://${LAN.client}:1883`, ...extra] }).build();
  const conf = join(pair.root, 'mosquitto.conf');
  writeFileSync(conf, 'listener 1883 0.0.0.0\nallow_anonymous true\npersistence false\n');
  const broker = pair.spawnIn('client', [mosquittoBinary()!, '-c', conf]);
  const watch = pair.spawnIn('client', [process.execPath, '--import', 'tsx', 'test/e2e/tools/mqtt-watch.ts', 'mqtt://127.0.0.1:1883', '120']);
  await watch.waitFor(/"connected":true/, 10_000);
  return { pair, broker, watch };
}

if (unavailable) {
  skipWithReason(test, `MQTT on the namespaced pair: ${unavailable}`);
} else {
  test('one event per move: the start at home, then a failover with kind, cause and subject; the new holder in both state topics; kill -9 is offline by the Last Will', async () => {
    const { pair, broker, watch } = await reportingPair(['mqtt_interval 2s']);
    try {
      pair.startAgent('a');
      pair.startAgent('b');
      await until('node-a holds the group in both state topics', () => (holderIn(watch, 'node-a', 0) === 'node-a' && holderIn(watch, 'node-b', 0) === 'node-a' ? true : undefined), 20_000);
      await watch.waitFor(new RegExp(`"topic":"${PREFIX}/node-a/availability".*"payload":"online"`), 5000);
      // The start-up is one `start` of the group at its home node, not a failover.
      assert.equal(movesSince(watch, 0).map(fields), [{ type: 'start', node: 'node-a', kind: 'takeover', cause: 'home-node', group: GROUP, subject: GROUP }]);

      const lost = Date.now();
      pair.powerOff('a');
      const failover = await until(
        'a failover event from node-b',
        () => events<Seen>(watch).find((m) => m.t >= lost && m.topic === `${PREFIX}/events` && /"type":"failover"/.test(m.payload ?? '') && /"node":"node-b"/.test(m.payload ?? '') && /Taking over resource group 192\.0\.2\.50/.test(m.payload ?? '')),
        10_000,
      );
      const event = JSON.parse(failover.payload!) as ClusterEvent;
      assert.match(event.text, /Taking over resource group 192\.0\.2\.50/);
      assert.ok(event.reason.length > 0, 'the event says why');
      assert.is(failover.retain, false, 'events are not retained');
      await until('node-b holds the group in its state topic', () => (holderIn(watch, 'node-b', lost) === 'node-b' ? true : undefined), 10_000);
      await settle(1500);
      // Exactly one move event for the failover (there were two before decisions became data).
      assert.equal(movesSince(watch, lost).map(fields), [{ type: 'failover', node: 'node-b', kind: 'takeover', cause: 'peer-dead', group: GROUP, subject: GROUP }]);
      const seen = eventsSince(watch, lost);
      assert.ok(seen.some((e) => e.type === 'peer' && e.node === 'node-b' && e.subject === 'node-a'), `node-b says node-a is dead: ${JSON.stringify(seen)}`);
      assert.ok(seen.some((e) => e.type === 'path' && e.node === 'node-b' && e.subject === 'node-a:eth1'), 'and which path died');

      // node-a's connection died with it: the broker publishes its Last Will once the keepalive runs out.
      // Power back on: node-a reports again, and (auto_failback off) it shows node-b as the holder.
      pair.lab.exec('a', ['ip', 'link', 'set', 'eth0', 'up']);
      pair.lab.exec('a', ['ip', 'link', 'set', 'eth1', 'up']);
      const back = Date.now();
      pair.startAgent('a');
      await until('node-a reports node-b as the holder', () => (holderIn(watch, 'node-a', back) === 'node-b' ? true : undefined), 15_000);
      assert.equal(movesSince(watch, back), [], 'auto_failback off: node-a rejoins and nothing moves');

      // kill -9 with the network up: the broker sees the connection drop and sends the Will at once.
      const killed = Date.now();
      pair.agents.a?.kill('SIGKILL');
      await until(
        'node-a offline by its Last Will',
        () => events<Seen>(watch).find((m) => m.t >= killed && m.topic === `${PREFIX}/node-a/availability` && m.payload === 'offline'),
        10_000,
      );
      broker.kill();
    } finally {
      pair.dispose();
    }
  });

  test('mqtt_commands on: "standby" on the command topic moves the group to the peer, one handover event from the node that hands it over', async () => {
    const { pair, watch } = await reportingPair(['mqtt_commands on']);
    try {
      pair.startAgent('a');
      const b = pair.startAgent('b');
      await until('node-a holds the group', () => (holderIn(watch, 'node-b', 0) === 'node-a' ? true : undefined), 20_000);
      await b.waitFor(/Link node-a:eth1 up\./, 10_000);
      const sent = Date.now();
      const publish = pair.spawnIn('client', [process.execPath, '--import', 'tsx', 'test/e2e/tools/mqtt-publish.ts', 'mqtt://127.0.0.1:1883', `${PREFIX}/node-a/command`, 'standby']);
      assert.is(await publish.exited, 0, publish.lines.join('\n'));
      await until('node-b holds the group after the command', () => (holderIn(watch, 'node-b', sent) === 'node-b' ? true : undefined), 10_000);
      await pair.agents.a!.waitFor(/MQTT command: standby/, 1000);
      await settle(1500);
      // node-b's "Taking over ...: node-a stopped it and handed it over" is the same move: no second event.
      assert.equal(movesSince(watch, sent).map(fields), [{ type: 'handover', node: 'node-a', kind: 'handover', cause: 'operator', group: GROUP, subject: GROUP }]);

      // A planned stop of the holder: the leaving node hands nothing over group by group, so the taker reports the move.
      const stopped = Date.now();
      b.kill('SIGTERM');
      assert.is(await b.exited, 0, 'node-b stops cleanly');
      await until('node-a holds the group again', () => (holderIn(watch, 'node-a', stopped) === 'node-a' ? true : undefined), 10_000);
      await settle(1000);
      assert.equal(movesSince(watch, stopped).map(fields), [{ type: 'handover', node: 'node-a', kind: 'takeover', cause: 'peer-left', group: GROUP, subject: GROUP }]);
    } finally {
      pair.dispose();
    }
  });
}

test.run();
