import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fieldsToMessage, messageToFields, type Fields } from '../../src/wire/messages';
import type { Message } from '../../src/core';

const view = {
  generation: 0x6b064b2b,
  seq: 42,
  ackGeneration: 0x6b064b2c,
  mode: 'active' as const,
  held: ['192.0.2.50', 'IPaddr::2001:db8::50/64/eth0'],
  granted: [],
  failed: ['web::a=b'],
  epochs: { '192.0.2.50': 3, 'IPaddr::2001:db8::50/64/eth0': 1 },
  fenceInMs: -1,
};
const envelope = { src: 'node-a', dest: 'node-b', unixSeconds: 0x6b064b2b };

const MESSAGES: Message[] = [
  { kind: 'heartbeat', ...view },
  { kind: 'release-request', groups: ['192.0.2.50'], ...view, mode: 'standby' },
  { kind: 'release-done', groups: ['192.0.2.50', 'IPaddr::2001:db8::50/64/eth0'], ...view },
  { kind: 'shutdown', ...view, mode: 'leaving', held: [], epochs: {}, fenceInMs: 1500 },
  { kind: 'shutdown-ack', ...view, held: ['192.0.2.50'] },
  // A group that would not stop, and the request to be reset (on_stop_failure fence).
  { kind: 'shutdown', ...view, mode: 'leaving', held: [], marked: ['192.0.2.50'], stuck: ['192.0.2.50'], resetMe: true },
];

test('every message kind survives the round trip through fields', () => {
  for (const message of MESSAGES) {
    const parsed = fieldsToMessage(messageToFields(message, envelope));
    assert.equal(parsed, { ok: true, message, src: 'node-a', dest: 'node-b' }, message.kind);
  }
});

test('a heartbeat uses Heartbeat\'s field names: t=status, st, src, dest, seq, hg and ts in hex', () => {
  const fields = messageToFields(MESSAGES[0]!, envelope);
  assert.equal(fields.slice(0, 7), [
    ['t', 'status'],
    ['st', 'active'],
    ['src', 'node-a'],
    ['dest', 'node-b'],
    ['seq', '2a'],
    ['hg', '6b064b2b'],
    ['ts', '6b064b2b'],
  ]);
});

test('incomplete or malformed fields are reasons, never exceptions', () => {
  const good = messageToFields(MESSAGES[1]!, envelope);
  const without = (name: string): Fields => good.filter(([n]) => n !== name);
  const replace = (name: string, value: string): Fields => good.map(([n, v]) => [n, n === name ? value : v]);
  const cases: [Fields, string][] = [
    [replace('t', 'NS_ackmsg'), 'unknown message type t=NS_ackmsg'],
    [replace('st', 'init'), 'bad status st=init'],
    [without('dest'), 'missing src or dest'],
    [replace('seq', 'x'), 'missing or malformed seq, hg, ackhg or fence'],
    [replace('hg', 'zz'), 'missing or malformed seq, hg, ackhg or fence'],
    [without('fence'), 'missing or malformed seq, hg, ackhg or fence'],
    [replace('epochs', 'web:'), 'malformed epochs entry "web:"'],
    [without('groups'), 'tb-release-request without groups'],
    [[], 'unknown message type t=undefined'],
  ];
  for (const [fields, reason] of cases) assert.equal(fieldsToMessage(fields), { ok: false, reason });
});

test('a fractional fence delay (the core runs on performance.now) goes as whole milliseconds and reads back', () => {
  const message: Message = { kind: 'heartbeat', ...view, fenceInMs: 1249.6 };
  const parsed = fieldsToMessage(messageToFields(message, envelope));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  if (parsed.ok) assert.is(parsed.message.fenceInMs, 1250);
});

test('the ping count (reach) travels when measured, and a malformed one drops the message', () => {
  const message: Message = { kind: 'heartbeat', ...view, reach: 2 };
  const fields = messageToFields(message, envelope);
  assert.ok(fields.some(([n, v]) => n === 'reach' && v === '2'));
  assert.equal(fieldsToMessage(fields), { ok: true, message, src: 'node-a', dest: 'node-b' });
  assert.not.ok(messageToFields({ kind: 'heartbeat', ...view }, envelope).some(([n]) => n === 'reach'), 'not measured: not sent');
  const bad = fields.map(([n, v]): [string, string] => [n, n === 'reach' ? '-3' : v]);
  assert.equal(fieldsToMessage(bad), { ok: false, reason: 'malformed reach=-3' });
});

test('groups marked failed by their checks travel beside `failed`, and only when there are some', () => {
  const message: Message = { kind: 'heartbeat', ...view, failed: ['192.0.2.50', '192.0.2.51'], marked: ['192.0.2.51'] };
  const fields = messageToFields(message, envelope);
  assert.ok(fields.some(([n, v]) => n === 'marked' && v === '192.0.2.51'));
  assert.equal(fieldsToMessage(fields), { ok: true, message, src: 'node-a', dest: 'node-b' });
  assert.not.ok(messageToFields({ kind: 'heartbeat', ...view, marked: [] }, envelope).some(([n]) => n === 'marked'));
});

test('how long the sender has been steady, and the health moves it knows, travel and read back (an IPv6 group too)', () => {
  const message: Message = {
    kind: 'heartbeat',
    ...view,
    steady: { forMs: 800, cause: 'ping targets' },
    moves: { '192.0.2.50': [{ epoch: 3, agoMs: 1200 }, { epoch: 5, agoMs: 0 }], 'IPaddr::2001:db8::50/64/eth0': [{ epoch: 2, agoMs: 40 }] },
  };
  const fields = messageToFields(message, envelope);
  assert.ok(fields.some(([n, v]) => n === 'steady' && v === '800 ping targets'));
  assert.ok(fields.some(([n, v]) => n === 'moves' && v === '192.0.2.50:3:1200 192.0.2.50:5:0 IPaddr::2001:db8::50/64/eth0:2:40'));
  assert.equal(fieldsToMessage(fields), { ok: true, message, src: 'node-a', dest: 'node-b' });
  const bad = fields.map(([n, v]): [string, string] => [n, n === 'steady' ? 'soon eth0' : v]);
  assert.equal(fieldsToMessage(bad), { ok: false, reason: 'malformed steady=soon eth0' });
});

test.run();
