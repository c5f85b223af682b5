// The trace of each takeover: when the peer was last heard, when its silence was judged, when
// the decision came, when each resource of the group had started, when the VIP was added and
// when its first gratuitous ARP went out. Kept by the shell (the core has no clock): times are
// the shell's monotonic clock (performance.now()), shown relative to the decision, so that a
// reader sees at a glance where a takeover spends its time.
import type { TakeoverTrace, TraceMark, TraceStep } from '../snapshot';

/** How many finished traces `twinbeat status --json` keeps (the newest last). */
export const KEPT_TRACES = 5;

const WORDS: Record<TraceStep, string> = {
  'last-heard': 'peer last heard',
  'silence-judged': 'silence judged',
  decision: 'decision',
  'start-asked': 'start asked',
  'probe-done': 'duplicate-address probe done',
  'vip-added': 'VIP added',
  'arp-sent': 'first gratuitous ARP sent',
  'resource-started': 'started',
  'group-held': 'group held',
  'group-failed': 'group failed',
};

/** A mark at monotonic time `at` (ms, performance.now()). */
export interface RawMark {
  step: TraceStep;
  at: number;
  detail?: string;
}

const wall = (at: number) => new Date(performance.timeOrigin + at).toISOString();
const tenth = (ms: number) => Math.round(ms * 10) / 10;

/**
 * Builds the finished trace of one start of `group` from its marks, in time order. The decision
 * is the zero: what came before it (the peer last heard, the silence judged) is negative.
 */
export function finishTrace(group: string, raw: RawMark[]): TakeoverTrace {
  const sorted = [...raw].sort((x, y) => x.at - y.at);
  const zero = sorted.find((m) => m.step === 'decision')?.at ?? sorted.find((m) => m.step === 'start-asked')?.at ?? sorted[0]?.at ?? 0;
  const marks: TraceMark[] = sorted.map((m) => ({ step: m.step, ms: tenth(m.at - zero), at: wall(m.at), ...(m.detail ? { detail: m.detail } : {}) }));
  const since = (step: TraceStep) => {
    const m = sorted.find((x) => x.step === step);
    return m === undefined ? undefined : tenth(m.at - zero);
  };
  const vip = since('vip-added');
  const arp = since('arp-sent');
  const end = since('group-held') ?? since('group-failed');
  return {
    group,
    marks,
    ...(vip !== undefined ? { decisionToVipMs: vip } : {}),
    ...(arp !== undefined ? { decisionToArpMs: arp } : {}),
    ...(end !== undefined ? { decisionToEndMs: end } : {}),
  };
}

/** The log line of a trace: `Takeover trace 192.0.2.50: peer last heard -301.2 ms, ...`. */
export function traceLine(trace: TakeoverTrace): string {
  const parts = trace.marks.map((m) => {
    const what = m.step === 'resource-started' ? `${m.detail ?? 'resource'} started` : WORDS[m.step];
    return `${what} ${m.ms >= 0 ? '+' : ''}${m.ms.toFixed(1)} ms`;
  });
  return `Takeover trace ${trace.group} (ms from the decision): ${parts.join(', ')}`;
}
