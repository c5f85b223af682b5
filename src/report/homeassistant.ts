// Home Assistant MQTT discovery: retained config messages that make each node appear as a
// device with a sensor for its role, its peer's state, each heartbeat path and the holder of
// each resource group. The sensors read the node's state topic and share its availability
// topic, so a dead agent turns them "unavailable" through the Last Will.
import type { StatusSnapshot } from '../snapshot';
import type { NodeTopics } from '../mqtt/topics';

export const DISCOVERY_PREFIX = 'homeassistant';

export interface DiscoveryMessage {
  topic: string;
  /** The retained JSON config; '' removes an entity that no longer exists. */
  payload: string;
}

/** Home Assistant accepts [a-zA-Z0-9_-] in node and object ids. */
export function discoveryId(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** A Jinja expression that quotes `text` safely inside a template. */
const jinjaString = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

interface Sensor {
  key: string;
  name: string;
  template: string;
  icon: string;
}

function sensorsOf(snapshot: StatusSnapshot): Sensor[] {
  const pick = (list: string, id: string, field: string) =>
    `{{ (value_json.${list} | selectattr('id', 'eq', ${jinjaString(id)}) | map(attribute='${field}') | first) | default('unknown') }}`;
  return [
    { key: 'role', name: 'Role', template: '{{ value_json.role }}', icon: 'mdi:server-network' },
    { key: 'peer', name: `Peer ${snapshot.peer.node}`, template: '{{ value_json.peer.state }}', icon: 'mdi:heart-pulse' },
    ...snapshot.paths.map((p) => ({ key: `path_${p.id}`, name: `Path ${p.id}`, template: pick('paths', p.id, 'state'), icon: 'mdi:cable-data' })),
    ...snapshot.groups.map((g) => ({
      key: `group_${g.id}`,
      name: `Holder of ${g.id}`,
      template: `{{ (value_json.groups | selectattr('id', 'eq', ${jinjaString(g.id)}) | map(attribute='holder') | first) or 'nobody' }}`,
      icon: 'mdi:ip-network',
    })),
  ];
}

/** The discovery config messages for this node's current paths and groups. */
export function discoveryMessages(snapshot: StatusSnapshot, topics: NodeTopics, prefix = DISCOVERY_PREFIX): DiscoveryMessage[] {
  const nodeId = discoveryId(`twinbeat_${snapshot.cluster}_${snapshot.node}`);
  const device = {
    identifiers: [nodeId],
    name: `${snapshot.cluster} ${snapshot.node}`,
    manufacturer: 'twinbeat',
    model: 'twinbeat high-availability pair',
    sw_version: snapshot.version,
  };
  return sensorsOf(snapshot).map((sensor) => {
    const objectId = discoveryId(sensor.key);
    return {
      topic: `${prefix}/sensor/${nodeId}/${objectId}/config`,
      payload: JSON.stringify({
        name: sensor.name,
        unique_id: `${nodeId}_${objectId}`,
        state_topic: topics.state,
        value_template: sensor.template,
        availability_topic: topics.availability,
        payload_available: 'online',
        payload_not_available: 'offline',
        icon: sensor.icon,
        device,
        origin: { name: 'twinbeat', sw_version: snapshot.version },
      }),
    };
  });
}

/** Paths and groups decide which entities exist; a change of them means new discovery messages. */
export function discoveryShape(snapshot: StatusSnapshot): string {
  return JSON.stringify([snapshot.cluster, snapshot.node, snapshot.peer.node, snapshot.version, snapshot.paths.map((p) => p.id), snapshot.groups.map((g) => g.id)]);
}
