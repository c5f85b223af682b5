// The small parts the drivers share: the once-per-change log, the back-off, the bounded queue.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Backoff } from '../../src/backoff';
import { ConditionLog, reasonOf } from '../../src/links/condition-log';
import { BoundedFrameQueue } from '../../src/links/write-queue';
import { RecordingLog } from '../helpers/link-log';

test('a failure is one warning however long it lasts; a new reason meanwhile is debug; recovery is one info', () => {
  const log = new RecordingLog();
  const c = new ConditionLog(log, 'ucast eth1 198.51.100.2', 'send', 'sending again');
  c.ok();
  assert.is(c.failed('ENETUNREACH'), true);
  for (let i = 0; i < 100; i++) assert.is(c.failed('ENETUNREACH'), false);
  c.failed('eth1 is down or has no IPv4 address');
  assert.is(c.failure, 'eth1 is down or has no IPv4 address');
  c.ok();
  c.ok();
  assert.equal(log.lines, [
    'warn: ucast eth1 198.51.100.2: send failed: ENETUNREACH',
    'debug: ucast eth1 198.51.100.2: send still failing: eth1 is down or has no IPv4 address',
    'info: ucast eth1 198.51.100.2: sending again',
  ]);
  assert.is(reasonOf(Object.assign(new Error('x'), { code: 'EADDRNOTAVAIL' })), 'EADDRNOTAVAIL');
  assert.is(reasonOf(new Error('bad file descriptor')), 'bad file descriptor');
});

test('back-off doubles to its ceiling and starts over after a success', () => {
  const b = new Backoff({ firstMs: 250, maxMs: 5_000 });
  assert.equal(Array.from({ length: 8 }, () => b.next()), [250, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
  b.reset();
  assert.is(b.next(), 250);
});

test('the queue keeps order, holds at most its limit and gives back the oldest it dropped', () => {
  const q = new BoundedFrameQueue(3);
  const dropped = ['1', '2', '3', '4', '5'].map((t) => q.push(Buffer.from(t))?.toString());
  assert.equal(dropped, [undefined, undefined, undefined, '1', '2']);
  assert.is(q.length, 3);
  assert.equal([q.shift(), q.shift()].map(String), ['3', '4']);
  assert.is(q.clear(), 1);
  assert.is(q.shift(), undefined);
});

test.run();
