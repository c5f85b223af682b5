// What an operator is told about a group damped for flapping (issue 20): the status line, the
// status field the MQTT state carries, and the MQTT event its decision becomes, all rendered from
// the core's one typed value.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatStatus } from '../../src/commands/status';
import { eventOfDecision } from '../../src/agent/events';
import { decisionLine, flappingText, makeDecision, type Flapping } from '../../src/core';
import type { StatusSnapshot } from '../../src/snapshot';

const FLAPPING: Flapping = { moves: 3, windowMs: 60_000, holder: 'node-b', home: 'node-a', cause: 'eth0' };
const TEXT = 'flapping: 3 moves in 60 s; holding on node-b until eth0 on node-a is stable for 60 s';

const SNAPSHOT: StatusSnapshot = {
  cluster: 'lab',
  node: 'node-b',
  role: 'active',
  peer: { node: 'node-a', state: 'up', generation: 7, lastHeardAgoMs: 120 },
  paths: [],
  groups: [{ id: '192.0.2.50', home: 'node-a', holder: 'node-b', state: 'held', failedOn: [], flapping: flappingText(FLAPPING) }],
  generation: 2,
  seq: 40,
  version: '0.1.0',
  startedAt: '2026-11-27T03:37:00.000Z',
  uptimeS: 192,
  timestamp: '2026-11-27T03:40:12.000Z',
  counters: {},
};

test('the text, in the words of the issue', () => {
  assert.is(flappingText(FLAPPING), TEXT);
});

test('status: held away from home, and why', () => {
  assert.match(formatStatus(SNAPSHOT), `group    192.0.2.50 (home node-a): held by node-b, ${TEXT}\n`);
});

test('MQTT: the decision is a handover event, its reason the whole explanation', () => {
  const decision = makeDecision('flapping', 'node-a', { group: '192.0.2.50', detail: TEXT.replace(/^flapping: /, '') });
  assert.is(decisionLine(decision), `Resource group 192.0.2.50 is ${TEXT}`, 'the log line');
  const event = eventOfDecision(decision, { cluster: 'lab', node: 'node-b' }, new Date('2026-11-27T03:40:12.000Z'));
  assert.is(event?.type, 'handover');
  assert.is(event?.kind, 'keep', 'a move held back, not a move');
  assert.is(event?.cause, 'flapping');
  assert.is(event?.subject, '192.0.2.50');
  assert.is(event?.text, 'Resource group 192.0.2.50 is flapping');
  assert.is(event?.reason, '3 moves in 60 s; holding on node-b until eth0 on node-a is stable for 60 s');
});

test.run();
