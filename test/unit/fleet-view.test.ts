// The fleet view as a function of received messages: pairs, holders, last failover, flags,
// and the table an operator reads.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderTable, ago } from '../../src/fleet/table';
import { applyMessage, emptyFleet, fleetView, viewOfMessages, type FleetMessage } from '../../src/fleet/view';
import { eventMessage, stateMessage } from '../../src/mqtt/wire';
import type { StatusSnapshot } from '../../src/snapshot';
import { event, snapshot } from './mqtt-fixtures';

const NOW = new Date('2026-11-25T03:10:00Z');
const at = '2026-11-25T03:09:59.000Z';
const msg = (topic: string, payload: string): FleetMessage => ({ topic, payload, receivedAt: at });
const state = (s: StatusSnapshot) => msg(`twinbeat/${s.cluster}/${s.node}/state`, stateMessage(s, new Date(at)));
const online = (cluster: string, node: string, word = 'online') => msg(`twinbeat/${cluster}/${node}/availability`, word);

/** A healthy pair: alpha holds the group, beta stands by. */
function healthy(cluster: string): FleetMessage[] {
  return [
    online(cluster, 'alpha'),
    state(snapshot({ cluster })),
    online(cluster, 'beta'),
    state(snapshot({ cluster, node: 'beta', role: 'standby', lastDecision: { at: '2026-11-25T02:00:00.000Z', text: 'Standby', reason: 'handing every group to alpha (hb_standby)', kind: 'standby', cause: 'operator', code: 'standby' } })),
  ];
}

test('a healthy pair: both nodes, the holder, no flags', () => {
  const view = viewOfMessages('twinbeat', healthy('lab'), NOW);
  assert.is(view.pairs.length, 1);
  const pair = view.pairs[0]!;
  assert.is(pair.cluster, 'lab');
  assert.equal(pair.nodes.map((n) => [n.node, n.availability, n.role, n.peerState]), [['alpha', 'online', 'active', 'up'], ['beta', 'online', 'standby', 'up']]);
  assert.equal(pair.groups, [{ id: '192.0.2.50', holder: 'alpha', claimedBy: ['alpha'], failedOn: [] }]);
  assert.equal(pair.flags, []);
  assert.equal(pair.lastFailover, { at: '2026-11-25T03:00:00.000Z', node: 'alpha', text: 'Taking over resource group 192.0.2.50', source: 'decision' });
  assert.is(view.flagged, 0);
});

test('flags: offline node (Last Will), and a peer that never reported', () => {
  const view = viewOfMessages('twinbeat', [...healthy('lab'), online('lab', 'beta', 'offline')], NOW);
  assert.equal(view.pairs[0]!.flags, ['offline node']);
  const lonely = viewOfMessages('twinbeat', healthy('lab').slice(0, 2), NOW);
  assert.equal(lonely.pairs[0]!.nodes.map((n) => [n.node, n.availability]), [['alpha', 'online'], ['beta', 'unknown']]);
  assert.equal(lonely.pairs[0]!.flags, ['offline node']);
});

test('flags: one path down', () => {
  const down = snapshot({ paths: [{ id: 'serial /dev/ttyS1', name: '/dev/ttyS1', state: 'dead' }, { id: 'ucast eth1 198.51.100.2', name: 'eth1', state: 'up' }] });
  const view = viewOfMessages('twinbeat', [...healthy('lab'), state(down)], NOW);
  assert.equal(view.pairs[0]!.flags, ['path down']);
});

test('flags: both nodes active, both claiming the group', () => {
  const split = snapshot({ node: 'beta', role: 'active', peer: { node: 'alpha', state: 'dead' }, groups: [{ id: '192.0.2.50', home: 'alpha', holder: 'beta', state: 'held', failedOn: [] }] });
  const view = viewOfMessages('twinbeat', [...healthy('lab'), state(split)], NOW);
  assert.equal(view.pairs[0]!.flags, ['both active']);
  assert.equal(view.pairs[0]!.groups[0]!.claimedBy, ['alpha', 'beta']);
  assert.match(renderTable(view, NOW), /192\.0\.2\.50@alpha\+beta/);
});

/** beta after alpha went silent: it declares alpha dead, having last heard alpha's message `lastSeq` of generation 12, and holds the group. */
function betaTookOver(lastSeq: number, overrides: Partial<StatusSnapshot> = {}): StatusSnapshot {
  return snapshot({ node: 'beta', role: 'active', seq: 900, peer: { node: 'alpha', state: 'dead', generation: 12, lastSeq }, groups: [{ id: '192.0.2.50', home: 'alpha', holder: 'beta', state: 'held', failedOn: [] }], ...overrides });
}

