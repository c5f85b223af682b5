// Subscribes to every pair under a prefix and hands each message to `onMessage`. Retained
// availability and state arrive right after the subscription, so a short settle time after the
// SUBACK gives a complete picture for `--json`.
import { randomBytes } from 'node:crypto';
import type { IClientOptions, MqttClient } from 'mqtt';
import { loadMqtt } from '../report/mqtt-connection';
import { readPasswordFile, readSmallFile } from '../report/mqtt-options';
import { fleetSubscriptions } from '../report/mqtt-topics';
import type { FleetMessage } from './view';

export interface WatchOptions {
  broker: string;
  prefix: string;
  username?: string;
  /** Mode 600, as for the agent. */
  passwordFile?: string;
  ca?: string;
  /** Keep reconnecting (the live table) or give up on the first failure (`--json`). */
  reconnect: boolean;
  connectTimeoutMs: number;
}

export interface FleetWatch {
  client: MqttClient;
  close(): Promise<void>;
}

export async function watchFleet(options: WatchOptions, onMessage: (message: FleetMessage) => void): Promise<FleetWatch> {
  const mqtt = await loadMqtt();
  const clientOptions: IClientOptions = {
    clientId: `twinbeat-fleet-${randomBytes(4).toString('hex')}`,
    clean: true,
    connectTimeout: options.connectTimeoutMs,
    reconnectPeriod: options.reconnect ? 2000 : 0,
  };
  if (options.username !== undefined) clientOptions.username = options.username;
  if (options.passwordFile !== undefined) clientOptions.password = await readPasswordFile(options.passwordFile);
  if (options.ca !== undefined) clientOptions.ca = await readSmallFile(options.ca);
  const client = await mqtt.connectAsync(options.broker, clientOptions, options.reconnect);
  client.on('message', (topic, payload) => onMessage({ topic, payload: payload.toString('utf8'), receivedAt: new Date().toISOString() }));
  await client.subscribeAsync(fleetSubscriptions(options.prefix), { qos: 1 });
  return {
    client,
    close: async () => {
      await client.endAsync(true).catch(() => undefined);
    },
  };
}
