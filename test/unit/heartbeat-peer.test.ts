// A Heartbeat 3.0 peer (issue 24): its captured frames read as the core's HeartbeatNews, what
// twinbeat says to it reads back the same, and the transport hands its frames to the core
// instead of dropping them (`bad status st=up` before), naming a third node once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fieldsToHeartbeatNews, heartbeatToFields, speaksHeartbeat } from '../../src/wire/heartbeat-messages';
import { messageToFields } from '../../src/wire/messages';
import { createWireTransport } from '../../src/agent/wire-transport';
import type { HeartbeatNews, HeartbeatOut } from '../../src/core';
import { FakeLinkPair } from '../../src/links';
import { decodeFrame, encodeFrame, textFields } from '../../src/wire';
import { CAPTURE_AUTH } from '../bench/heartbeat-capture';
import { check } from '../helpers/config-dir';
import { capturedFrames, LAB_AUTH } from '../helpers/wire-fixtures';

const FIXTURE = join(import.meta.dirname, '../fixtures/heartbeat-3.0.6/frames.jsonl');
const fixtureFrames = () =>
  readFileSync(FIXTURE, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { t: number; src: string; dst: string; payload_b64: string })
    .map((j) => ({ ...j, payload: Buffer.from(j.payload_b64, 'base64') }));

function read(payload: Buffer, auth = CAPTURE_AUTH) {
  const decoded = decodeFrame(payload, auth);
  assert.ok(decoded.ok, 'the captured frame verifies');
  const fields = textFields(decoded.ok ? decoded.fields : []);
  assert.ok(speaksHeartbeat(fields), 'a Heartbeat frame is told from a twinbeat one');
  return fieldsToHeartbeatNews(fields);
}

test('every frame of the Heartbeat 3.0.6 captures reads as news the core understands (nothing unknown, nothing dropped)', () => {
  const seen = new Set<string>();
  for (const [payload, auth] of [...fixtureFrames().map((f) => [f.payload, CAPTURE_AUTH] as const), ...capturedFrames().map((f) => [f.payload, LAB_AUTH] as const)]) {
    const parsed = read(payload, auth);
    assert.ok(parsed.ok, JSON.stringify(parsed));
    if (!parsed.ok || !('news' in parsed)) continue;
    assert.not.equal(parsed.news.what, 'unknown', JSON.stringify(parsed.news));
    assert.not.equal(parsed.news.what, 'crm');
    seen.add(parsed.news.what === 'status' ? `status ${parsed.news.status}` : parsed.news.what);
  }
  assert.equal([...seen].sort(), ['handover', 'nodes', 'resources', 'routine', 'shutdone', 'starting', 'status active', 'status init', 'status up']);
});

test('the resource messages of the captures say who holds what, as Heartbeat meant it', () => {
  const resources = fixtureFrames()
    .filter((f) => f.dst === '198.51.100.1' || f.dst === '198.51.100.2')
    .map((f) => read(f.payload))
    .flatMap((p) => (p.ok && 'news' in p && p.news.what === 'resources' ? [p.news] : []));
  // node-b's take-over when node-a was stopped: the mach_down script's message adds (no rtype=full) and has no isstable.
  const machDown = resources.find((n) => n.what === 'resources' && n.info === 'mach_down');
  assert.equal(machDown && { ...machDown, seq: 0, generation: 0 }, { generation: 0, seq: 0, what: 'resources', holds: 'foreign', full: false, info: 'mach_down' });
  const shutdown = resources.find((n) => n.what === 'resources' && n.info === 'shutdown');
  assert.equal(shutdown && { ...shutdown, seq: 0, generation: 0 }, { generation: 0, seq: 0, what: 'resources', holds: 'none', full: true, stable: false, info: 'shutdown' });
});

test('what twinbeat says to a Heartbeat peer is in its words and reads back the same', () => {
  const envelope = { src: 'node-a', dest: 'node-b', unixSeconds: 0x6b0a15ca };
  const out: HeartbeatOut[] = [
    { generation: 7, seq: 1, what: 'starting' },
    { generation: 7, seq: 2, what: 'resources', holds: 'local', stable: true },
    { generation: 7, seq: 0x1f, what: 'resources', holds: 'none', stable: false, info: 'shutdown' },
    { generation: 7, seq: 0x20, what: 'shutdone' },
  ];
  const back = out.map((m) => {
    const frame = encodeFrame(heartbeatToFields(m, envelope), CAPTURE_AUTH);
    const parsed = read(frame);
    return parsed.ok && 'news' in parsed ? parsed.news : parsed;
  });
  const expected: HeartbeatNews[] = [
    { generation: 7, seq: 1, what: 'starting' },
    { generation: 7, seq: 2, what: 'resources', holds: 'local', full: true, stable: true },
    { generation: 7, seq: 0x1f, what: 'resources', holds: 'none', full: true, stable: false, info: 'shutdown' },
    { generation: 7, seq: 0x20, what: 'shutdone' },
  ];
  assert.equal(back, expected);
  // Heartbeat's resource messages go to the whole cluster: no dest, as Heartbeat sends them.
  assert.equal(heartbeatToFields(out[1]!, envelope).map(([n]) => n), ['t', 'rsc_hold', 'rtype', 'isstable', 'src', 'seq', 'hg', 'ts']);
});

