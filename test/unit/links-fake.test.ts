// The in-memory link pair: frames cross both ways on the path they were sent on, later than
// send(); cut, heal, drop and duplicate do exactly what they say, per path and direction.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeLinkPair } from '../../src/links/fake';

interface Arrival {
  text: string;
  path: string;
  at: number;
}

/** A pair whose deliveries wait in a queue the test flushes, and a fixed clock. */
function setup(paths = ['ucast eth1 198.51.100.2', 'serial /dev/ttyS1']) {
  const queue: Array<() => void> = [];
  const pair = new FakeLinkPair({ paths, now: () => 1234, schedule: (d) => queue.push(d) });
  const got: Record<'a' | 'b', Arrival[]> = { a: [], b: [] };
  const flush = () => {
    for (let i = 0; i < 1000 && queue.length > 0; i++) queue.shift()!();
  };
  const start = async () => {
    await pair.a.start((frame, path, at) => got.a.push({ text: frame.toString(), path, at }));
    await pair.b.start((frame, path, at) => got.b.push({ text: frame.toString(), path, at }));
  };
  return { pair, got, flush, start, queue };
}

test('frames cross both ways with their path and the receiver clock, never inside send()', async () => {
  const { pair, got, flush, start } = setup();
  await start();
  pair.a.send(Buffer.from('one'), 'ucast eth1 198.51.100.2');
  pair.b.send(Buffer.from('two'), 'serial /dev/ttyS1');
  assert.equal(got.b, [], 'nothing delivered synchronously');
  flush();
  assert.equal(got.b, [{ text: 'one', path: 'ucast eth1 198.51.100.2', at: 1234 }]);
  assert.equal(got.a, [{ text: 'two', path: 'serial /dev/ttyS1', at: 1234 }]);
  assert.equal(pair.a.counters(), { 'frames-sent': 1, 'bytes-sent': 3, 'frames-received': 1, 'bytes-received': 3 });
});

test('the receiver gets its own copy: the sender reusing its buffer changes nothing', async () => {
  const { pair, got, flush, start } = setup();
  await start();
  const buffer = Buffer.from('abc');
  pair.a.send(buffer, 'serial /dev/ttyS1');
  buffer.write('xyz');
  flush();
  assert.is(got.b[0]?.text, 'abc');
});

test('a cut path loses frames (also those in flight) until healed; other paths carry on', async () => {
  const { pair, got, flush, start } = setup();
  await start();
  pair.a.send(Buffer.from('in flight'), 'ucast eth1 198.51.100.2');
  pair.cut('ucast eth1 198.51.100.2');
  pair.a.send(Buffer.from('lost'), 'ucast eth1 198.51.100.2');
  pair.a.send(Buffer.from('serial ok'), 'serial /dev/ttyS1');
  flush();
  assert.equal(got.b.map((x) => x.text), ['serial ok']);
  assert.is(pair.b.counters()['dropped-cut'], 2);
  pair.heal('ucast eth1 198.51.100.2');
  pair.a.send(Buffer.from('back'), 'ucast eth1 198.51.100.2');
  flush();
  assert.equal(got.b.map((x) => x.text), ['serial ok', 'back']);
});

test('a one-way cut: a hears b while b does not hear a', async () => {
  const { pair, got, flush, start } = setup(['bcast eth0']);
  await start();
  pair.cut('bcast eth0', 'a-to-b');
  pair.a.send(Buffer.from('from a'), 'bcast eth0');
  pair.b.send(Buffer.from('from b'), 'bcast eth0');
  flush();
  assert.equal(got.b, []);
  assert.equal(got.a.map((x) => x.text), ['from b']);
});

test('drop loses exactly the next N frames in that direction; duplicate delivers the next N twice', async () => {
  const { pair, got, flush, start } = setup(['bcast eth0']);
  await start();
  pair.drop('bcast eth0', 2, 'a-to-b');
  pair.duplicate('bcast eth0', 1);
  for (const text of ['1', '2', '3', '4']) pair.a.send(Buffer.from(text), 'bcast eth0');
  pair.b.send(Buffer.from('x'), 'bcast eth0');
  pair.b.send(Buffer.from('y'), 'bcast eth0');
  flush();
  assert.equal(got.b.map((x) => x.text), ['3', '3', '4']);
  assert.equal(got.a.map((x) => x.text), ['x', 'x', 'y']);
  assert.is(pair.b.counters()['dropped-fault'], 2);
});

test('a frame for a path the link does not carry is counted, not delivered; unknown paths in faults throw', async () => {
  const { pair, got, flush, start } = setup(['bcast eth0']);
  await start();
  pair.a.send(Buffer.from('?'), 'bcast eth9');
  flush();
  assert.equal(got.b, []);
  assert.is(pair.a.counters()['dropped-unknown-path'], 1);
  assert.throws(() => pair.cut('bcast eth9'), /no path bcast eth9/);
});

test('a stopped receiver gets nothing; the default schedule delivers later by itself', async () => {
  const pair = new FakeLinkPair({ paths: ['p'] });
  const got: string[] = [];
  await pair.a.start(() => {});
  await pair.b.start((frame) => got.push(frame.toString()));
  pair.a.send(Buffer.from('hello'), 'p');
  await new Promise((r) => setImmediate(r));
  assert.equal(got, ['hello']);
  await pair.b.stop();
  pair.a.send(Buffer.from('unheard'), 'p');
  await new Promise((r) => setImmediate(r));
  assert.equal(got, ['hello']);
  assert.is(pair.b.counters()['dropped-not-started'], 1);
});

test.run();
