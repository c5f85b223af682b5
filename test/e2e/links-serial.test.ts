// The serial driver over a socat pty pair standing in for the null-modem cable: frames both
// ways, line noise between frames skipped, and the cable pulled out (socat killed) and plugged
// back (socat started again with the same link names): each link logs the loss once, reopens
// the device by itself, logs that it is back, and delivers again. A read of a hung-up device
// fails rather than reading 0 bytes forever (the race that left one end of a cut cable silent).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { SerialLink, type SerialPath } from '../../src/links/serial';
import { DeviceHungUp, readUntilHangUp } from '../../src/links/serial-hangup';
import { LineFrameSplitter } from '../helpers/line-frame-splitter';
import { eventually, RecordingLog } from '../helpers/link-log';
import { SerialCable } from '../helpers/serial-cable';
import { skipWithReason } from '../helpers/skip';

const unavailable = spawnSync('sh', ['-c', 'command -v socat']).status === 0 ? undefined : 'needs socat (apt-get install socat)';

const serialPath = (device: string): SerialPath => ({ kind: 'serial', id: `serial ${device}`, name: device, device, baud: 19200, source: { file: 'ha.cf', line: 1 } });
const frame = (text: string) => Buffer.from(`>>>\n${text}\n<<<\n`);

interface End {
  link: SerialLink;
  log: RecordingLog;
  got: string[];
}

