// One connection to the first broker that answers, kept up forever: a failed attempt moves on
// to the next mqtt_broker line after a back-off, a lost connection retries the same broker
// first. Each attempt is a fresh MQTT.js client with its own reconnect switched off, because
// its reconnectPeriod is a fixed interval and its `servers` list shares one path and one TLS
// setup among all brokers.
//
// MQTT.js is imported here, on the first attempt, so an agent without mqtt_broker never loads it.
import type { IClientOptions, MqttClient } from 'mqtt';
import type { LogLevel } from '../log';
import type { Backoff } from '../backoff';

export interface ConnectionHandlers {
  /** A CONNACK arrived: `client` is connected to `broker`. */
  connected(client: MqttClient, broker: string): void;
  /** The connected client is gone; a new attempt is scheduled. */
  lost(reason: string): void;
  message(topic: string, payload: Buffer, retained: boolean): void;
}

export interface ConnectionDeps {
  brokers: string[];
  /** Built anew for each attempt (the files may have changed). */
  options(): Promise<IClientOptions>;
  backoff: Backoff;
  log(level: LogLevel, message: string): void;
  handlers: ConnectionHandlers;
}

type MqttModule = typeof import('mqtt');

let mqttModule: Promise<MqttModule> | undefined;
/** Loads MQTT.js once per process. */
export function loadMqtt(): Promise<MqttModule> {
  mqttModule ??= import('mqtt');
  return mqttModule;
}

export class BrokerConnection {
  private client: MqttClient | undefined;
  private connectedTo: string | undefined;
  private brokerIndex = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = true;
  /** Failures already reported at warn level in this outage: one line each, not one per attempt. */
  private readonly warned = new Set<string>();

  constructor(private readonly deps: ConnectionDeps) {}

  get connected(): MqttClient | undefined {
    return this.connectedTo !== undefined ? this.client : undefined;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.attempt();
  }

  /**
   * Ends the connection: `farewell` is given the connected client (to publish a clean
   * "offline"), then the client disconnects, or is cut after `timeoutMs` if the broker is slow.
   */
  async stop(timeoutMs: number, farewell?: (client: MqttClient) => void): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    const wasConnected = this.connectedTo !== undefined;
    this.connectedTo = undefined;
    if (!client) return;
    if (wasConnected && farewell) {
      try {
        farewell(client);
      } catch (err) {
        this.deps.log('debug', `MQTT: farewell failed: ${(err as Error).message}`);
      }
    }
    await new Promise<void>((resolve) => {
      const cut = setTimeout(() => client.end(true, {}, () => resolve()), timeoutMs);
      cut.unref();
      client.end(!wasConnected, {}, () => {
        clearTimeout(cut);
        resolve();
      });
    });
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    const broker = this.deps.brokers[this.brokerIndex % this.deps.brokers.length] as string;
    let client: MqttClient;
    try {
      const [mqtt, options] = await Promise.all([loadMqtt(), this.deps.options()]);
      if (this.stopped) return;
      client = mqtt.connect(broker, options);
    } catch (err) {
      this.failed(broker, (err as Error).message, false);
      return;
    }
    this.client = client;
    let closed = false;
    client.on('connect', () => {
      if (this.client !== client) return;
      this.connectedTo = broker;
      this.deps.backoff.reset();
      this.warned.clear();
      this.deps.log('info', `MQTT: connected to ${broker}`);
      this.deps.handlers.connected(client, broker);
    });
    client.on('message', (topic, payload, packet) => {
      if (this.client === client) this.deps.handlers.message(topic, payload, packet.retain);
    });
    // The handlers guard themselves; what is left here must not throw into MQTT.js's emitter.
    let lastError = '';
    client.on('error', (err) => {
      lastError = err.message;
    });
    client.on('close', () => {
      if (closed || this.client !== client) return;
      closed = true;
      const wasConnected = this.connectedTo !== undefined;
      this.connectedTo = undefined;
      this.client = undefined;
      client.end(true);
      if (wasConnected) this.deps.handlers.lost(lastError || 'connection closed');
      this.failed(broker, lastError || (wasConnected ? 'connection closed' : 'no answer'), wasConnected);
    });
  }

  /** Schedules the next attempt: the same broker after a lost connection, the next one after a failed attempt. */
  private failed(broker: string, reason: string, wasConnected: boolean): void {
    if (this.stopped) return;
    if (!wasConnected) this.brokerIndex = (this.brokerIndex + 1) % this.deps.brokers.length;
    const waitMs = this.deps.backoff.next();
    const line = `MQTT: ${wasConnected ? 'lost' : 'cannot connect to'} ${broker}: ${reason}`;
    // The first failure of an outage is a warning, the repeats are debug lines.
    this.deps.log(this.warned.has(line) ? 'debug' : 'warn', `${line}; next attempt in ${waitMs} ms`);
    this.warned.add(line);
    this.retryTimer = setTimeout(() => void this.attempt(), waitMs);
    this.retryTimer.unref();
  }
}
