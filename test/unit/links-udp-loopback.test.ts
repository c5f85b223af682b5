// The UDP driver on real sockets: two nodes on one host, 127.0.0.1 and 127.0.0.2 on the same
// port (as two appliances share udpport), exchange frames on their ucast path; a datagram from
// any other address is dropped and counted; a failing send is counted and logged once, then
// once more when it works again.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSocket } from 'node:dgram';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { InterfaceTable } from '../../src/links/interfaces';
import type { Link } from '../../src/links/link';
import { UdpLink, type UcastPath } from '../../src/links/udp';
import { eventually, RecordingLog } from '../helpers/link-log';
import { freeUdpPort } from '../helpers/udp-port';

const source = { file: 'ha.cf', line: 1 };
const ucast = (peerAddress: string, port: number, iface = 'lo'): UcastPath => ({
  kind: 'ucast',
  id: `ucast ${iface} ${peerAddress}`,
  name: iface,
  iface,
  peerAddress,
  port,
  source,
});

interface Arrival {
  text: string;
  path: string;
  at: number;
}

const links: Link[] = [];
function track<T extends Link>(link: T): T {
  links.push(link);
  return link;
}
test.after.each(async () => {
  await Promise.all(links.splice(0).map((l) => l.stop()));
});

test('a frame sent just before stop() still leaves: stop waits for the sends it was handed (the last one is the shutdown notice)', async () => {
  const port = await freeUdpPort();
  const log = new RecordingLog();
  const a = new UdpLink({ family: 4, port, bindAddress: '127.0.0.1', paths: [ucast('127.0.0.2', port)], log });
  const b = track(new UdpLink({ family: 4, port, bindAddress: '127.0.0.2', paths: [ucast('127.0.0.1', port)], log }));
  const atB: string[] = [];
  await a.start(() => {});
  await b.start((frame) => atB.push(frame.toString()));
  // As the agent does on exit: the send and the stop in the same run of microtasks, before
  // Node's own deferred send has run. Without the wait, the datagram is dropped silently.
  await Promise.resolve().then(async () => {
    a.send(Buffer.from('last words'), 'ucast lo 127.0.0.2');
    await a.stop();
  });
  assert.ok(await eventually(() => atB.length === 1), 'the frame arrived');
  assert.equal(atB, ['last words']);
  assert.is(a.counters()['frames-sent'], 1);
});

test('two nodes on loopback exchange frames on their ucast path, with the receive time', async () => {
  const port = await freeUdpPort();
  const log = new RecordingLog();
  const a = track(new UdpLink({ family: 4, port, bindAddress: '127.0.0.1', paths: [ucast('127.0.0.2', port)], log, now: () => 42 }));
  const b = track(new UdpLink({ family: 4, port, bindAddress: '127.0.0.2', paths: [ucast('127.0.0.1', port)], log }));
  const atA: Arrival[] = [];
  const atB: Arrival[] = [];
  await a.start((frame, path, at) => atA.push({ text: frame.toString(), path, at }));
  await b.start((frame, path, at) => atB.push({ text: frame.toString(), path, at }));
  a.send(Buffer.from('>>>\nt=status\n<<<\n'), 'ucast lo 127.0.0.2');
  b.send(Buffer.from('from b'), 'ucast lo 127.0.0.1');
  assert.ok(await eventually(() => atA.length === 1 && atB.length === 1), 'both frames arrived');
  assert.equal(atB[0]?.text, '>>>\nt=status\n<<<\n');
  assert.is(atB[0]?.path, 'ucast lo 127.0.0.1');
  assert.equal(atA[0], { text: 'from b', path: 'ucast lo 127.0.0.2', at: 42 });
  assert.ok(await eventually(() => a.counters()['frames-sent'] === 1));
  assert.is(a.counters()['bytes-sent'], 17);
  assert.is(a.counters()['ucast lo 127.0.0.2 frames-sent'], 1);
  assert.is(b.counters()['frames-received'], 1);
  assert.is(b.counters()['bytes-received'], 17);
  assert.equal(log.lines, [], 'nothing to say when all is well');
});

