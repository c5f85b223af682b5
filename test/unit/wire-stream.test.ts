import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createFrameSplitter, decodeFrame, encodeFrame, MAX_FRAME_BYTES, ReplayGuard } from '../../src/wire';
import { REMEMBERED_RUNS, REPLAY_WINDOW } from '../../src/wire/replay';
import { LAB_AUTH, authWith, capturedFrames, key } from '../helpers/wire-fixtures';

const AUTH = authWith(1, key(1, 'md5', 'k'));
const frame = (seq: number) => encodeFrame([['t', 'status'], ['seq', seq.toString(16)]], AUTH);

test('replay: a sequence number is taken once per path, and each path has its own copy', () => {
  const guard = new ReplayGuard();
  assert.is(guard.check('node-b', 'eth1', 5, 1), 'ok');
  assert.is(guard.check('node-b', 'eth1', 5, 1), 'replay');
  assert.is(guard.check('node-b', '/dev/ttyS1', 5, 1), 'ok', 'the same frame on the serial path');
  assert.is(guard.check('node-b', 'eth1', 5, 3), 'ok');
  assert.is(guard.check('node-b', 'eth1', 5, 2), 'ok', 'out of order inside the window');
  assert.is(guard.check('node-b', 'eth1', 5, 2), 'replay');
});

test('replay: older than the window is refused; runs are not ordered; a few runs are remembered', () => {
  const guard = new ReplayGuard();
  assert.is(guard.check('node-b', 'eth1', 5, 1000), 'ok');
  assert.is(guard.check('node-b', 'eth1', 5, 1000 - REPLAY_WINDOW), 'replay');
  assert.is(guard.check('node-b', 'eth1', 5, 1000 - REPLAY_WINDOW + 1), 'ok');
  // A newer run may have a lower number (a swapped unit): whether it counts is the core's call.
  assert.is(guard.check('node-b', 'eth1', 4, 1), 'ok', 'another run starts at seq 1');
  assert.is(guard.check('node-b', 'eth1', 4, 1), 'replay');
  assert.is(guard.check('node-b', 'eth1', 5, 1000), 'replay', 'the earlier run is still remembered');
  for (let run = 100; run < 100 + REMEMBERED_RUNS; run++) guard.check('node-b', 'eth1', run, 1);
  assert.is(guard.check('node-b', 'eth1', 4, 1), 'ok', 'forgotten after REMEMBERED_RUNS others (the core refuses retired runs itself)');
});

test('splitter: frames in one chunk, byte by byte, and with noise between them', () => {
  const frames = [frame(1), frame(2), capturedFrames()[0]!.payload, frame(3)];
  const noise = Buffer.from('\x07line noise <<< %%% 12:34,\r\n\xff\xfe');
  const stream = Buffer.concat(frames.flatMap((f) => [noise, f]));
  const whole = createFrameSplitter();
  const withoutNul = (f: Buffer) => f.toString('latin1').replace(/\0$/, '');
  assert.equal(whole.push(stream).map(withoutNul), frames.map(withoutNul));
  const bytewise = createFrameSplitter();
  const out: Buffer[] = [];
  for (const byte of stream) out.push(...bytewise.push(Buffer.from([byte])));
  assert.is(out.length, frames.length);
  for (const f of out) assert.ok(decodeFrame(f, f[0] === 0x23 ? LAB_AUTH : AUTH).ok);
  assert.ok(whole.counters()['noise-bytes']! >= noise.length * 3, 'noise is counted');
});

test('splitter: a frame cut short by a new frame start is dropped and the next one kept', () => {
  const cut = frame(1).subarray(0, 30);
  const s = createFrameSplitter();
  const out = s.push(Buffer.concat([cut, Buffer.from('\n'), frame(2)]));
  assert.is(out.length, 1);
  assert.ok(out[0]!.equals(frame(2).subarray(0, -1)), "the frame without its trailing NUL");
  assert.is(s.counters()['broken-frames'], 1);
});

test('splitter: a netstring frame is cut by its lengths, even with >>> inside a binary value', () => {
  const captured = capturedFrames()[0]!.payload.toString('latin1');
  // Same length as the srcuuid, with a frame start inside: the splitter must not be fooled.
  const tricky = Buffer.from(captured.replace(/\(1\)srcuuid=[\s\S]{16},/, '(1)srcuuid=ab>>>\ncdefghijkl,'), 'latin1');
  const s = createFrameSplitter();
  const out = s.push(Buffer.concat([tricky, frame(9)]));
  assert.is(out.length, 2);
  assert.ok(out[0]!.equals(tricky));
});

test('splitter: an endless frame is dropped at the limit and never buffered past it', () => {
  const s = createFrameSplitter();
  s.push(Buffer.from('>>>\n'));
  for (let i = 0; i < 100; i++) s.push(Buffer.alloc(1024, 0x61));
  assert.ok(s.counters()['buffered-bytes']! <= MAX_FRAME_BYTES);
  assert.ok(s.counters()['too-long']! >= 1);
  assert.equal(s.push(frame(4)).length, 1, 'the next good frame gets through');
});

test.run();
