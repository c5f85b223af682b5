// The serial read that replaces bindings-cpp's (src/links/serial-hangup.ts): it waits on the
// poller while there is nothing to read, fails on a hang-up (0 bytes), and never asks a closed
// port's poller to poll (the native poller is gone then: that crashed the agent at SIGTERM).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { closeSync, constants, mkdtempSync, openSync, writeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceHungUp, readUntilHangUp, type PolledPort } from '../../src/links/serial-hangup';

const failure = (p: Promise<unknown>) => p.then(() => undefined, (err: unknown) => err);

/** A FIFO with a writer and nothing in it: a non-blocking read says EAGAIN, as an idle port does. */
function idleLine(): { read: number; write: number } {
  const fifo = join(mkdtempSync(join(tmpdir(), 'twinbeat-serial-')), 'line');
  spawnSync('mkfifo', [fifo]);
  const read = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const write = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  return { read, write };
}

test('a hang-up (reads of 0 bytes) fails the read instead of reading again forever', async () => {
  const fd = openSync('/dev/null', 'r');
  try {
    let polls = 0;
    const port: PolledPort = { isOpen: true, fd, poller: { once: () => polls++ } };
    assert.instance(await failure(readUntilHangUp(port, Buffer.alloc(8), 0, 8)), DeviceHungUp);
    assert.is(polls, 0);
  } finally {
    closeSync(fd);
  }
});

test('a port closed while its read was out is not polled (its native poller is gone)', async () => {
  const line = idleLine();
  try {
    let checks = 0;
    let polls = 0;
    // Open when the read starts, closed (stop(), a lost port) by the time it comes back empty.
    const port: PolledPort = { get isOpen() { return checks++ === 0; }, fd: line.read, poller: { once: () => polls++ } };
    const err = await failure(readUntilHangUp(port, Buffer.alloc(8), 0, 8));
    assert.match(String(err), /port is not open/);
    assert.is(polls, 0);
  } finally {
    closeSync(line.read);
    closeSync(line.write);
  }
});

test('an idle open port waits on its poller, then returns the bytes that came', async () => {
  const line = idleLine();
  try {
    let polls = 0;
    const port: PolledPort = {
      isOpen: true,
      fd: line.read,
      poller: {
        once: (_event, callback) => {
          polls++;
          writeSync(line.write, 'hello');
          setImmediate(() => callback(null));
        },
      },
    };
    const buffer = Buffer.alloc(8);
    const { bytesRead } = await readUntilHangUp(port, buffer, 0, 8);
    assert.is(buffer.subarray(0, bytesRead).toString(), 'hello');
    assert.is(polls, 1);
  } finally {
    closeSync(line.read);
    closeSync(line.write);
  }
});

test.run();
