// The core beside a Heartbeat 3.0 peer (heartbeat-peer.ts), beyond the scenario scripts 85-95:
// copies of one frame on two paths are answered once, and a peer that is heard but not
// understood is never taken over from, however long it speaks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initialState, step, type CoreState, type Effect, type HeartbeatNews } from '../../src/core';
import { holdingAfter } from '../../src/core/heartbeat-peer';
import { configFromLine } from '../sim/script';

function run(events: ((now: number) => Parameters<typeof step>[1])[], gapMs: number, local = 'node1'): { state: CoreState; effects: Effect[] } {
  let state = initialState(configFromLine(`config local=${local} device=no groups=192.0.2.50@node1`));
  const effects: Effect[] = [];
  let now = 0;
  for (const make of [(n: number) => ({ type: 'start' as const, now: n, generation: 1 }), ...events]) {
    const r = step(state, make(now));
    state = r.state;
    effects.push(...r.effects);
    now += gapMs;
  }
  return { state, effects };
}

const news = (path: string, n: HeartbeatNews) => (now: number) => ({ type: 'heartbeat-peer' as const, now, path, news: n });
const hb = { generation: 0x6b0a15ca };

test('copies of one Heartbeat frame on two paths: its starting is answered once, both paths are up', () => {
  const { state, effects } = run(
    [
      news('eth1', { ...hb, seq: 7, what: 'status', status: 'active' }),
      news('ttyS1', { ...hb, seq: 7, what: 'status', status: 'active' }),
      news('eth1', { ...hb, seq: 8, what: 'starting' }),
      news('ttyS1', { ...hb, seq: 8, what: 'starting' }),
    ],
    10,
  );
  const said = effects.flatMap((e) => (e.type === 'send-heartbeat' ? [e.message.what] : []));
  // Our starting when it went active, our holding for it, then once more for its own starting.
  assert.equal(said, ['starting', 'resources', 'resources']);
  assert.equal([state.paths.eth1!.up, state.paths.ttyS1!.up], [true, true]);
  assert.is(state.contact, 'alive');
});

test('a Heartbeat peer heard but not understood: nothing is started here for a minute of its frames, though the group is ours', () => {
  const frames = [news('eth1', { ...hb, seq: 1, what: 'status', status: 'active' }), news('eth1', { ...hb, seq: 2, what: 'unknown', type: 'you_are_dead', detail: 'ipfail' }), news('eth1', { ...hb, seq: 3, what: 'resources', holds: 'none', full: true, stable: true })];
  for (let seq = 4; seq < 64; seq++) frames.push(news('eth1', { ...hb, seq, what: 'status', status: 'active' }));
  const { state, effects } = run(frames, 1000);
  assert.is(effects.filter((e) => e.type === 'start-group').length, 0);
  assert.is(state.contact, 'alive');
  assert.is(state.peer.view, null, 'its view is withheld');
});

test('a Heartbeat peer that answered: its holding is its own point of view (local = the groups whose home it is)', () => {
  const { state } = run([news('eth1', { ...hb, seq: 1, what: 'status', status: 'active' }), news('eth1', { ...hb, seq: 2, what: 'resources', holds: 'local', full: true, stable: true })], 10, 'node2');
  assert.equal(state.peer.view?.held, ['192.0.2.50'], 'node1 is the home of 192.0.2.50 and holds its local groups');
  const added = run([news('eth1', { ...hb, seq: 1, what: 'status', status: 'active' }), news('eth1', { ...hb, seq: 2, what: 'resources', holds: 'none', full: true }), news('eth1', { ...hb, seq: 3, what: 'resources', holds: 'foreign', full: false, info: 'mach_down' })], 10, 'node1');
  assert.is(added.state.heartbeat?.holds, 2, 'mach_down adds our group (its foreign) to what it holds');
  assert.is(added.state.peer.view, null, 'and, not being a stable full update, withholds the view: nothing is claimed or given up on it');
});

test('only a stable full update takes groups away from what a Heartbeat peer holds (it says where it is going, not where it is)', () => {
  const LOCAL = 1;
  const FOREIGN = 2;
  const ALL = 3;
  assert.is(holdingAfter(ALL, 'local', true, true), LOCAL, 'stable and full: as said');
  assert.is(holdingAfter(ALL, 'local', true, undefined), LOCAL, 'full without isstable: as said');
  assert.is(holdingAfter(ALL, 'none', true, false), ALL, 'its shutdown or standby begins: what it gives up may still run');
  assert.is(holdingAfter(LOCAL, 'foreign', false, undefined), ALL, 'mach_down adds');
  assert.is(holdingAfter(null, 'none', true, false), ALL, 'unstable before any stable word: everything, as far as claims go');
  assert.is(holdingAfter(null, 'foreign', true, true), FOREIGN);
});

test.run();
