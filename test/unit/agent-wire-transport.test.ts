// The real transport over in-memory links: what reaches the core, and what is dropped and counted.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createWireTransport } from '../../src/agent/wire-transport';
import { planReload } from '../../src/agent/reload';
import type { Config } from '../../src/config';
import type { Message } from '../../src/core';
import { FakeLinkPair } from '../../src/links';
import { encodeFrame } from '../../src/wire';
import { messageToFields } from '../../src/wire/messages';
import { check } from '../helpers/config-dir';

const quiet = { log: () => {} };
const heartbeat = (seq: number, generation = 100): Message => ({
  kind: 'heartbeat', generation, seq, ackGeneration: 0, mode: 'active', held: [], granted: [], failed: [], epochs: {}, fenceInMs: -1,
});

async function configs(): Promise<[Config, Config]> {
  const alpha = (await check({}, { node: 'alpha' })).config!;
  const beta = (await check({}, { node: 'beta' })).config!;
  return [alpha, beta];
}

const tick = () => new Promise((r) => setImmediate(r));

test('messages cross every path, each copy delivered once per path; replays and strangers are counted', async () => {
  const [alpha, beta] = await configs();
  const paths = alpha.paths.map((p) => p.id);
  const pair = new FakeLinkPair({ paths });
  const a = createWireTransport(alpha, { logger: quiet, links: [pair.a] });
  const b = createWireTransport(beta, { logger: quiet, links: [pair.b] });
  const got: [string, Message][] = [];
  await a.start(() => {});
  await b.start((path, m) => got.push([path, m]));
  a.send(heartbeat(1));
  await tick();
  assert.equal(got.map(([p]) => p).sort(), [...paths].sort());
  assert.equal(got[0]![1], heartbeat(1));
  // A replayed copy of that frame on the first path, a frame from a stranger, one for another node.
  const frame = (src: string, dest: string, seq: number) =>
    encodeFrame(messageToFields(heartbeat(seq), { src, dest, unixSeconds: 0 }), alpha.auth);
  pair.a.send(frame('alpha', 'beta', 1), paths[0]!);
  pair.a.send(frame('mallory', 'beta', 2), paths[0]!);
  pair.a.send(frame('alpha', 'gamma', 3), paths[0]!);
  pair.a.send(Buffer.from('>>>\nt=status\n<<<\n'), paths[0]!);
  pair.a.send(frame('alpha', 'beta', 9), paths[0]!);
  await tick();
  assert.is(got.length, paths.length + 1, 'only the fresh frame got through');
  const c = b.counters();
  assert.is(c['dropped-replay'], 1);
  assert.is(c['dropped-unknown-node'], 1);
  assert.is(c['dropped-not-for-us'], 1);
  assert.is(c['dropped-no-auth'], 1);
  assert.is(c['messages-accepted'], paths.length + 1);
  await a.stop();
  await b.stop();
});

test('authkeys not copied to a new unit: said once, in words, in the log and as a problem for status', async () => {
  const [alpha, beta] = await configs();
  const paths = alpha.paths.map((p) => p.id);
  const pair = new FakeLinkPair({ paths });
  const lines: string[] = [];
  let now = 0;
  const b = createWireTransport(beta, { logger: { log: (level, text) => lines.push(`${level}: ${text}`) }, links: [pair.b], clock: () => now });
  await b.start(() => {});
  const otherKeys = { ...alpha.auth, keys: alpha.auth.keys.map((k) => ({ ...k, secret: 'not the same secret' })) };
  const wrong = (seq: number) => encodeFrame(messageToFields(heartbeat(seq), { src: 'alpha', dest: 'beta', unixSeconds: 0 }), otherKeys);
  for (let seq = 1; seq <= 5; seq++) pair.a.send(wrong(seq), paths[0]!);
  await tick();
  const said = lines.filter((l) => l.includes('do both nodes have the same authkeys?'));
  assert.is(said.length, 1, lines.join('\n'));
  assert.match(said[0]!, /^ERROR: frames from alpha on \S+ fail authentication \(bad-auth\): do both nodes have the same authkeys\? alpha is heard but not understood/);
  assert.is(b.problems?.().length, 1);
  assert.not.match(said[0]!, /not the same secret/);
  // A stranger's bad frame is only counted; and a minute without bad frames clears the problem.
  now = 61_000;
  assert.equal(b.problems?.(), []);
  await b.stop();
});

