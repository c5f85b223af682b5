// Which of the core's log lines and decisions are events for a fleet's history (MQTT's events
// topic). Reporting only: the core has already decided; this sorts its words into the kinds an
// operator filters on.
import type { ClusterEvent, ClusterEventType } from '../snapshot';
import { splitDecision } from './snapshot';

const LOG_EVENTS: [RegExp, ClusterEventType][] = [
  [/^Link \S+ (up|dead)\.$/, 'path'],
  [/^node \S+: is dead/, 'peer'],
];

const DECISION_EVENTS: [RegExp, ClusterEventType][] = [
  [/^Resource group \S+ is flapping/, 'handover'],
  [/failed to start|failed to stop|cannot stop|failed its check|stays stopped|^Not taking over resource group|^Restarting resource group/, 'resource-failure'],
  [/^(Resetting|Reset of .* failed)/, 'reset'],
  [/^(Taking over|Acquiring|Operator forced takeover|Reset of .* succeeded)/, 'failover'],
  [/^(Standby|Takeover|auto_failback|Shutting down|.* asked for .*\(takeover\))/, 'handover'],
];

export function eventFrom(kind: 'log' | 'decision', text: string, where: { cluster: string; node: string }, at: Date): ClusterEvent | undefined {
  const table = kind === 'log' ? LOG_EVENTS : DECISION_EVENTS;
  const type = table.find(([pattern]) => pattern.test(text))?.[1];
  if (!type) return undefined;
  const { text: what, reason } = kind === 'decision' ? splitDecision(text, at) : { text, reason: '' };
  return { type, at: at.toISOString(), cluster: where.cluster, node: where.node, text: what, reason };
}
