// Properties of step() itself: it never changes its input, it ignores events before `start`,
// every takeover decision also shows as a decision effect, nextDeadline is exact, and
// coreConfigFrom reads the Config the way docs/configuration.md says.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { coreConfigFrom, decisionLine, initialState, nextDeadline, step, type CoreState } from '../../src/core';
import type { CoreEvent, Effect, Message } from '../../src/core';
import type { Config } from '../../src/config/types';
import { configFromLine } from '../sim/script';

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

const heartbeat = (seq: number, extra: Partial<Message> = {}): Message =>
  ({
    kind: 'heartbeat',
    generation: 1,
    seq,
    ackGeneration: 1,
    mode: 'active',
    held: [],
    granted: [],
    failed: [],
    epochs: {},
    fenceInMs: -1,
    ...extra,
  }) as Message;

/** Feeds the events, ticking at every deadline in between as the shell does. */
function run(state: CoreState, events: CoreEvent[]) {
  const effects: Effect[] = [];
  const feed = (e: CoreEvent) => {
    const r = step(deepFreeze(state), e);
    state = r.state;
    effects.push(...r.effects);
  };
  for (const e of events) {
    if (e.type !== 'start') {
      for (let d = nextDeadline(state); d !== null && d < e.now; d = nextDeadline(state)) feed({ type: 'tick', now: d });
    }
    feed(e);
  }
  return { state, effects };
}

test('step never modifies the state it is given', () => {
  const cfg = configFromLine('config local=node1 device=yes groups=192.0.2.50@node1');
  const { state } = run(initialState(cfg), [
    { type: 'start', now: 0, generation: 1 },
    { type: 'message', now: 100, path: 'eth1', message: heartbeat(1) },
    { type: 'tick', now: 1000 },
    { type: 'group-result', now: 1200, group: '192.0.2.50', action: 'start', ok: true },
    { type: 'admin', now: 1500, command: 'standby' },
    { type: 'tick', now: 9000 },
    { type: 'tick', now: 20000 },
  ]);
  assert.is(state.contact, 'lost');
});

test('events before start are ignored', () => {
  const s0 = initialState(configFromLine('config local=node1'));
  const r = step(s0, { type: 'tick', now: 5 });
  assert.is(r.state, s0);
  assert.equal(r.effects, []);
});

test('the first step sends a heartbeat carrying the generation, the boot and an empty view', () => {
  const r = step(initialState(configFromLine('config local=node1')), { type: 'start', now: 0, generation: 7, boot: 9001 });
  const send = r.effects.find((e) => e.type === 'send');
  assert.ok(send && send.type === 'send');
  assert.equal(send.message, {
    kind: 'heartbeat',
    generation: 7,
    seq: 1,
    ackGeneration: 0,
    mode: 'active',
    held: [],
    granted: [],
    failed: [],
    epochs: { '192.0.2.50': 0 },
    fenceInMs: -1,
    boot: 9001,
    ackBoot: 0,
  });
  assert.is(send.path, undefined);
});

test('every takeover and refusal is a log line and a decision', () => {
  const cfg = configFromLine('config local=node2 device=yes groups=192.0.2.50@node1');
  const { effects } = run(initialState(cfg), [
    { type: 'start', now: 0, generation: 1 },
    { type: 'tick', now: 8000 },
    { type: 'admin', now: 8100, command: 'takeover' },
  ]);
  const decisions = effects.flatMap((e) => (e.type === 'decision' ? [e.decision] : []));
  assert.equal(
    decisions.map((d) => [d.code, d.kind, d.cause]),
    [
      ['wait-not-heard-with-device', 'wait', 'peer-not-heard'],
      ['takeover-refused', 'refuse', 'peer-not-heard'],
    ],
  );
  assert.match(decisionLine(decisions[0]!), /^Not taking over: node1 has not been heard since start-up/);
  assert.ok(effects.some((e) => e.type === 'log' && e.text === decisionLine(decisions[1]!)), 'the log line is the decision rendered');
});