if (unavailable) {
  skipWithReason(test, `serial links over a pty pair: ${unavailable}`);
} else {
  const cable = new SerialCable();
  const ends: End[] = [];
  const endOn = async (device: string): Promise<End> => {
    const log = new RecordingLog();
    const link = new SerialLink({ path: serialPath(device), splitter: () => new LineFrameSplitter(), log, backoff: { firstMs: 50, maxMs: 200 } });
    const end: End = { link, log, got: [] };
    ends.push(end);
    await link.start((bytes, path) => end.got.push(`${path}: ${bytes.toString().split('\n')[1]}`));
    return end;
  };

  test.before(async () => {
    await cable.plug();
  });
  test.after.each(async () => {
    await Promise.all(ends.splice(0).map((e) => e.link.stop()));
  });
  test.after(() => cable.cut());

  test('frames cross the cable both ways, in order, each named after its device', async () => {
    const a = await endOn(cable.endA);
    const b = await endOn(cable.endB);
    // 12 at once: within the default queue of 16, so none is dropped.
    for (let i = 0; i < 12; i++) a.link.send(frame(`a${i}`), `serial ${cable.endA}`);
    for (let i = 0; i < 12; i++) b.link.send(frame(`b${i}`), `serial ${cable.endB}`);
    assert.ok(await eventually(() => a.got.length === 12 && b.got.length === 12), `a got ${a.got.length}, b got ${b.got.length}`);
    assert.equal(b.got, Array.from({ length: 12 }, (_, i) => `serial ${cable.endB}: a${i}`));
    assert.equal(a.got, Array.from({ length: 12 }, (_, i) => `serial ${cable.endA}: b${i}`));
    assert.is(a.link.counters()['frames-sent'], 12);
    assert.is(b.link.counters()['frames-received'], 12);
    assert.is(a.link.counters()['dropped-queue-full'], undefined);
    assert.equal([...a.log.lines, ...b.log.lines], []);
  });

  test('line noise between frames and a frame split across writes are handled', async () => {
    const a = await endOn(cable.endA);
    // The other end written by hand, as a noisy line would deliver it.
    const fd = openSync(cable.endB, 'r+');
    try {
      const noise = Buffer.from([0x00, 0xff, 0x13, 0x11, 0x3e, 0x3e, 0x0a, 0x7f]); // includes a `>>` that is not a frame start
      writeSync(fd, Buffer.concat([noise, frame('one'), noise, Buffer.from('garbage\n'), frame('two')]));
      const third = frame('three');
      writeSync(fd, third.subarray(0, 5));
      await new Promise((r) => setTimeout(r, 50));
      writeSync(fd, Buffer.concat([third.subarray(5), noise]));
      assert.ok(await eventually(() => a.got.length === 3), a.got.join(','));
      assert.equal(a.got, ['one', 'two', 'three'].map((t) => `serial ${cable.endA}: ${t}`));
      assert.ok(await eventually(() => (a.link.counters()['splitter noise-bytes'] ?? 0) >= 2 * noise.length + 8), JSON.stringify(a.link.counters()));
    } finally {
      closeSync(fd);
    }
  });

  test('cable pulled and plugged back: loss logged once, reopened by itself, frames flow again', async () => {
    const a = await endOn(cable.endA);
    const b = await endOn(cable.endB);
    a.link.send(frame('before'), `serial ${cable.endA}`);
    assert.ok(await eventually(() => b.got.length === 1));
    cable.cut();
    assert.ok(await eventually(() => a.log.lines.length === 1 && b.log.lines.length === 1), [...a.log.lines, ...b.log.lines].join('\n'));
    assert.match(a.log.lines[0]!, new RegExp(`^warn: serial ${cable.endA}: port lost: .+; retrying$`), a.log.lines[0]);
    // Frames sent while the cable is out fail and are counted, without throwing or queueing.
    for (let i = 0; i < 3; i++) assert.not.throws(() => a.link.send(frame('lost'), `serial ${cable.endA}`));
    assert.ok((a.link.counters()['send-failed'] ?? 0) >= 3);
    // Several reopening attempts fail (the device is gone) and none of them logs.
    await new Promise((r) => setTimeout(r, 400));
    assert.is(a.log.lines.length, 1, a.log.lines.join('\n'));
    assert.ok((a.link.counters()['open-failed'] ?? 0) >= 2, JSON.stringify(a.link.counters()));
    await cable.plug();
    assert.ok(await eventually(() => a.log.lines.length === 2 && b.log.lines.length === 2), [...a.log.lines, ...b.log.lines].join('\n'));
    assert.is(a.log.lines[1], `info: serial ${cable.endA}: open again`);
    assert.is(b.log.lines[1], `info: serial ${cable.endB}: open again`);
    a.link.send(frame('after a'), `serial ${cable.endA}`);
    b.link.send(frame('after b'), `serial ${cable.endB}`);
    assert.ok(await eventually(() => b.got.length === 2 && a.got.length === 1), `a ${a.got}, b ${b.got}`);
    assert.is(b.got[1], `serial ${cable.endB}: after a`);
    assert.is(a.got[0], `serial ${cable.endA}: after b`);
    assert.is(a.link.counters()['reopened'], 1);
  });

  test('a port nobody drains never grows: the queue keeps the newest frames and counts the rest', async () => {
    // Only one end open: the pty's buffer fills, writes stall, the bounded queue drops the oldest.
    await cable.plug(); // (again, if an earlier test failed with the cable out)
    const a = await endOn(cable.endA);
    const big = frame('x'.repeat(4000));
    for (let batch = 0; batch < 20; batch++) {
      for (let i = 0; i < 10; i++) a.link.send(big, `serial ${cable.endA}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const counters = a.link.counters();
    const sent = counters['frames-sent'] ?? 0;
    const dropped = counters['dropped-queue-full'] ?? 0;
    assert.ok(sent < 150, `the writes stalled (${sent} frames sent)`);
    // Every frame is sent, dropped, or among the (at most 16 + 1 in flight) still waiting.
    assert.ok(sent + dropped >= 200 - 17, JSON.stringify(counters));
    assert.ok(dropped > 0);
  });

  test('a read of a device that has hung up fails at once instead of reading 0 bytes forever', async () => {
    await cable.plug();
    const fd = openSync(cable.endB, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
    try {
      cable.cut();
      // Let the kernel finish hanging the tty up: from then on every read returns 0 bytes, the
      // state bindings-cpp 13's own read loops on.
      await new Promise((r) => setTimeout(r, 200));
      let polled = 0;
      const port = { fd, isOpen: true, poller: { once: () => polled++ }, write: async () => {}, close: async () => {} };
      const outcome = await Promise.race([
        readUntilHangUp(port, Buffer.alloc(64), 0, 64).then(() => 'read', (err: unknown) => err),
        new Promise((r) => setTimeout(() => r('still reading'), 2_000)),
      ]);
      assert.instance(outcome, DeviceHungUp);
      assert.is(polled, 0);
    } finally {
      closeSync(fd);
    }
  });
}

test.run();
