// Subscribes to every pair under a prefix and hands each message to `onMessage`, in a way a
// broker with default settings can deliver at ten thousand pairs.
//
// A broker sends all retained messages that match a subscription at once, into a per-client
// queue: mosquitto 2.0 keeps 1,000 messages (`max_queued_messages`) beyond what the socket
// takes, QoS 1 or 0, and drops the rest ("Outgoing messages are being dropped"). One wildcard
// over every state of 10,000 pairs (20,000 messages of about 1 kB) overflows it. So:
//
//   1. the small availability topics of every node, one wildcard, QoS 0 (20,000 x ~50 bytes at
//      10,000 pairs, which the socket buffers take): this names the clusters;
//   2. the state topics cluster by cluster, SLICE_CLUSTERS clusters per SUBSCRIBE, so that no
//      more than two slices (the one arriving and the next one asked for) ever wait in the
//      broker's queue: 4 x SLICE_CLUSTERS states, well under 1,000 even if the socket took none.
//
// The end of a slice needs no timer: the broker handles one client's packets in order and
// queues a subscription's retained messages before it reads the next packet, so the SUBACK of
// the next SUBSCRIBE (or the UNSUBACK of a no-op UNSUBSCRIBE after the last) arrives after
// every retained message of the slice before it. Then the slice is settled: what is not there
// did not come (view.ts says which pairs lack a topic).
//
// QoS 0 throughout: a state is re-published every mqtt_interval, so a lost live update heals,
// and QoS 1 would make the broker's in-flight window (20) and queue the limit again.
import { randomBytes } from 'node:crypto';
import type { IClientOptions, MqttClient } from 'mqtt';
import { loadMqtt } from '../mqtt/connection';
import { readPasswordFile, readSmallFile } from '../mqtt/options';
import { parseTopic } from '../mqtt/topics';
import type { FleetMessage } from './view';

/** Clusters whose states one SUBSCRIBE asks for: two nodes each, two slices at most in the broker's queue. */
export const SLICE_CLUSTERS = 200;

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

export interface FleetHandlers {
  message(message: FleetMessage): void;
  /** These clusters' states are being fetched (view.ts shows them as loading). */
  loading(clusters: string[]): void;
  /** Every retained state of these clusters has arrived or will not. */
  settled(clusters: string[]): void;
}

export interface FleetWatch {
  client: MqttClient;
  /** Resolves when the retained picture of every cluster known at the start is settled. */
  loaded: Promise<void>;
  close(): Promise<void>;
}

export async function watchFleet(options: WatchOptions, handlers: FleetHandlers): Promise<FleetWatch> {
  const mqtt = await loadMqtt();
  const clientOptions: IClientOptions = {
    clientId: `twinbeat-fleet-${randomBytes(4).toString('hex')}`,
    clean: true,
    connectTimeout: options.connectTimeoutMs,
    reconnectPeriod: options.reconnect ? 2000 : 0,
    // MQTT.js would renew every subscription in one SUBSCRIBE: the whole fleet in one burst.
    // A reconnect loads again, in slices (below).
    resubscribe: false,
  };
  if (options.username !== undefined) clientOptions.username = options.username;
  if (options.passwordFile !== undefined) clientOptions.password = await readPasswordFile(options.passwordFile);
  if (options.ca !== undefined) clientOptions.ca = await readSmallFile(options.ca);
  const client = await mqtt.connectAsync(options.broker, clientOptions, options.reconnect);
  const prefix = options.prefix;
  // Never subscribed: unsubscribing it is a no-op whose answer marks "everything before is in".
  const barrier = `${prefix}/$twinbeat-fleet-barrier`;
  const stateFilter = (cluster: string) => `${prefix}/${cluster}/+/state`;

  const asked = new Set<string>();
  let initial = true;
  const discovered: string[] = [];
  /** A cluster that appears later (a new pair, a live view): its states are asked for on their own. */
  const askLater = async (cluster: string) => {
    handlers.loading([cluster]);
    await client.subscribeAsync(stateFilter(cluster), { qos: 0 });
    await client.unsubscribeAsync(barrier);
    handlers.settled([cluster]);
  };
  client.on('message', (topic, payload) => {
    const parsed = parseTopic(prefix, topic);
    if (parsed?.kind === 'availability' && !asked.has(parsed.cluster)) {
      asked.add(parsed.cluster);
      if (initial) discovered.push(parsed.cluster);
      else askLater(parsed.cluster).catch(() => undefined);
    }
    handlers.message({ topic, payload: payload.toString('utf8'), receivedAt: new Date().toISOString() });
  });

  const load = async () => {
    initial = true;
    asked.clear();
    discovered.length = 0;
    await client.subscribeAsync([`${prefix}/+/+/availability`, `${prefix}/+/events`], { qos: 0 });
    await client.unsubscribeAsync(barrier);
    initial = false;
    const clusters = [...discovered].sort();
    handlers.loading(clusters);
    let previous: string[] = [];
    for (let i = 0; i < clusters.length; i += SLICE_CLUSTERS) {
      const slice = clusters.slice(i, i + SLICE_CLUSTERS);
      await client.subscribeAsync(slice.map(stateFilter), { qos: 0 });
      handlers.settled(previous);
      previous = slice;
    }
    await client.unsubscribeAsync(barrier);
    handlers.settled(previous);
  };
  const loaded = load();
  // A clean session forgets the subscriptions: after a reconnect (the live table) ask again.
  client.on('connect', () => {
    load().catch(() => undefined);
  });
  return {
    client,
    loaded,
    close: async () => {
      await client.endAsync(true).catch(() => undefined);
    },
  };
}