test('a datagram from an address of no path is dropped and counted; ours is counted as own', async () => {
  const port = await freeUdpPort();
  const b = track(new UdpLink({ family: 4, port, bindAddress: '127.0.0.2', paths: [ucast('127.0.0.9', port)], log: new RecordingLog() }));
  const got: string[] = [];
  await b.start((frame) => got.push(frame.toString()));
  const stranger = createSocket('udp4');
  try {
    // 127.0.0.3 is on no interface's list (lo lists 127.0.0.1 only) and is not the peer.
    await new Promise<void>((resolve) => stranger.bind(0, '127.0.0.3', resolve));
    stranger.send('forged', port, '127.0.0.2');
    assert.ok(await eventually(() => b.counters()['dropped-unknown-source'] === 1), 'counted as unknown');
    // 127.0.0.1 is this host's own address and not the peer: our own echo.
    const own = createSocket('udp4');
    await new Promise<void>((resolve) => own.bind(0, '127.0.0.1', resolve));
    own.send('echo', port, '127.0.0.2');
    assert.ok(await eventually(() => b.counters()['own'] === 1), 'counted as own');
    own.close();
  } finally {
    stranger.close();
  }
  assert.equal(got, []);
  assert.is(b.counters()['frames-received'], undefined);
});

test('a path whose interface is missing fails to send, logged once; when it appears, sending again, logged once', async () => {
  const port = await freeUdpPort();
  const log = new RecordingLog();
  // The host's real table, with `lo` hidden until the test lets it appear.
  let loPresent = false;
  const interfaces = new InterfaceTable(() => {
    const all = networkInterfaces();
    return loPresent ? all : { ...all, lo: undefined as unknown as NetworkInterfaceInfo[] };
  }, Date.now, 0);
  const a = track(new UdpLink({ family: 4, port, bindAddress: '127.0.0.1', paths: [ucast('127.0.0.2', port)], log, interfaces }));
  const b = track(new UdpLink({ family: 4, port, bindAddress: '127.0.0.2', paths: [ucast('127.0.0.1', port)], log: new RecordingLog() }));
  const got: string[] = [];
  await a.start(() => {});
  await b.start((frame) => got.push(frame.toString()));
  for (let i = 0; i < 5; i++) assert.not.throws(() => a.send(Buffer.from(`lost ${i}`), 'ucast lo 127.0.0.2'));
  assert.is(a.counters()['send-failed'], 5);
  assert.equal(log.lines, ['warn: ucast lo 127.0.0.2: send failed: lo is down or has no IPv4 address']);
  loPresent = true;
  for (let i = 0; i < 3; i++) a.send(Buffer.from(`frame ${i}`), 'ucast lo 127.0.0.2');
  assert.ok(await eventually(() => got.length === 3));
  assert.equal(got, ['frame 0', 'frame 1', 'frame 2']);
  assert.equal(log.lines, ['warn: ucast lo 127.0.0.2: send failed: lo is down or has no IPv4 address', 'info: ucast lo 127.0.0.2: sending again']);
});

test('a kernel send error (no route) is counted and logged once per change, never thrown', async () => {
  const port = await freeUdpPort();
  const log = new RecordingLog();
  // 192.0.2.1 is a documentation address; bound to 127.0.0.1 the socket cannot reach it
  // (EINVAL or ENETUNREACH, by kernel), which is exactly the kind of failure to report.
  const a = track(new UdpLink({ family: 4, port, bindAddress: '127.0.0.1', paths: [ucast('192.0.2.1', port)], log }));
  await a.start(() => {});
  for (let i = 0; i < 4; i++) assert.not.throws(() => a.send(Buffer.from('x'), 'ucast lo 192.0.2.1'));
  assert.ok(await eventually(() => a.counters()['send-failed'] === 4), JSON.stringify(a.counters()));
  assert.is(log.lines.length, 1, log.lines.join('\n'));
  assert.match(log.lines[0]!, /^warn: ucast lo 192\.0\.2\.1: send failed: E[A-Z]+$/);
});

test('a port that cannot be bound is logged once and tried again until it can', async () => {
  const port = await freeUdpPort();
  const log = new RecordingLog();
  // Taken without SO_REUSEADDR, so the link's bind fails with EADDRINUSE until it is released.
  const squatter = createSocket({ type: 'udp4', reuseAddr: false });
  await new Promise<void>((resolve) => squatter.bind(port, '127.0.0.1', resolve));
  const a = track(new UdpLink({ family: 4, port, bindAddress: '127.0.0.1', paths: [ucast('127.0.0.2', port)], log, backoff: { firstMs: 20, maxMs: 40 } }));
  await a.start(() => {});
  assert.equal(log.lines, [`warn: udp port ${port}: open failed: EADDRINUSE`]);
  a.send(Buffer.from('x'), 'ucast lo 127.0.0.2');
  assert.match(log.lines[1] ?? '', /send failed: socket not open/);
  await new Promise((r) => setTimeout(r, 100));
  assert.is(log.lines.length, 2, 'retries do not log again');
  await new Promise<void>((resolve) => squatter.close(() => resolve()));
  assert.ok(await eventually(() => log.lines.includes(`info: udp port ${port}: open again`)));
  assert.is(a.counters()['reopened'], 1);
});

test.run();