test('nextDeadline: the next heartbeat, then the peer deadline, then fence_delay', () => {
  const cfg = configFromLine('config local=node2 device=yes groups=192.0.2.50@node1');
  let { state } = run(initialState(cfg), [
    { type: 'start', now: 0, generation: 1 },
    { type: 'message', now: 100, path: 'eth1', message: heartbeat(1, { held: ['192.0.2.50'], epochs: { '192.0.2.50': 1 } }) },
  ]);
  assert.is(nextDeadline(state), 1000);
  for (let t = 1000; t <= 4000; t += 1000) state = step(state, { type: 'tick', now: t }).state;
  assert.is(nextDeadline(state), 4100);
  state = step(state, { type: 'tick', now: 4100 }).state;
  assert.is(state.contact, 'lost');
  // node2 does not run the first group: fence_delay 8000 plus the second node's stagger 2000.
  assert.is(state.fence.until, 4100 + 10_000);
  for (let d = nextDeadline(state)!; d < 14_100; d = nextDeadline(state)!) state = step(state, { type: 'tick', now: d }).state;
  assert.is(nextDeadline(state), 14_100);
  const r = step(state, { type: 'tick', now: 14_100 });
  assert.ok(r.effects.some((e) => e.type === 'reset-peer' && e.node === 'node1'));
});

test('a group that failed to start here is reported failed until it starts here or the operator takes over here', () => {
  const cfg = configFromLine('config local=node1 device=yes failback=on groups=192.0.2.50@node1');
  const sentFailed = (effects: Effect[]) =>
    effects.filter((e) => e.type === 'send').map((e) => (e as { message: Message }).message.failed.join(','));
  let { state, effects } = run(initialState(cfg), [
    { type: 'start', now: 0, generation: 1 },
    { type: 'message', now: 100, path: 'eth1', message: heartbeat(1) },
    { type: 'group-result', now: 300, group: '192.0.2.50', action: 'start', ok: false, detail: 'no disk' },
    { type: 'group-result', now: 400, group: '192.0.2.50', action: 'stop', ok: true },
  ]);
  assert.ok(sentFailed(effects).includes('192.0.2.50'));
  // Long after the retry pause (2 x deadtime) it is still reported: node2 must not hand it back.
  const later: CoreEvent[] = [];
  for (let t = 1100; t <= 30_100; t += 1000) later.push({ type: 'message', now: t, path: 'eth1', message: heartbeat(t, { held: ['192.0.2.50'], epochs: { '192.0.2.50': 2 } }) });
  ({ state, effects } = run(state, later));
  assert.equal([...new Set(sentFailed(effects))], ['192.0.2.50']);
  // Heartbeats due before the command still carry it (their slots move with each notice sent).
  ({ state } = run(state, [{ type: 'tick', now: 30_499 }]));
  ({ state, effects } = run(state, [{ type: 'admin', now: 30_500, command: 'takeover' }]));
  assert.equal([...new Set(sentFailed(effects))], [''], 'the operator cleared it');
});

test('a group that failed its checks here is reported failed in every message until `twinbeat cleanup`, and nextDeadline wakes for each check', () => {
  const cfg = configFromLine('config local=node1 device=yes failback=on groups=192.0.2.50@node1 monitor=5000');
  const sentFailed = (effects: Effect[]) =>
    effects.filter((e) => e.type === 'send').map((e) => (e as { message: Message }).message.failed.join(','));
  const G = '192.0.2.50';
  let { state, effects } = run(initialState(cfg), [
    { type: 'start', now: 0, generation: 1 },
    { type: 'message', now: 100, path: 'eth1', message: heartbeat(1) },
    { type: 'group-result', now: 300, group: G, action: 'start', ok: true },
  ]);
  assert.is(nextDeadline(state), 1000, 'the heartbeat comes first');
  // Heartbeats from node2 every 2 s keep contact; checks are due 5 s after each start.
  const beats = (from: number, to: number, extra: Partial<Message> = {}): CoreEvent[] => {
    const out: CoreEvent[] = [];
    for (let t = from; t <= to; t += 2000) out.push({ type: 'message', now: t, path: 'eth1', message: heartbeat(t, extra) });
    return out;
  };
  ({ state, effects } = run(state, beats(2000, 4000)));
  assert.is(state.groups[G]!.checkAt, 5300);
  ({ state, effects } = run(state, [{ type: 'tick', now: 5300 }]));
  assert.ok(effects.some((e) => e.type === 'check-group' && e.group === G));
  ({ state, effects } = run(state, [
    { type: 'check-result', now: 5400, group: G, ok: false, detail: 'exit 3' },
    { type: 'group-result', now: 5500, group: G, action: 'stop', ok: true },
    { type: 'group-result', now: 5700, group: G, action: 'start', ok: true },
    ...beats(6000, 10_000),
    { type: 'tick', now: 10_700 },
    { type: 'check-result', now: 10_800, group: G, ok: false, detail: 'exit 3' },
    { type: 'group-result', now: 10_900, group: G, action: 'stop', ok: true },
  ]));
  assert.ok(sentFailed(effects).includes(G));
  ({ state, effects } = run(state, beats(11_000, 21_000, { held: [G], epochs: { [G]: 3 } })));
  assert.equal([...new Set(sentFailed(effects))], [G], 'said in every message, long after');
  assert.is(state.groups[G]!.token, false);
  ({ state } = run(state, [{ type: 'tick', now: 21_499 }]));
  ({ state, effects } = run(state, [{ type: 'cleanup', now: 21_500, group: G }, { type: 'tick', now: 22_500 }]));
  assert.equal([...new Set(sentFailed(effects))], [''], 'the operator cleared it');
  assert.ok(effects.some((e) => e.type === 'decision' && e.decision.code === 'cleanup-failures' && e.decision.group === G));
});