test('a frame in neither vocabulary is a reason to drop, never a throw; unknown kinds and Pacemaker are named', () => {
  const parse = (fields: [string, string][]) => fieldsToHeartbeatNews(fields);
  assert.equal(parse([['t', 'status']]), { ok: false, reason: 'Heartbeat frame without t or src' });
  assert.equal(parse([['t', 'status'], ['src', 'b'], ['seq', 'zz'], ['hg', '1']]), { ok: false, reason: 'Heartbeat t=status without a hex hg and seq' });
  assert.equal(parse([['t', 'resource'], ['src', 'b'], ['seq', '1'], ['hg', '1'], ['rsc_hold', 'most']]), { ok: false, reason: 'Heartbeat resource message with rsc_hold=most' });
  const news = (fields: [string, string][]) => {
    const p = parse([...fields, ['src', 'b'], ['seq', 'a'], ['hg', '1']]);
    return p.ok && 'news' in p ? p.news : p;
  };
  assert.equal(news([['t', 'cib']]), { generation: 1, seq: 10, what: 'crm', type: 'cib' });
  assert.equal(news([['t', 'status'], ['st', 'dead']]), { generation: 1, seq: 10, what: 'unknown', type: 'status', detail: 'status st=dead' });
  assert.equal((news([['t', 'cl_status']]) as HeartbeatNews).what, 'unknown');
  // ipfail's words to its partner, and an API client joining, are understood (a Heartbeat node running ipfail pairs).
  assert.equal(news([['t', 'num_ping_nodes'], ['num_ping', '0']]), { generation: 1, seq: 10, what: 'ipfail', type: 'num_ping_nodes' });
  assert.equal((news([['t', 'you_are_dead']]) as HeartbeatNews).what, 'ipfail');
  assert.equal((news([['t', 'hbapi-clstat'], ['clientid', 'ipfail'], ['status', 'join']]) as HeartbeatNews).what, 'routine');
  // twinbeat's own frames carry ackhg and stay with twinbeat's reader.
  const twinbeat = messageToFields({ kind: 'heartbeat', generation: 1, seq: 1, ackGeneration: 0, mode: 'active', held: [], granted: [], failed: [], epochs: {}, fenceInMs: -1 }, { src: 'a', dest: 'b', unixSeconds: 0 });
  assert.not.ok(speaksHeartbeat(twinbeat));
});

const HA_CF = `keepalive 1
deadtime 5
udpport 694
bcast eth1
node node-a
node node-b
`;

test('the transport hands a Heartbeat peer to the core (frames node-b sent in the capture), and names a third node once', async () => {
  const config = (await check({ 'ha.cf': HA_CF, haresources: 'node-a 192.0.2.50/24/eth0\n', authkeys: 'auth 1\n1 sha1 baseline-secret\n' }, { node: 'node-a' })).config!;
  assert.ok(config, 'the configuration loads');
  const pair = new FakeLinkPair({ paths: config.paths.map((p) => p.id) });
  const lines: string[] = [];
  const transport = createWireTransport(config, { logger: { log: (_level: string, text: string) => lines.push(text) }, links: [pair.a] });
  const news: HeartbeatNews[] = [];
  await transport.start(() => assert.unreachable('no twinbeat message here'), (_path, n) => news.push(n));
  const path = config.paths[0]!.id;
  const fromB = fixtureFrames().filter((f) => f.src === '198.51.100.2' && f.dst === '198.51.100.1');
  for (const f of fromB) pair.b.send(f.payload, path);
  const stranger = encodeFrame(heartbeatToFields({ generation: 1, seq: 1, what: 'starting' }, { src: 'node-c', dest: '', unixSeconds: 0 }), CAPTURE_AUTH);
  pair.b.send(stranger, path);
  pair.b.send(stranger, path);
  await new Promise((r) => setImmediate(r));
  assert.is(news.length, fromB.length, 'every frame node-b sent to node-a reached the core');
  assert.ok(news.some((n) => n.what === 'status' && n.status === 'up'), 'st=up is understood');
  const counters = transport.counters();
  assert.is(counters['dropped-bad-message'], undefined);
  assert.is(counters['dropped-unknown-node'], 2);
  const named = lines.filter((l) => l.startsWith('Node node-c'));
  assert.is(named.length, 1, 'the third node is named once');
  assert.match(named[0]!, /Node node-c is heard on .* but ha.cf names only node-a and node-b/);
  await transport.stop();
});

test.run();
