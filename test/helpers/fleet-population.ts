// A fleet of N pairs' retained messages on a broker, as the agents would leave them: per node
// its availability and its state (alpha active, beta standing by), so 4 retained messages per
// pair. Published by one client at QoS 0 (the broker's inbound side has no queue limit for
// them), then one QoS 1 message whose PUBACK says that the broker has handled all before it.
import type { MqttClient } from 'mqtt';
import { stateMessage } from '../../src/mqtt/wire';
import { snapshot } from '../unit/mqtt-fixtures';

export const clusterName = (i: number) => `gw-${String(i).padStart(5, '0')}`;

export async function populateFleet(url: string, pairs: number, prefix = 'twinbeat'): Promise<void> {
  const mqtt = await import('mqtt');
  const client: MqttClient = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000 }, false);
  const at = new Date('2026-11-25T03:10:00Z');
  try {
    for (let i = 0; i < pairs; i++) {
      const cluster = clusterName(i);
      for (const node of ['alpha', 'beta'] as const) {
        const state = snapshot({ cluster, node, role: node === 'alpha' ? 'active' : 'standby' });
        client.publish(`${prefix}/${cluster}/${node}/availability`, 'online', { qos: 0, retain: true });
        client.publish(`${prefix}/${cluster}/${node}/state`, stateMessage(state, at), { qos: 0, retain: true });
      }
      // Let the socket drain now and then, so that the client's own buffer stays small.
      if (i % 500 === 499) await new Promise((r) => setImmediate(r));
    }
    await client.publishAsync(`${prefix}/population-done`, '1', { qos: 1, retain: false });
  } finally {
    await client.endAsync();
  }
}
