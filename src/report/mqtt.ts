// The MQTT reporter, an extension in zigbee2mqtt's sense: the constructor stores its
// dependencies, start() connects, stop() says goodbye. The agent feeds it every snapshot and
// every event; none of its methods waits on the broker or throws into the caller, because the
// heartbeat must never wait on a broker: everything is handed to internal queues and sent when
// the connection allows.
//
// Delivery: the state is latest-wins (one message in flight, the newest snapshot waits in one
// slot); events wait in a bounded queue and are sent in order, a few in flight at a time, and
// put back at the head when a connection is lost before the broker acknowledged them.
import type { MqttClient } from 'mqtt';
import type { Config, MqttConfig } from '../config/types';
import type { LogLevel } from '../log';
import { discoveryMessages, discoveryShape } from './homeassistant';
import { Backoff } from '../backoff';
import { readCommand, type MqttCommand } from './mqtt-commands';
import { BrokerConnection, loadMqtt } from '../mqtt/connection';
import { BoundedQueue } from './mqtt-event-queue';
import { clientOptions, DEFAULT_CONNECTION_TUNING, type ConnectionTuning } from '../mqtt/options';
import { nodeTopics, type NodeTopics } from '../mqtt/topics';
import { eventMessage, stateMessage, type DroppedEventsNotice } from '../mqtt/wire';
import type { ClusterEvent, StatusSnapshot } from '../snapshot';

export type { MqttCommand } from './mqtt-commands';

export interface ReporterTuning extends ConnectionTuning {
  /** Events kept while the broker is unreachable; the oldest is dropped beyond this. */
  eventQueueLimit: number;
  /** Events sent and not yet acknowledged; beyond this they wait in the queue. */
  eventsInFlight: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** How long stop() waits for the broker before cutting the connection. */
  stopTimeoutMs: number;
}

export const DEFAULT_REPORTER_TUNING: ReporterTuning = {
  ...DEFAULT_CONNECTION_TUNING,
  eventQueueLimit: 1000,
  eventsInFlight: 16,
  backoffInitialMs: 1000,
  backoffMaxMs: 60_000,
  stopTimeoutMs: 2000,
};

export interface MqttReporterDeps {
  mqtt: MqttConfig;
  cluster: string;
  /** This node's name (Config.localNode). */
  node: string;
  log(level: LogLevel, message: string): void;
  /** The clock for `publishedAt` and event times; default the system clock. */
  now?: () => Date;
  /** Called for `standby`/`takeover` from the command topic (only with mqtt_commands on). */
  commands?: (command: MqttCommand) => void | Promise<void>;
  tuning?: Partial<ReporterTuning>;
}

type Outgoing = ClusterEvent | DroppedEventsNotice;

export class MqttReporter {
  readonly topics: NodeTopics;
  private readonly tuning: ReporterTuning;
  private readonly now: () => Date;
  private readonly queue: BoundedQueue<Outgoing>;
  private readonly connection: BrokerConnection;
  private latest: StatusSnapshot | undefined;
  private stateDirty = false;
  private stateInFlight = false;
  private inFlight: Outgoing[] = [];
  /** A report of dropped events on its way; the count is forgotten only once the broker has it. */
  private noticeInFlight = false;
  /** Bumped on each connect and loss: callbacks of an older connection are ignored. */
  private epoch = 0;
  private client: MqttClient | undefined;
  private intervalTimer: NodeJS.Timeout | undefined;
  private discoveredShape = '';
  private discoveredTopics: string[] = [];
  private running = false;

  constructor(private readonly deps: MqttReporterDeps) {
    this.tuning = { ...DEFAULT_REPORTER_TUNING, ...deps.tuning };
    this.now = deps.now ?? (() => new Date());
    this.topics = nodeTopics(deps.mqtt.prefix, deps.cluster, deps.node);
    this.queue = new BoundedQueue(this.tuning.eventQueueLimit);
    this.connection = new BrokerConnection({
      brokers: deps.mqtt.brokers,
      options: () => clientOptions(deps.mqtt, { cluster: deps.cluster, node: deps.node }, this.topics, this.tuning),
      backoff: new Backoff({ firstMs: this.tuning.backoffInitialMs, maxMs: this.tuning.backoffMaxMs, spread: 0.2 }),
      log: (level, message) => this.log(level, message),
      handlers: {
        connected: (client) => this.guard(() => this.onConnected(client)),
        lost: () => this.guard(() => this.onLost()),
        message: (topic, payload, retained) => this.onMessage(topic, payload, retained),
      },
    });
  }