test('power loss: the peer heard alpha after alpha\'s last state, so alpha is dead (per beta) at once; no both active', () => {
  // alpha's retained state (seq 300) still says active and the broker still says online (its Last Will is not due yet).
  const view = viewOfMessages('twinbeat', [...healthy('lab'), state(betaTookOver(305))], NOW);
  const pair = view.pairs[0]!;
  assert.equal(pair.nodes.map((n) => [n.node, n.availability, n.deadPer]), [['alpha', 'dead', 'beta'], ['beta', 'online', undefined]]);
  assert.equal(pair.groups, [{ id: '192.0.2.50', holder: 'beta', claimedBy: ['beta'], failedOn: [] }]);
  assert.equal(pair.flags, ['offline node']);
  assert.match(renderTable(view, NOW), /alpha\s+dead \(per beta\)\s+active/);
  // The very message the state was made with (seq 300) heard, and nothing after: still older than the verdict.
  assert.is(viewOfMessages('twinbeat', [...healthy('lab'), state(betaTookOver(300))], NOW).pairs[0]!.nodes[0]!.availability, 'dead');
});

test('the clocks are not compared: alpha\'s clock far ahead of beta\'s changes nothing', () => {
  const ahead = msg('twinbeat/lab/alpha/state', stateMessage(snapshot({ timestamp: '2027-06-01T00:00:00.000Z' }), new Date('2027-06-01T00:00:00Z')));
  const view = viewOfMessages('twinbeat', [online('lab', 'alpha'), ahead, online('lab', 'beta'), state(betaTookOver(305, { timestamp: '2026-01-01T00:00:00.000Z' }))], NOW);
  assert.equal(view.pairs[0]!.nodes.map((n) => n.availability), ['dead', 'online']);
  assert.equal(view.pairs[0]!.flags, ['offline node']);
});

test('a real split brain (cut cables, both alive): each state is newer than the other\'s verdict, so both active', () => {
  // alpha kept sending after beta last heard it (301..), lost beta in turn and said so in a state made at seq 320.
  const alpha = snapshot({ seq: 320, peer: { node: 'beta', state: 'dead', generation: 7, lastSeq: 880 } });
  const view = viewOfMessages('twinbeat', [online('lab', 'alpha'), state(alpha), online('lab', 'beta'), state(betaTookOver(305, { generation: 7 }))], NOW);
  assert.equal(view.pairs[0]!.nodes.map((n) => n.availability), ['online', 'online']);
  assert.equal(view.pairs[0]!.flags, ['both active']);
  assert.equal(view.pairs[0]!.groups[0]!.claimedBy, ['alpha', 'beta']);
});

test('a verdict on an older run does not bury the node that came back (a new generation)', () => {
  const restarted = snapshot({ generation: 13, seq: 4, role: 'standby', groups: [{ id: '192.0.2.50', home: 'alpha', holder: 'beta', state: 'released', failedOn: [] }] });
  const view = viewOfMessages('twinbeat', [online('lab', 'alpha'), state(restarted), online('lab', 'beta'), state(betaTookOver(305))], NOW);
  assert.equal(view.pairs[0]!.nodes.map((n) => n.availability), ['online', 'online']);
  // A verdict without the numbers (an older agent) is not weighed either: the node's own word stands.
  const legacy = viewOfMessages('twinbeat', [...healthy('lab'), state(betaTookOver(305, { peer: { node: 'alpha', state: 'dead', generation: 12 } }))], NOW);
  assert.equal(legacy.pairs[0]!.flags, ['both active']);
});

test('a swapped unit (a new run with a lower generation, its clock behind) is not buried by the verdict on the old unit', () => {
  const fresh = snapshot({ generation: 3, seq: 2, boot: 777, role: 'standby', timestamp: '2026-01-01T00:00:05.000Z', groups: [{ id: '192.0.2.50', home: 'alpha', holder: 'beta', state: 'released', failedOn: [] }] });
  const verdictOnOldUnit = betaTookOver(305, { peer: { node: 'alpha', state: 'dead', generation: 12, lastSeq: 305, boot: 555 } });
  const view = viewOfMessages('twinbeat', [online('lab', 'alpha'), state(fresh), online('lab', 'beta'), state(verdictOnOldUnit)], NOW);
  assert.equal(view.pairs[0]!.nodes.map((n) => n.availability), ['online', 'online']);
  // The same verdict naming the fresh unit's run does bury it.
  const onThisRun = betaTookOver(305, { peer: { node: 'alpha', state: 'dead', generation: 3, lastSeq: 5, boot: 777 } });
  assert.equal(viewOfMessages('twinbeat', [online('lab', 'alpha'), state(fresh), online('lab', 'beta'), state(onThisRun)], NOW).pairs[0]!.nodes[0]!.availability, 'dead');
});

