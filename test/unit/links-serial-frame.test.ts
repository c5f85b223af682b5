// What goes on the null-modem cable (issue 24): a classic frame without the NUL its UDP datagram
// ends with. Heartbeat 3.0.6's serial reader skips to a line that begins with `>>>`; with a NUL
// after each frame, the next frame's first line read `\0>>>` and Heartbeat heard at most one
// twinbeat frame on the cable (the e2e serial + UDP shape found it: the link came up in some runs only).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { asSerialFrame } from '../../src/links/serial';
import { createFrameSplitter, decodeFrame, encodeFrame } from '../../src/wire';
import { heartbeatToFields } from '../../src/wire/heartbeat-messages';
import { LAB_AUTH } from '../helpers/wire-fixtures';

const AUTH = LAB_AUTH;
const frame = (seq: number) => encodeFrame(heartbeatToFields({ generation: 7, seq, what: 'starting' }, { src: 'node-a', dest: 'node-b', unixSeconds: 0 }), AUTH);

/** Heartbeat's serial_read, in short: lines up to `>>>`, then lines up to `<<<`. */
function heartbeatReads(stream: string): number {
  let frames = 0;
  let inFrame = false;
  for (const line of stream.split('\n')) {
    if (!inFrame && line.startsWith('>>>')) inFrame = true;
    else if (inFrame && line.startsWith('<<<')) {
      inFrame = false;
      frames++;
    }
  }
  return frames;
}

test('the datagram ends with a NUL; the serial frame does not, and Heartbeat reads every one of three in a row', () => {
  const frames = [1, 2, 3].map(frame);
  assert.is(frames[0]![frames[0]!.length - 1], 0, 'a classic datagram ends with a NUL, as Heartbeat sends one');
  const withNul = Buffer.concat(frames).toString('latin1');
  assert.is(heartbeatReads(withNul), 1, 'with the NUL, only the first frame is read: why the cable shape was flaky');
  const onCable = Buffer.concat(frames.map(asSerialFrame));
  assert.ok(onCable.toString('latin1').endsWith('<<<\n'));
  assert.is(heartbeatReads(onCable.toString('latin1')), 3);
});

test('twinbeat own splitter still cuts and verifies every frame sent on the cable', () => {
  const splitter = createFrameSplitter();
  const out = splitter.push(Buffer.concat([1, 2, 3].map((seq) => asSerialFrame(frame(seq)))));
  assert.is(out.length, 3);
  for (const f of out) assert.ok(decodeFrame(f, AUTH).ok);
  assert.equal(asSerialFrame(Buffer.from('abc')), Buffer.from('abc'), 'a frame without a trailing NUL is sent as it is');
});

test.run();
