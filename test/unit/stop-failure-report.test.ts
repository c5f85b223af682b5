// What an operator is told about a group that would not stop: the status line, and the MQTT
// event its decision becomes (issue 19).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatStatus } from '../../src/commands/status';
import { eventOfDecision } from '../../src/agent/events';
import { decisionLine, makeDecision } from '../../src/core';
import type { StatusSnapshot } from '../../src/snapshot';

const SNAPSHOT: StatusSnapshot = {
  cluster: 'lab',
  node: 'node-a',
  role: 'failed',
  peer: { node: 'node-b', state: 'up', generation: 7, lastHeardAgoMs: 120 },
  paths: [],
  groups: [{ id: '192.0.2.50', home: 'node-a', holder: 'node-a', state: 'stop-failed', failedOn: ['node-a'], stopFailedOn: ['node-a'] }],
  generation: 2,
  seq: 40,
  version: '0.1.0',
  startedAt: '2026-11-25T03:37:00.000Z',
  uptimeS: 192,
  timestamp: '2026-11-25T03:40:12.000Z',
  counters: {},
};

test('status: held here, stop failed, what to do', () => {
  assert.match(
    formatStatus(SNAPSHOT),
    'group    192.0.2.50 (home node-a): held by node-a, stop-failed here, STOP FAILED on node-a: the service may still run there; stop it by hand, then `twinbeat cleanup 192.0.2.50` (or a reset of that node ends it)\n',
  );
});

test('MQTT: a failed stop, and a takeover refused because of one, are resource failures with the reason', () => {
  const where = { cluster: 'lab', node: 'node-a' };
  const at = new Date('2026-11-25T03:40:12.000Z');
  const blocked = makeDecision('stop-failed-block', 'node-b', { group: '192.0.2.50', detail: 'hangsvc: timed out after 20000 ms' });
  assert.is(
    decisionLine(blocked),
    'Resource group 192.0.2.50 failed to stop: hangsvc: timed out after 20000 ms: it stays here marked stop failed and node-b does not take it over (on_stop_failure block); stop the service by hand, then run `twinbeat cleanup 192.0.2.50` once the service is really stopped',
  );
  const failed = eventOfDecision(blocked, where, at);
  assert.is(failed?.type, 'resource-failure');
  assert.is(failed?.text, 'Resource group 192.0.2.50 failed to stop: hangsvc: timed out after 20000 ms', 'the detail stays with what happened');
  assert.match(failed!.reason, /twinbeat cleanup 192\.0\.2\.50/);
  assert.equal([failed?.kind, failed?.cause, failed?.subject], ['keep', 'stop-failed', '192.0.2.50']);
  const refused = eventOfDecision(makeDecision('not-taking-left-stuck', 'node-a', { group: '192.0.2.50' }), where, at);
  assert.is(refused?.type, 'resource-failure');
  assert.equal([refused?.kind, refused?.cause], ['refuse', 'peer-stop-failed']);
  const handedOver = eventOfDecision(makeDecision('stop-failed-hand-over', 'node-b', { group: '192.0.2.50' }), where, at);
  assert.is(handedOver?.type, 'handover', 'on_stop_failure handover: this decision is the move');
});

test.run();