test('the same bytes again: taken as checked on another path, a replay on the same one, checked anew after new keys', async () => {
  const [alpha, beta] = await configs();
  const paths = alpha.paths.map((p) => p.id);
  const pair = new FakeLinkPair({ paths });
  const b = createWireTransport(beta, { logger: quiet, links: [pair.b] });
  const got: string[] = [];
  await b.start((path) => got.push(path));
  const bytes = encodeFrame(messageToFields(heartbeat(5), { src: 'alpha', dest: 'beta', unixSeconds: 0 }), alpha.auth);
  for (const path of paths) pair.a.send(bytes, path);
  pair.a.send(bytes, paths[0]!);
  await tick();
  assert.equal(got, paths, 'one delivery per path');
  assert.is(b.counters()['dropped-replay'], 1, 'the copy on a path that had it is a replay');
  const source = { file: 'authkeys', line: 2 };
  b.setAuth({ sendIndex: 2, keys: [{ index: 2, method: 'sha256', secret: 'rotated', source }] });
  pair.a.send(bytes, paths[1] ?? paths[0]!);
  await tick();
  assert.is(b.counters()['dropped-unknown-key'], 1, 'after new keys the same bytes are checked again, and refused');
  await b.stop();
});

test('new authkeys on SIGHUP: the old key is refused once both sides rotate; a listed old key still works', async () => {
  const [alpha, beta] = await configs();
  const pair = new FakeLinkPair({ paths: alpha.paths.map((p) => p.id) });
  const a = createWireTransport(alpha, { logger: quiet, links: [pair.a] });
  const b = createWireTransport(beta, { logger: quiet, links: [pair.b] });
  let delivered = 0;
  await a.start(() => {});
  await b.start(() => delivered++);
  const source = { file: 'authkeys', line: 2 };
  b.setAuth({ sendIndex: 2, keys: [{ index: 2, method: 'sha256', secret: 'rotated', source }] });
  a.send(heartbeat(1));
  await tick();
  assert.is(delivered, 0, 'key 1 is no longer listed on b');
  assert.ok((b.counters()['dropped-unknown-key'] ?? 0) > 0);
  a.setAuth({ sendIndex: 2, keys: [{ index: 2, method: 'sha256', secret: 'rotated', source }] });
  a.send(heartbeat(2));
  await tick();
  assert.is(delivered, alpha.paths.length);
});

test('SIGHUP plan: authkeys apply live, paths and timings are refused by name, moved lines are no change', async () => {
  const running = (await check({}, { node: 'alpha' })).config!;
  const same = (await check({ 'ha.cf': `# moved\n\n${(await import('../helpers/config-dir')).BASE_HA_CF}` }, { node: 'alpha' })).config!;
  assert.equal(planReload(running, same), { authChanged: false, refused: [] });
  const rotated = (await check({ authkeys: 'auth 2\n1 sha256 s3cret\n2 sha256 next\n' }, { node: 'alpha' })).config!;
  assert.equal(planReload(running, rotated), { authChanged: true, refused: [] });
  const slower = (await check({ 'ha.cf': (await import('../helpers/config-dir')).BASE_HA_CF.replace('deadtime 10', 'deadtime 20') }, { node: 'alpha' })).config!;
  // The hold-down and the flap window default to multiples of deadtime: they change with it.
  assert.equal(planReload(running, slower).refused, ['keepalive/deadtime/warntime/initdead/deadping/fence_delay', 'failback_holddown/flap_limit/flap_window']);
  const damped = (await check({ 'ha.cf': `${(await import('../helpers/config-dir')).BASE_HA_CF}flap_limit 6
` }, { node: 'alpha' })).config!;
  assert.equal(planReload(running, damped).refused, ['failback_holddown/flap_limit/flap_window']);
  const checked = (await check({ 'ha.cf': `${(await import('../helpers/config-dir')).BASE_HA_CF}monitor_interval 5\ntrack_interface eth2\n` }, { node: 'alpha' })).config!;
  assert.equal(planReload(running, checked).refused, ['track_interface', 'monitor_interval/monitor_timeout/monitor_failures/failover_on_monitor']);
  const handover = (await check({ 'ha.cf': `${(await import('../helpers/config-dir')).BASE_HA_CF}on_stop_failure handover\nresource_timeout 30\n` }, { node: 'alpha' })).config!;
  assert.equal(planReload(running, handover).refused, ['resource_timeout/on_stop_failure'], 'said once, not as a haresources change too');
});

test.run();