  /**
   * Loads MQTT.js, then connects in the background and starts the periodic re-publish. The
   * promise resolves once the library is loaded, never waits for a broker and never rejects.
   * Loading MQTT.js evaluates its modules synchronously (about 70 ms on a PC, more on ARM), so
   * the agent awaits this before its heartbeat timers start.
   */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.intervalTimer = setInterval(() => this.guard(() => this.republish()), this.deps.mqtt.intervalMs);
    this.intervalTimer.unref();
    try {
      await loadMqtt();
    } catch (err) {
      this.log('ERROR', `MQTT: cannot load MQTT.js: ${(err as Error)?.message ?? String(err)}`);
      return;
    }
    if (this.running) this.connection.start();
  }

  /** Publishes a retained "offline" and disconnects; resolves within stopTimeoutMs even if the broker hangs. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.intervalTimer);
    this.epoch += 1;
    this.client = undefined;
    try {
      await this.connection.stop(this.tuning.stopTimeoutMs, (client) =>
        client.publish(this.topics.availability, 'offline', { qos: 1, retain: true }),
      );
    } catch (err) {
      this.log('debug', `MQTT: stop: ${(err as Error).message}`);
    }
  }

  /** The node's new state: sent now if possible, else when the connection allows (the newest wins). */
  publishState(snapshot: StatusSnapshot): void {
    this.guard(() => {
      this.latest = snapshot;
      this.stateDirty = true;
      this.pump();
    });
  }

  /** One event for the pair's events topic: queued, sent in order, at least once. */
  publishEvent(event: ClusterEvent): void {
    this.guard(() => {
      this.queue.push(event);
      this.pump();
    });
  }

  /** True while a broker has accepted the connection. */
  get connected(): boolean {
    return this.client !== undefined;
  }

  /** Events waiting for the broker (not counting those in flight). */
  get queuedEvents(): number {
    return this.queue.length;
  }

  private onConnected(client: MqttClient): void {
    this.epoch += 1;
    this.client = client;
    const epoch = this.epoch;
    client.publish(this.topics.availability, 'online', { qos: 1, retain: true });
    if (this.deps.mqtt.commands) {
      client.subscribe(this.topics.command, { qos: 1 }, (err) => {
        if (err && epoch === this.epoch) this.log('warn', `MQTT: cannot subscribe to ${this.topics.command}: ${err.message}`);
      });
    }
    this.discoveredShape = '';
    if (this.queue.dropped > 0) this.log('warn', `MQTT: ${droppedText(this.queue.dropped)} (${this.droppedReason()})`);
    this.stateDirty = this.latest !== undefined;
    this.pump();
  }

  private onLost(): void {
    this.epoch += 1;
    this.client = undefined;
    this.stateInFlight = false;
    this.noticeInFlight = false;
    this.stateDirty = this.latest !== undefined;
    this.queue.requeue(this.inFlight);
    this.inFlight = [];
  }

  private onMessage(topic: string, payload: Buffer, retained: boolean): void {
    this.guard(() => {
      if (topic !== this.topics.command || !this.deps.mqtt.commands) return;
      const verdict = readCommand(payload, retained);
      if (!verdict.ok) {
        this.log('warn', `MQTT: ${topic}: ${verdict.reason}`);
        return;
      }
      if (!this.deps.commands) {
        this.log('warn', `MQTT: ${topic}: "${verdict.command}" received, but nothing handles commands`);
        return;
      }
      this.log('info', `MQTT: ${topic}: ${verdict.command} requested through the broker`);
      Promise.resolve()
        .then(() => this.deps.commands?.(verdict.command))
        .catch((err: unknown) => this.log('ERROR', `MQTT: ${verdict.command} failed: ${(err as Error)?.message ?? String(err)}`));
    });
  }

  private droppedReason(): string {
    return `the queue keeps the newest ${this.tuning.eventQueueLimit} events`;
  }

  /** Tells the fleet how many events it will never see, before the ones that survived. */
  private sendDroppedNotice(client: MqttClient, epoch: number): void {
    const dropped = this.queue.dropped;
    const notice: DroppedEventsNotice = {
      type: 'events-dropped',
      at: this.now().toISOString(),
      cluster: this.deps.cluster,
      node: this.deps.node,
      text: droppedText(dropped),
      reason: this.droppedReason(),
      dropped,
    };
    this.noticeInFlight = true;
    client.publish(this.topics.events, eventMessage(notice), { qos: 1, retain: false }, (err) => {
      if (epoch !== this.epoch) return;
      this.noticeInFlight = false;
      if (err) return;
      this.queue.reported(dropped);
      this.guard(() => this.pump());
    });
  }

  private republish(): void {
    if (this.latest === undefined) return;
    this.stateDirty = true;
    this.pump();
  }

  /** Sends what the connection can take now: the state if it changed, then queued events. */
  private pump(): void {
    const client = this.client;
    if (!client || !client.connected || client.disconnecting) return;
    const epoch = this.epoch;
    if (this.stateDirty && !this.stateInFlight && this.latest) {
      const snapshot = this.latest;
      this.stateDirty = false;
      this.stateInFlight = true;
      if (this.deps.mqtt.homeAssistant) this.discover(client, snapshot);
      client.publish(this.topics.state, stateMessage(snapshot, this.now()), { qos: 1, retain: true }, (err) => {
        if (epoch !== this.epoch) return;
        this.stateInFlight = false;
        // An error means this connection is going away: the next one sends the state again.
        if (err) this.stateDirty = true;
        else this.guard(() => this.pump());
      });
    }
    if (this.queue.dropped > 0 && !this.noticeInFlight) this.sendDroppedNotice(client, epoch);
    while (this.inFlight.length < this.tuning.eventsInFlight && this.queue.length > 0) {
      const event = this.queue.shift() as Outgoing;
      this.inFlight.push(event);
      client.publish(this.topics.events, eventMessage(event), { qos: 1, retain: false }, (err) => {
        // An error means this connection is going away: the event stays in flight, and the
        // loss puts everything in flight back at the head of the queue, in order.
        if (epoch !== this.epoch || err) return;
        this.inFlight = this.inFlight.filter((e) => e !== event);
        this.guard(() => this.pump());
      });
    }
  }

  /** Home Assistant's config messages, sent again when the node's paths or groups change. */
  private discover(client: MqttClient, snapshot: StatusSnapshot): void {
    const shape = discoveryShape(snapshot);
    if (shape === this.discoveredShape) return;
    this.discoveredShape = shape;
    const messages = discoveryMessages(snapshot, this.topics);
    const current = new Set(messages.map((m) => m.topic));
    for (const gone of this.discoveredTopics.filter((t) => !current.has(t))) {
      client.publish(gone, '', { qos: 1, retain: true });
    }
    for (const m of messages) client.publish(m.topic, m.payload, { qos: 1, retain: true });
    this.discoveredTopics = [...current];
  }

  private log(level: LogLevel, message: string): void {
    try {
      this.deps.log(level, message);
    } catch {
      // A failing logger must not reach the caller either.
    }
  }

  /** Runs `fn`, turning any exception into a log line: nothing here may throw into the agent. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log('ERROR', `MQTT reporter: ${(err as Error)?.stack ?? String(err)}`);
    }
  }
}

const droppedText = (n: number) => `${n} event${n === 1 ? '' : 's'} dropped while the broker was unreachable`;

/** The agent's entry point: a reporter when ha.cf names an mqtt_broker, else undefined. */
export function createMqttReporter(
  config: Pick<Config, 'cluster' | 'localNode' | 'mqtt'>,
  deps: Omit<MqttReporterDeps, 'mqtt' | 'cluster' | 'node'>,
): MqttReporter | undefined {
  if (!config.mqtt) return undefined;
  return new MqttReporter({ ...deps, mqtt: config.mqtt, cluster: config.cluster, node: config.localNode });
}
