// Which of the core's decisions and log lines are events for a fleet's history (MQTT's events
// topic). Reporting only: the core has already said what each one is (decisions.ts, a log line's
// `about`); this maps its fields onto the event, and reads no words.
import type { Decision as CoreDecision, LogAbout } from '../core';
import type { ClusterEvent, Decision } from '../snapshot';

interface Where {
  cluster: string;
  node: string;
}

/** The decision as `twinbeat status` and MQTT's state show it. */
export function decisionSnapshot(d: CoreDecision, at: Date): Decision {
  return {
    at: at.toISOString(),
    text: d.what,
    reason: d.why,
    kind: d.kind,
    cause: d.cause,
    code: d.code,
    ...(d.group !== undefined ? { group: d.group } : {}),
    ...(Object.keys(d.figures).length > 0 ? { figures: { ...d.figures } as Record<string, number> } : {}),
    ...(d.event ? { event: d.event } : {}),
  };
}

/** The event a decision is, if any: a group's move, a reset, a resource failure. */
export function eventOfDecision(d: CoreDecision, where: Where, at: Date): ClusterEvent | undefined {
  if (!d.event) return undefined;
  const snapshot = decisionSnapshot(d, at);
  const { at: when, text, reason, kind, cause, group, figures } = snapshot;
  return {
    type: d.event,
    at: when,
    cluster: where.cluster,
    node: where.node,
    text,
    reason,
    subject: d.group ?? d.peer,
    kind,
    cause,
    ...(group !== undefined ? { group } : {}),
    ...(figures ? { figures } : {}),
  };
}

/** The event a log line is, if the core marked it as one (a path up or dead, the peer dead). */
export function eventOfLog(text: string, about: LogAbout | undefined, where: Where, at: Date): ClusterEvent | undefined {
  if (!about) return undefined;
  return { type: about.event, at: at.toISOString(), cluster: where.cluster, node: where.node, text, reason: '', subject: about.subject };
}