test('a check result that is not awaited, or for an unknown group, changes nothing', () => {
  const cfg = configFromLine('config local=node1 device=yes failback=on groups=192.0.2.50@node1 monitor=5000');
  const { state } = run(initialState(cfg), [
    { type: 'start', now: 0, generation: 1 },
    { type: 'message', now: 100, path: 'eth1', message: heartbeat(1) },
    { type: 'group-result', now: 300, group: '192.0.2.50', action: 'start', ok: true },
  ]);
  for (const group of ['192.0.2.50', 'nosuch']) {
    const r = step(state, { type: 'check-result', now: 400, group, ok: false, detail: 'exit 3' });
    assert.equal(r.effects.filter((e) => e.type !== 'send'), []);
    assert.is(r.state.groups['192.0.2.50']!.misses, 0);
  }
});

test('coreConfigFrom: legacy reads as on, reset devices per direction, timing carried over', () => {
  const src = { file: 'ha.cf', line: 1 };
  const config = {
    dir: '/etc/ha.d',
    cluster: 'linux-ha',
    nodes: ['node1', 'node2'],
    localNode: 'node2',
    peerNode: 'node1',
    timing: { keepaliveMs: 1000, deadtimeMs: 10_000, warntimeMs: 5000, initdeadMs: 20_000, deadpingMs: 10_000, fenceDelayMs: 20_000 },
    paths: [{ kind: 'serial', id: 'serial:/dev/ttyS1', name: '/dev/ttyS1', device: '/dev/ttyS1', baud: 19200, source: src }],
    udpPort: 694,
    baud: 19200,
    msgfmt: 'classic',
    autoFailback: 'legacy',
    groups: [
      {
        id: '192.0.2.50',
        home: 'node1',
        resources: [
          { kind: 'vip', raw: 'IPaddr::192.0.2.50', agent: 'IPaddr', address: '192.0.2.50', family: 4 },
          { kind: 'script', raw: 'httpd', name: 'httpd', args: [] },
        ],
        source: src,
      },
    ],
    auth: { sendIndex: 1, keys: [] },
    resetDevices: [{ from: 'node1', type: 'gpio-relay', target: 'node2', params: {}, source: src }],
    debugLevel: 0,
    env: {},
    ignored: [],
    pingTargets: [{ name: "gw", addresses: ["192.0.2.254", "192.0.2.253"], source: src }],
    ipfail: true,
    trackInterfaces: ["eth0"],
    monitor: { intervalMs: 10_000, timeoutMs: 10_000, failures: 2, failover: false },
    damping: { failbackHolddownMs: 3000, flapLimit: 4, flapWindowMs: 60_000 },
    operations: { limits: [], stopFailure: [] },
  } satisfies Config;
  const core = coreConfigFrom(config);
  assert.is(core.autoFailback, 'on');
  assert.is(core.autoFailbackWasLegacy, true);
  assert.is(core.canResetPeer, false, 'the device is wired from node1, not from node2');
  assert.is(core.fenceDelayMs, 20_000);
  assert.is(core.pingTargets, 1, 'a ping group is one target');
  assert.is(core.monitorIntervalMs, 10_000);
  assert.is(core.monitorFailures, 2);
  assert.is(core.failoverOnMonitor, false);
  assert.equal(core.paths, [{ id: 'serial:/dev/ttyS1', name: '/dev/ttyS1' }]);
  assert.equal(core.groups, [{ id: '192.0.2.50', home: 'node1', line: 'node1 IPaddr::192.0.2.50 httpd' }]);
  const both = coreConfigFrom({ ...config, resetDevices: [{ ...config.resetDevices[0]!, from: '*', target: 'node1' }] });
  assert.is(both.canResetPeer, true);
});

test.run();
