// Heartbeat's retransmission (NS_rexmit / NS_nakrexmit) beside a Heartbeat 3.0 peer (issue 24):
// the bookkeeping of src/wire/heartbeat-rexmit.ts, the words as Heartbeat writes them, and the
// wire transport asking for a frame node-b's capture lost and answering node-b's own request.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIRST_ASK_MS, HeartbeatRetransmission, HISTORY, MAX_ASKS, MAX_BATCH, REXMIT_MS } from '../../src/wire/heartbeat-rexmit';
import { fieldsToHeartbeatNews, retransmissionToFields } from '../../src/wire/heartbeat-messages';
import { createWireTransport } from '../../src/agent/wire-transport';
import type { HeartbeatNews } from '../../src/core';
import { FakeLinkPair } from '../../src/links';
import { decodeFrame, encodeFrame, textFields } from '../../src/wire';
import { check } from '../helpers/config-dir';

test('a gap in the peer numbers is asked for after FIRST_ASK_MS, again every REXMIT_MS, and no more once it came', () => {
  const r = new HeartbeatRetransmission<string>();
  r.heard(7, 10, 0);
  r.heard(7, 14, 0); // 11, 12, 13 lost
  assert.equal(r.due(FIRST_ASK_MS - 1), [], 'a frame held back on the other path gets its chance first');
  assert.is(r.nextDue(), FIRST_ASK_MS);
  assert.equal(r.due(FIRST_ASK_MS), [[11, 13]], 'one request for the contiguous range');
  r.heard(7, 12, FIRST_ASK_MS + 10); // 12 came again
  assert.equal(r.due(FIRST_ASK_MS + REXMIT_MS), [[11, 11], [13, 13]]);
  r.heard(7, 11, 400);
  r.heard(7, 13, 400);
  assert.equal(r.due(10_000), []);
  assert.is(r.nextDue(), undefined, 'nothing missing: no timer');
});

test('a missing number is given up after MAX_ASKS requests, or at once when the peer refuses it', () => {
  const r = new HeartbeatRetransmission<string>();
  r.heard(1, 1, 0);
  r.heard(1, 4, 0);
  r.refusedByPeer(2);
  let asks = 0;
  for (let now = 0; now < 60_000; now += REXMIT_MS) asks += r.due(now).length;
  assert.is(asks, MAX_ASKS, 'only 3 was asked for, MAX_ASKS times');
});

test('a new run of the peer starts afresh; an older run and a long silence ask for nothing', () => {
  const r = new HeartbeatRetransmission<string>();
  r.heard(5, 100, 0);
  r.heard(5, 103, 0);
  r.heard(6, 1, 0);
  assert.equal(r.due(1000), [], 'the new run numbers from its own start');
  r.heard(5, 200, 0);
  r.heard(6, 2 + MAX_BATCH + 1, 0);
  assert.equal(r.due(1000), [], 'more than MAX_BATCH lost at once is a cut, not a gap: start over');
});

test('a request is answered with the frames kept, each at most once per REXMIT_MS; what is no longer kept is refused', () => {
  const r = new HeartbeatRetransmission<string>();
  for (let seq = 1; seq <= HISTORY + 10; seq++) r.sent(seq, `frame ${seq}`);
  assert.equal(r.requested(HISTORY + 2, HISTORY + 4, 0), { again: [`frame ${HISTORY + 2}`, `frame ${HISTORY + 3}`, `frame ${HISTORY + 4}`], refused: [] });
  assert.equal(r.requested(HISTORY + 2, HISTORY + 2, 100), { again: [], refused: [] }, 'sent again 100 ms ago: not again');
  assert.equal(r.requested(HISTORY + 2, HISTORY + 2, REXMIT_MS), { again: [`frame ${HISTORY + 2}`], refused: [] });
  assert.equal(r.requested(5, 6, 0), { again: [], refused: [5, 6] }, 'overwritten in the history: refused (NS_nakrexmit)');
  assert.equal(r.requested(HISTORY + 11, HISTORY + 20, 0), { again: [], refused: [] }, 'above what we sent: ignored, as Heartbeat does');
  const hostile = r.requested(0, Number.MAX_SAFE_INTEGER, 10_000);
  assert.ok(hostile.again.length + hostile.refused.length <= MAX_BATCH, 'a hostile range costs at most MAX_BATCH');
});

