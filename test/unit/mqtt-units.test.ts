// The MQTT reporter's pure parts: topics, wire format, the bounded queue, back-off, commands,
// Home Assistant discovery payloads.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRequire } from 'node:module';
import { discoveryMessages, discoveryShape } from '../../src/report/homeassistant';
import { createMqttReporter } from '../../src/report/mqtt';
import { Backoff } from '../../src/backoff';
import { readCommand } from '../../src/report/mqtt-commands';
import { BoundedQueue } from '../../src/report/mqtt-event-queue';
import { clientIdFor } from '../../src/mqtt/options';
import { nodeTopics, parseTopic, topicLevel } from '../../src/mqtt/topics';
import { eventMessage, parseEvent, parseState, stateMessage } from '../../src/mqtt/wire';
import { event, snapshot } from './mqtt-fixtures';

test('topics: one subtree per pair, one per node', () => {
  assert.equal(nodeTopics('twinbeat', 'lab', 'alpha'), {
    availability: 'twinbeat/lab/alpha/availability',
    state: 'twinbeat/lab/alpha/state',
    command: 'twinbeat/lab/alpha/command',
    events: 'twinbeat/lab/events',
  });
  assert.is(topicLevel('a/b+c#'), 'a_b_c_');
});

test('topics: parsed back under a multi-level prefix', () => {
  assert.equal(parseTopic('site1/tb', 'site1/tb/lab/alpha/state'), { kind: 'state', cluster: 'lab', node: 'alpha' });
  assert.equal(parseTopic('site1/tb', 'site1/tb/lab/events'), { kind: 'events', cluster: 'lab' });
  assert.is(parseTopic('site1/tb', 'other/lab/alpha/state'), undefined);
  assert.is(parseTopic('site1/tb', 'site1/tb/lab/alpha/other'), undefined);
});

test('wire: state is the snapshot plus schema and publishedAt, and reads back', () => {
  const s = snapshot();
  const text = stateMessage(s, new Date('2026-11-25T03:01:00Z'));
  const back = parseState(text);
  assert.equal(back, { schema: 1, ...s, publishedAt: '2026-11-25T03:01:00.000Z' });
  assert.is(parseState('not json'), undefined);
  assert.is(parseState(JSON.stringify({ ...s, schema: 2 })), undefined);
});

test('wire: an event reads back with its schema', () => {
  const e = event(1);
  assert.equal(parseEvent(eventMessage(e)), { schema: 1, ...e });
  assert.is(parseEvent('{"schema":1}'), undefined);
});

test('queue: oldest dropped first, the count kept until reported', () => {
  const q = new BoundedQueue<number>(3);
  for (let i = 1; i <= 5; i++) q.push(i);
  assert.is(q.length, 3);
  assert.is(q.dropped, 2);
  q.requeue([0]); // undelivered items go first, and overflow drops from the front
  assert.is(q.dropped, 3);
  q.reported(2); // a report of 2 was delivered; the third drop came after it was sent
  assert.is(q.dropped, 1);
  assert.equal([q.shift(), q.shift(), q.shift(), q.shift()], [3, 4, 5, undefined]);
});

test('back-off: doubles to the cap, spread below nominal, reset after a connection', () => {
  const b = new Backoff({ firstMs: 100, maxMs: 1000, spread: 0.2, random: () => 0 });
  assert.equal([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()], [100, 200, 400, 800, 1000, 1000]);
  b.reset();
  assert.is(b.next(), 100);
  const spread = new Backoff({ firstMs: 1000, maxMs: 1000, spread: 0.2, random: () => 1 });
  assert.is(spread.next(), 800);
});

test('commands: standby and takeover; retained or unknown refused', () => {
  assert.equal(readCommand(Buffer.from(' Standby\n'), false), { ok: true, command: 'standby' });
  assert.equal(readCommand(Buffer.from('takeover'), false), { ok: true, command: 'takeover' });
  const retained = readCommand(Buffer.from('takeover'), true);
  assert.ok(!retained.ok && /retained command "takeover": it would run again on every reconnect/.test(retained.reason));
  const unknown = readCommand(Buffer.from('reboot'), false);
  assert.ok(!unknown.ok && /expected standby or takeover/.test(unknown.reason));
});

test('client id: stable per node', () => {
  assert.is(clientIdFor('lab', 'alpha'), 'twinbeat-lab-alpha');
});

test('Home Assistant: one sensor for role, peer, each path and each group, on the availability topic', () => {
  const s = snapshot();
  const topics = nodeTopics('twinbeat', 'lab', 'alpha');
  const messages = discoveryMessages(s, topics);
  assert.equal(messages.map((m) => m.topic), [
    'homeassistant/sensor/twinbeat_lab_alpha/role/config',
    'homeassistant/sensor/twinbeat_lab_alpha/peer/config',
    'homeassistant/sensor/twinbeat_lab_alpha/path_ucast_eth1_198_51_100_2/config',
    'homeassistant/sensor/twinbeat_lab_alpha/path_serial__dev_ttyS1/config',
    'homeassistant/sensor/twinbeat_lab_alpha/group_192_0_2_50/config',
  ]);
  const role = JSON.parse(messages[0]!.payload);
  assert.equal(role, {
    name: 'Role',
    unique_id: 'twinbeat_lab_alpha_role',
    state_topic: 'twinbeat/lab/alpha/state',
    value_template: '{{ value_json.role }}',
    availability_topic: 'twinbeat/lab/alpha/availability',
    payload_available: 'online',
    payload_not_available: 'offline',
    icon: 'mdi:server-network',
    device: { identifiers: ['twinbeat_lab_alpha'], name: 'lab alpha', manufacturer: 'twinbeat', model: 'twinbeat high-availability pair', sw_version: '0.1.0' },
    origin: { name: 'twinbeat', sw_version: '0.1.0' },
  });
  const path = JSON.parse(messages[3]!.payload);
  assert.is(path.value_template, "{{ (value_json.paths | selectattr('id', 'eq', 'serial /dev/ttyS1') | map(attribute='state') | first) | default('unknown') }}");
  assert.is(JSON.parse(messages[1]!.payload).value_template, '{{ value_json.peer.state }}');
  assert.match(JSON.parse(messages[4]!.payload).value_template, /map\(attribute='holder'\) \| first\) or 'nobody'/);
});

test('Home Assistant: the shape changes with the paths, not with their state', () => {
  const s = snapshot();
  const down = snapshot({ paths: s.paths.map((p) => ({ ...p, state: 'dead' })) });
  assert.is(discoveryShape(s), discoveryShape(down));
  assert.is.not(discoveryShape(s), discoveryShape(snapshot({ paths: s.paths.slice(1) })));
});

test('no mqtt_broker: no reporter, and MQTT.js is not loaded by importing the reporter', () => {
  assert.is(createMqttReporter({ cluster: 'lab', localNode: 'alpha' }, { log: () => {} }), undefined);
  const cache = createRequire(import.meta.url).cache;
  assert.not.ok(Object.keys(cache).some((path) => path.includes('/node_modules/mqtt/')), 'mqtt is in the module cache');
});

test.run();
