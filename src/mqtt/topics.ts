// Where twinbeat publishes: one subtree per pair under the prefix, one per node inside it.
//
//   PREFIX/CLUSTER/NODE/availability   retained "online" / "offline" (the Last Will)
//   PREFIX/CLUSTER/NODE/state          retained JSON (wire.ts)
//   PREFIX/CLUSTER/NODE/command        "standby" / "takeover", only with mqtt_commands on
//   PREFIX/CLUSTER/events              JSON events of both nodes, not retained

export interface NodeTopics {
  availability: string;
  state: string;
  command: string;
  events: string;
}

/**
 * A name as one topic level: "/" would add a level, "+" and "#" are wildcards, so they become
 * "_". Cluster names cannot hold them (ha.cf checks); node names come from `uname -n`.
 */
export function topicLevel(name: string): string {
  return name.replace(/[/+#\u0000]/g, '_') || '_';
}

export function nodeTopics(prefix: string, cluster: string, node: string): NodeTopics {
  const pair = `${prefix}/${topicLevel(cluster)}`;
  const base = `${pair}/${topicLevel(node)}`;
  return {
    availability: `${base}/availability`,
    state: `${base}/state`,
    command: `${base}/command`,
    events: `${pair}/events`,
  };
}

export type ParsedTopic =
  | { kind: 'availability' | 'state' | 'command'; cluster: string; node: string }
  | { kind: 'events'; cluster: string };

/** What a topic under `prefix` is, or undefined when it is not one of twinbeat's. */
export function parseTopic(prefix: string, topic: string): ParsedTopic | undefined {
  if (!topic.startsWith(`${prefix}/`)) return undefined;
  const levels = topic.slice(prefix.length + 1).split('/');
  if (levels.length === 2 && levels[1] === 'events' && levels[0]) return { kind: 'events', cluster: levels[0] };
  if (levels.length !== 3) return undefined;
  const [cluster = '', node = '', kind = ''] = levels;
  if (!cluster || !node) return undefined;
  if (kind === 'availability' || kind === 'state' || kind === 'command') return { kind, cluster, node };
  return undefined;
}