test('the words read and written as Heartbeat does: a request in decimal, a refusal in hex, neither numbered', () => {
  const envelope = { src: 'node-a', dest: 'node-b', unixSeconds: 0x10 };
  const asked = retransmissionToFields({ what: 'rexmit', first: 26, last: 27 }, envelope);
  assert.equal(asked, [
    ['t', 'NS_rexmit'],
    ['dest', 'node-b'],
    ['firstseq', '26'],
    ['lastseq', '27'],
    ['src', 'node-a'],
    ['ts', '10'],
  ]);
  const refused = retransmissionToFields({ what: 'nak', refused: 26 }, envelope);
  assert.equal(refused.slice(0, 2), [
    ['t', 'NS_nakrexmit'],
    ['firstseq', '1a'],
  ]);
  assert.equal(fieldsToHeartbeatNews(asked), { ok: true, retransmission: { what: 'rexmit', first: 26, last: 27 }, dest: 'node-b', src: 'node-a' });
  assert.equal(fieldsToHeartbeatNews(refused), { ok: true, retransmission: { what: 'nak', refused: 26 }, dest: 'node-b', src: 'node-a' });
  const bad = fieldsToHeartbeatNews([
    ['t', 'NS_rexmit'],
    ['firstseq', '9'],
    ['lastseq', '2'],
    ['src', 'node-b'],
  ]);
  assert.is(bad.ok, false, 'a range backwards is a reason to drop');
});

const HA_CF = `keepalive 1
deadtime 4
udpport 694
bcast eth1
auto_failback on
node node-a
node node-b
`;

const FIXTURE = join(import.meta.dirname, '../fixtures/heartbeat-3.0.6/frames.jsonl');

test('the transport asks node-b for the frame its capture lost, and sends node-b again what it asks for', async () => {
  const config = (await check({ 'ha.cf': HA_CF, haresources: 'node-a 192.0.2.50/24/eth0\n', authkeys: 'auth 1\n1 sha1 baseline-secret\n' }, { node: 'node-a' })).config!;
  const pair = new FakeLinkPair({ paths: config.paths.map((p) => p.id) });
  const path = config.paths[0]!.id;
  const transport = createWireTransport(config, { logger: { log: () => {} }, links: [pair.a] });
  const news: HeartbeatNews[] = [];
  await transport.start(() => {}, (_path, n) => news.push(n));
  const toB: Record<string, string>[] = [];
  await pair.b.start((frame) => {
    const decoded = decodeFrame(frame, config.auth);
    if (decoded.ok) toB.push(Object.fromEntries(textFields(decoded.fields)));
  });

  // node-b's frames to node-a in the capture, one numbered frame lost on the way.
  const fromB = readFileSync(FIXTURE, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { src: string; dst: string; payload_b64: string })
    .filter((f) => f.src === '198.51.100.2' && f.dst === '198.51.100.1')
    .map((f) => Buffer.from(f.payload_b64, 'base64'));
  const seqOf = (frame: Buffer) => {
    const d = decodeFrame(frame, config.auth);
    return d.ok ? textFields(d.fields).find(([n]) => n === 'seq')?.[1] : undefined;
  };
  const lost = fromB.findIndex((f, i) => i > 3 && seqOf(f) !== undefined);
  const lostSeq = parseInt(seqOf(fromB[lost]!)!, 16);
  for (const [i, frame] of fromB.slice(0, lost + 3).entries()) if (i !== lost) pair.b.send(frame, path);
  await new Promise((r) => setTimeout(r, FIRST_ASK_MS + 100));
  const asks = toB.filter((f) => f.t === 'NS_rexmit');
  assert.ok(asks.length >= 1, 'the lost frame was asked for');
  // (The capture's own unicast copies have gaps of their own, sent by broadcast only.)
  const covering = asks.find((a) => Number(a.firstseq) <= lostSeq && lostSeq <= Number(a.lastseq));
  assert.ok(covering, `a request covers ${lostSeq}: ${JSON.stringify(asks)}`);
  assert.is(covering!.dest, 'node-b');
  assert.is(asks[0]!.seq, undefined, 'a request is not numbered (it would open a gap of its own)');
  pair.b.send(fromB[lost]!, path);
  await new Promise((r) => setImmediate(r));
  assert.ok(news.some((n) => n.seq === lostSeq), 'the frame sent again reached the core');

  // node-b asks for one of ours, and for one we never kept.
  transport.sendHeartbeat!({ generation: 9, seq: 41, what: 'starting' });
  transport.sendHeartbeat!({ generation: 9, seq: 42, what: 'resources', holds: 'none', stable: true });
  await new Promise((r) => setImmediate(r));
  toB.length = 0;
  const ask = (first: number, last: number) =>
    encodeFrame(retransmissionToFields({ what: 'rexmit', first, last }, { src: 'node-b', dest: 'node-a', unixSeconds: 0 }), config.auth);
  pair.b.send(ask(40, 41), path);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(
    toB.map((f) => [f.t, f.seq ?? f.firstseq]),
    [
      ['starting', '29'],
      ['NS_nakrexmit', '28'],
    ],
    '41 sent again as it was, 40 (never sent on every path) refused',
  );
  assert.is(transport.counters()['heartbeat-resent'], 1);
  await transport.stop();
  await pair.b.stop();
});

test.run();
