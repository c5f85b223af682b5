import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { fieldsToMessage, messageToFields } from '../../src/wire/messages';
import type { Message } from '../../src/core';
import type { AuthMethod } from '../../src/config/types';
import { cksumCrc, decodeFrame, digest, digestText, encodeFrame, encodeNetstring, sign, textFields, type WireField } from '../../src/wire';
import { LAB_AUTH, authWith, capturedFrames, key } from '../helpers/wire-fixtures';

const METHODS: AuthMethod[] = ['crc', 'md5', 'sha1', 'sha256'];
const view = { generation: 0x6b064b2b, seq: 7, ackGeneration: 0, mode: 'active' as const, held: ['192.0.2.50'], granted: [], failed: [], epochs: { '192.0.2.50': 2 }, fenceInMs: -1 };
const MESSAGES: Message[] = [
  { kind: 'heartbeat', ...view },
  { kind: 'release-request', groups: ['192.0.2.50'], ...view, mode: 'standby' },
  { kind: 'release-done', groups: ['192.0.2.50'], ...view },
  { kind: 'shutdown', ...view, mode: 'leaving', held: [] },
];
const envelope = { src: 'node-a', dest: 'node-b', unixSeconds: 0x6b064b2b };

test('every frame captured off a Heartbeat 3.0.6 pair decodes and verifies (md5, key labkey)', () => {
  const frames = capturedFrames();
  assert.is(frames.length, 168);
  for (const [i, f] of frames.entries()) {
    const r = decodeFrame(f.payload, LAB_AUTH);
    assert.ok(r.ok, `frame ${i}: ${r.ok ? '' : `${r.reason} ${r.detail}`}`);
    if (r.ok) assert.is(r.format, 'netstring');
  }
});

test('the captured frames with their binary srcuuid keep every field, and the wrong key rejects them', () => {
  const first = capturedFrames()[0]!.payload;
  const r = decodeFrame(first, LAB_AUTH);
  assert.ok(r.ok);
  if (!r.ok) return;
  const uuid = r.fields.find((f) => f.name === 'srcuuid')!;
  assert.is(uuid.type, 1);
  assert.is(uuid.value.length, 16);
  assert.equal(Object.fromEntries(textFields(r.fields)).t, 'status');
  const wrong = decodeFrame(first, authWith(1, key(1, 'md5', 'not-labkey')));
  assert.equal(wrong.ok ? 'accepted' : wrong.reason, 'bad-auth');
});

test('frames built after the reference verify with sha1 and crc, inner and outer digest', () => {
  const captured = decodeFrame(capturedFrames()[5]!.payload, LAB_AUTH);
  assert.ok(captured.ok);
  if (!captured.ok) return;
  for (const method of ['sha1', 'crc', 'sha256', 'md5'] as AuthMethod[]) {
    const k = key(2, method);
    const fields: WireField[] = captured.fields.filter((f) => f.name !== 'auth');
    fields.push({ name: 'auth', type: 0, value: Buffer.from(sign(k, digestText(fields))) });
    const frame = encodeNetstring(fields, (signed) => sign(k, signed));
    const r = decodeFrame(frame, authWith(2, k));
    assert.ok(r.ok, `${method}: ${r.ok ? '' : r.detail}`);
  }
});

test("crc is POSIX cksum's CRC: with the length appended it matches the cksum command", () => {
  const data = Buffer.from('123456789');
  // cksum appends the length, least significant byte first, without zero bytes: 9 -> 0x09.
  assert.is(cksumCrc(Buffer.concat([data, Buffer.from([9])])), 930766865);
  const text = Buffer.from('t=status\nst=up\nsrc=node-a\n');
  const out = execFileSync('cksum', { input: text }).toString().split(' ');
  const lengthBytes = Buffer.from([text.length]);
  assert.is(cksumCrc(Buffer.concat([text, lengthBytes])), Number(out[0]));
  assert.is(digest('crc', '', text), cksumCrc(text).toString(16));
});