test('a peer declared dead that never reached the broker is shown dead (per its peer)', () => {
  const view = viewOfMessages('twinbeat', [online('lab', 'beta'), state(betaTookOver(305))], NOW);
  assert.equal(view.pairs[0]!.nodes.map((n) => [n.node, n.availability, n.deadPer]), [['beta', 'online', undefined], ['alpha', 'dead', 'beta']]);
});

test('flags: waiting for operator (role waiting, or a group failed)', () => {
  const waiting = snapshot({ node: 'beta', role: 'waiting', peer: { node: 'alpha', state: 'unknown' } });
  assert.equal(viewOfMessages('twinbeat', [...healthy('lab'), state(waiting)], NOW).pairs[0]!.flags, ['waiting for operator']);
  const failed = snapshot({ groups: [{ id: '192.0.2.50', home: 'alpha', holder: null, state: 'failed', failedOn: ['alpha'] }], role: 'failed' });
  const view = viewOfMessages('twinbeat', [...healthy('lab'), state(failed)], NOW);
  assert.equal(view.pairs[0]!.flags, ['waiting for operator']);
  assert.is(view.pairs[0]!.groups[0]!.holder, null);
});

test('a failover event seen while watching is the last failover', () => {
  const failover = event(0, { type: 'failover', at: '2026-11-25T03:05:00.000Z', node: 'beta', text: 'Taking over resource group 192.0.2.50', subject: '192.0.2.50' });
  const view = viewOfMessages('twinbeat', [...healthy('lab'), msg('twinbeat/lab/events', eventMessage(failover)), msg('twinbeat/lab/events', eventMessage(event(1)))], NOW);
  assert.equal(view.pairs[0]!.lastFailover, { at: '2026-11-25T03:05:00.000Z', node: 'beta', text: 'Taking over resource group 192.0.2.50', source: 'event' });
});

test('flagged pairs first, then by name; foreign and broken messages ignored', () => {
  const messages = [...healthy('aaa'), ...healthy('zzz'), online('zzz', 'beta', 'offline'), msg('twinbeat/zzz/alpha/state', 'garbage'), msg('other/x/y/state', '{}'), msg('twinbeat/lab', 'x')];
  const view = viewOfMessages('twinbeat', messages, NOW);
  assert.equal(view.pairs.map((p) => p.cluster), ['zzz', 'aaa']);
  assert.is(view.flagged, 1);
  assert.is(view.pairs[0]!.nodes[0]!.role, 'active', 'the garbage did not replace the last good state');
});

test('a cleared retained topic removes the node', () => {
  const fleet = emptyFleet('twinbeat');
  for (const m of healthy('lab')) applyMessage(fleet, m);
  applyMessage(fleet, online('lab', 'beta', ''));
  applyMessage(fleet, msg('twinbeat/lab/beta/state', ''));
  assert.equal(fleetView(fleet, NOW).pairs[0]!.nodes.map((n) => [n.node, n.availability]), [['alpha', 'online'], ['beta', 'unknown']]);
});

test('the table: one line per node, pair columns on its first line', () => {
  const text = renderTable(viewOfMessages('twinbeat', [...healthy('lab'), online('lab', 'beta', 'offline')], NOW), NOW);
  const lines = text.trimEnd().split('\n');
  assert.is(lines[0], 'twinbeat fleet under twinbeat/: 1 pair, 1 flagged (2026-11-25T03:10:00.000Z)');
  assert.match(lines[1]!, /^CLUSTER\s+NODE\s+AVAIL\s+ROLE\s+PEER\s+PATHS\s+GROUPS@HOLDER\s+LAST FAILOVER\s+FLAGS$/);
  assert.match(lines[2]!, /^lab\s+alpha\s+online\s+active\s+up\s+eth1:up \/dev\/ttyS1:up\s+192\.0\.2\.50@alpha\s+alpha 10m ago\s+offline node$/);
  assert.match(lines[3]!, /^\s+beta\s+offline\s+standby\s+up\s+eth1:up \/dev\/ttyS1:up$/);
  assert.is(ago('2026-11-25T03:09:30Z', NOW), '30s');
  assert.is(ago('2026-11-24T03:10:00Z', NOW), '24h');
});

test.run();
