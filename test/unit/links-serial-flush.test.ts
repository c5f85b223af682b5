// The serial driver's stop() lets the frames already queued go out before it closes the port
// (the last of them is the shutdown notice), and never waits longer than FLUSH_LIMIT_MS for a
// port that does not drain. A fake binding stands in for @serialport/bindings-cpp.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FLUSH_LIMIT_MS } from '../../src/links/pending-sends';
import { SerialLink, type SerialBinding, type SerialPortHandle } from '../../src/links/serial';
import { createFrameSplitter } from '../../src/wire';
import { RecordingLog } from '../helpers/link-log';

const path = { kind: 'serial' as const, id: 'serial /dev/ttyFAKE', name: '/dev/ttyFAKE', device: '/dev/ttyFAKE', baud: 19200, source: { file: 'ha.cf', line: 1 } };

/** A port whose writes take `writeMs` each (forever when undefined) and whose reads wait for close. */
function fakePort(writeMs: number | undefined) {
  const written: string[] = [];
  const events: string[] = [];
  let open = true;
  let wakeReader: (() => void) | undefined;
  const port: SerialPortHandle = {
    get isOpen() {
      return open;
    },
    read: () => new Promise((resolve, reject) => (wakeReader = () => reject(new Error('closed')))),
    write: (buffer) =>
      new Promise<void>((resolve) => {
        if (writeMs === undefined) return;
        setTimeout(() => {
          written.push(buffer.toString());
          events.push(`wrote ${buffer.toString()}`);
          resolve();
        }, writeMs);
      }),
    close: async () => {
      open = false;
      events.push('closed');
      wakeReader?.();
    },
  };
  const binding: SerialBinding = { open: async () => port };
  return { binding, written, events };
}

test('frames queued before stop() are written before the port is closed', async () => {
  const fake = fakePort(20);
  const link = new SerialLink({ path, splitter: createFrameSplitter, log: new RecordingLog(), binding: fake.binding });
  await link.start(() => {});
  for (const text of ['one', 'two', 'shutdown']) link.send(Buffer.from(text), path.id);
  await link.stop();
  assert.equal(fake.events, ['wrote one', 'wrote two', 'wrote shutdown', 'closed']);
  assert.is(link.counters()['frames-sent'], 3);
});

test('a port that never drains holds stop() for FLUSH_LIMIT_MS at most', async () => {
  const fake = fakePort(undefined);
  const link = new SerialLink({ path, splitter: createFrameSplitter, log: new RecordingLog(), binding: fake.binding });
  await link.start(() => {});
  link.send(Buffer.from('stuck'), path.id);
  const started = performance.now();
  await link.stop();
  const took = performance.now() - started;
  assert.ok(took >= FLUSH_LIMIT_MS - 5 && took < FLUSH_LIMIT_MS + 300, `stop took ${took} ms`);
  assert.equal(fake.events, ['closed']);
});

test.run();