test('sha1 and md5 are HMACs keyed with the key text; sha256 likewise', () => {
  // RFC 2202 test case 2 (HMAC-MD5 and HMAC-SHA1 with key "Jefe").
  const data = Buffer.from('what do ya want for nothing?');
  assert.is(digest('md5', 'Jefe', data), '750c783e6ab0b503eaa86e310a5db738');
  assert.is(digest('sha1', 'Jefe', data), 'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79');
  // RFC 4231 test case 2.
  assert.is(digest('sha256', 'Jefe', data), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
});

test('every message kind round-trips through a signed classic frame with every auth method', () => {
  for (const method of METHODS) {
    const auth = authWith(3, key(3, method));
    for (const message of MESSAGES) {
      const frame = encodeFrame(messageToFields(message, envelope), auth);
      assert.ok(frame.subarray(0, 4).equals(Buffer.from('>>>\n')));
      assert.ok(frame.includes(Buffer.from('\n<<<\n\0')), 'ends like Heartbeat: <<< line and a NUL');
      const r = decodeFrame(frame, auth);
      assert.ok(r.ok, `${method} ${message.kind}`);
      if (!r.ok) continue;
      assert.is(r.format, 'classic');
      assert.equal(fieldsToMessage(textFields(r.fields)), { ok: true, message, src: 'node-a', dest: 'node-b' });
    }
  }
});

test('the classic frame is readable text with the auth field last', () => {
  const frame = encodeFrame([['t', 'status'], ['src', 'node-a']], authWith(1, key(1, 'sha1', 'k')));
  const lines = frame.toString().split('\n');
  assert.equal(lines.slice(0, 3), ['>>>', 't=status', 'src=node-a']);
  assert.match(lines[3]!, /^auth=1 [0-9a-f]{40}$/);
  assert.equal(lines.slice(4), ['<<<', '\0']);
});

test('keys rotate: every listed key is accepted, the auth N key signs', () => {
  const oldKey = key(1, 'md5', 'old');
  const newKey = key(2, 'sha256', 'new');
  const sender = authWith(1, oldKey, newKey);
  const receiver = authWith(2, newKey, oldKey);
  const frame = encodeFrame([['t', 'status']], sender);
  assert.match(frame.toString(), /auth=1 /);
  assert.ok(decodeFrame(frame, receiver).ok);
  assert.ok(decodeFrame(encodeFrame([['t', 'status']], receiver), sender).ok);
  const r = decodeFrame(frame, authWith(2, newKey));
  assert.equal(r.ok ? 'ok' : r.reason, 'unknown-key');
});

const AUTH = authWith(1, key(1, 'sha256', 'k'));
const GOOD = encodeFrame([['t', 'status'], ['src', 'node-a'], ['seq', '1']], AUTH);
const text = GOOD.toString('latin1');
const frameOf = (s: string) => Buffer.from(s, 'latin1');

test('each reason to drop a frame', () => {
  const cases: [string, Buffer, string][] = [
    ['too long', Buffer.concat([GOOD, Buffer.alloc(17 * 1024, 0x41)]), 'too-long'],
    ['no terminator', frameOf(text.replace('<<<\n', '')), 'no-terminator'],
    ['neither >>> nor ###', frameOf(`xx${text}`), 'bad-framing'],
    ['a line without =', frameOf(text.replace('src=node-a', 'srcnode-a')), 'bad-field'],
    ['a field repeated', frameOf(text.replace('src=node-a\n', 'src=node-a\nsrc=node-a\n')), 'bad-field'],
    ['a bad field name', frameOf(text.replace('src=', 's rc=')), 'bad-field'],
    ['no auth field', frameOf(text.replace(/auth=[^\n]*\n/, '')), 'no-auth'],
    ['an unlisted key', frameOf(text.replace('auth=1 ', 'auth=9 ')), 'unknown-key'],
    ['a changed value', frameOf(text.replace('seq=1', 'seq=2')), 'bad-auth'],
    ['a malformed auth value', frameOf(text.replace('auth=1 ', 'auth=1x')), 'bad-auth'],
    ['a netstring cut short', capturedFrames()[0]!.payload.subarray(0, 100), 'no-terminator'],
    ['a netstring with a broken length', frameOf(capturedFrames()[0]!.payload.toString('latin1').replace('11:(0)t=status', '12:(0)t=status')), 'bad-framing'],
    ['a netstring with a nested type', frameOf(capturedFrames()[0]!.payload.toString('latin1').replace('11:(0)t=status', '11:(2)t=status')), 'bad-field'],
    ['a netstring with the outer digest changed', frameOf(capturedFrames()[0]!.payload.toString('latin1').replace(/34:1 ./, '34:1 x')), 'bad-auth'],
    ['empty', Buffer.alloc(0), 'bad-framing'],
  ];
  for (const [what, frame, reason] of cases) {
    const r = decodeFrame(frame, what.includes('netstring') ? LAB_AUTH : AUTH);
    assert.is(r.ok ? 'ok' : r.reason, reason, what);
    if (!r.ok) assert.ok(r.detail.length > 0, `${what} has a detail`);
  }
});

test('a trailing NUL or line end after the frame is accepted, as datagrams carry it', () => {
  assert.ok(decodeFrame(frameOf(text.replace(/\0$/, '')), AUTH).ok);
  assert.ok(decodeFrame(frameOf(`${text}\n`), AUTH).ok);
});

test.run();
