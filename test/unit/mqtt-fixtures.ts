// Snapshots and events as the agent will build them, for the MQTT and fleet tests (not a suite).
import type { MqttConfig } from '../../src/config/types';
import type { ClusterEvent, StatusSnapshot } from '../../src/snapshot';

export function snapshot(overrides: Partial<StatusSnapshot> = {}): StatusSnapshot {
  const node = overrides.node ?? 'alpha';
  const peer = node === 'alpha' ? 'beta' : 'alpha';
  return {
    cluster: 'lab',
    node,
    role: 'active',
    peer: { node: peer, state: 'up', generation: 7, lastHeardAgoMs: 420 },
    paths: [
      { id: 'ucast eth1 198.51.100.2', name: 'eth1', state: 'up', lastHeardAgoMs: 420 },
      { id: 'serial /dev/ttyS1', name: '/dev/ttyS1', state: 'up', lastHeardAgoMs: 810 },
    ],
    groups: [{ id: '192.0.2.50', home: 'alpha', holder: 'alpha', state: node === 'alpha' ? 'held' : 'released', failedOn: [] }],
    lastDecision: {
      at: '2026-11-25T03:00:00.000Z',
      text: 'Taking over resource group 192.0.2.50',
      reason: 'beta is dead and no reset device is configured',
      kind: 'takeover',
      cause: 'peer-dead',
      code: 'take-from-dead-peer',
      group: '192.0.2.50',
      event: 'failover',
    },
    generation: 12,
    seq: 300,
    version: '0.1.0',
    startedAt: '2026-11-25T02:59:50.000Z',
    uptimeS: 10,
    timestamp: '2026-11-25T03:00:00.000Z',
    counters: { 'dropped.bad-auth': 0 },
    ...overrides,
  };
}

export function event(n: number, overrides: Partial<ClusterEvent> = {}): ClusterEvent {
  return {
    type: 'path',
    at: new Date(Date.UTC(2026, 10, 25, 3, 0, n)).toISOString(),
    cluster: 'lab',
    node: 'alpha',
    text: `Link beta:eth1 dead. (#${n})`,
    reason: 'no heartbeat on eth1 for 10000 ms',
    subject: 'eth1',
    ...overrides,
  };
}

export function mqttConfig(url: string, overrides: Partial<MqttConfig> = {}): MqttConfig {
  return { brokers: [url], prefix: 'twinbeat', intervalMs: 60_000, keepaliveS: 10, homeAssistant: false, commands: false, ...overrides };
}

/** Short timings so that a test sees reconnects within a second. */
export const FAST = { keepaliveS: 2, connectTimeoutMs: 1500, backoffInitialMs: 100, backoffMaxMs: 400, stopTimeoutMs: 500 };

/** A logger that keeps its lines. */
export function memoryLog(): { lines: string[]; log: (level: string, message: string) => void } {
  const lines: string[] = [];
  return { lines, log: (level, message) => lines.push(`${level}: ${message}`) };
}
