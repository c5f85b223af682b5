// The takeover trace (issue 23): marks in time order, the decision as zero, the summary figures,
// and the log line rendered from the same fields.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { finishTrace, traceLine } from '../../src/agent/takeover-trace';

test('trace: in time order, ms from the decision, the summary figures and the log line', () => {
  const t0 = 1000;
  const trace = finishTrace('192.0.2.50', [
    { step: 'decision', at: t0 },
    { step: 'last-heard', at: t0 - 301.26 },
    { step: 'silence-judged', at: t0 - 0.3 },
    { step: 'start-asked', at: t0 + 0.1 },
    { step: 'probe-done', at: t0 - 44.7, detail: 'early probe, ended 45 ms before the start used it' },
    { step: 'vip-added', at: t0 + 1.94 },
    { step: 'arp-sent', at: t0 + 3.6 },
    { step: 'resource-started', at: t0 + 5, detail: '192.0.2.50' },
    { step: 'group-held', at: t0 + 5.1 },
  ]);
  assert.equal(
    trace.marks.map((m) => [m.step, m.ms]),
    [
      ['last-heard', -301.3],
      ['probe-done', -44.7],
      ['silence-judged', -0.3],
      ['decision', 0],
      ['start-asked', 0.1],
      ['vip-added', 1.9],
      ['arp-sent', 3.6],
      ['resource-started', 5],
      ['group-held', 5.1],
    ],
  );
  assert.equal([trace.decisionToVipMs, trace.decisionToArpMs, trace.decisionToEndMs], [1.9, 3.6, 5.1]);
  assert.ok(trace.marks.every((m) => !Number.isNaN(Date.parse(m.at))));
  assert.is(
    traceLine(trace),
    'Takeover trace 192.0.2.50 (ms from the decision): peer last heard -301.3 ms, duplicate-address probe done -44.7 ms, silence judged -0.3 ms, decision +0.0 ms, start asked +0.1 ms, VIP added +1.9 ms, first gratuitous ARP sent +3.6 ms, 192.0.2.50 started +5.0 ms, group held +5.1 ms',
  );
});

test('trace: without a decision in the step (a retry), the start is the zero; a failed start says so', () => {
  const trace = finishTrace('g', [
    { step: 'start-asked', at: 50 },
    { step: 'group-failed', at: 80 },
  ]);
  assert.equal(trace.marks.map((m) => [m.step, m.ms]), [['start-asked', 0], ['group-failed', 30]]);
  assert.is(trace.decisionToEndMs, 30);
  assert.is(trace.decisionToVipMs, undefined);
});

test.run();
