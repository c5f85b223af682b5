// The JSON that goes over MQTT, and its reading back by the fleet view. The state is the
// agent's StatusSnapshot as it is, plus `schema` (bumped on an incompatible change) and
// `publishedAt` (the snapshot's own `timestamp` is when it changed; a periodic re-publish
// sends the same snapshot, so the receiver can still tell a silent agent from a quiet one).
import type { ClusterEvent, StatusSnapshot } from '../snapshot';

export const WIRE_SCHEMA = 1;

export interface WireState extends StatusSnapshot {
  schema: typeof WIRE_SCHEMA;
  /** ISO 8601: when this message was sent. */
  publishedAt: string;
}

/** Sent on the events topic after a reconnect when the offline queue had to drop events. */
export interface DroppedEventsNotice {
  type: 'events-dropped';
  at: string;
  cluster: string;
  node: string;
  text: string;
  reason: string;
  /** How many events were lost (oldest first). */
  dropped: number;
}

export type WireEvent = (ClusterEvent & { schema: typeof WIRE_SCHEMA }) | (DroppedEventsNotice & { schema: typeof WIRE_SCHEMA });

export function stateMessage(snapshot: StatusSnapshot, publishedAt: Date): string {
  const wire: WireState = { schema: WIRE_SCHEMA, ...snapshot, publishedAt: publishedAt.toISOString() };
  return JSON.stringify(wire);
}

export function eventMessage(event: ClusterEvent | DroppedEventsNotice): string {
  return JSON.stringify({ schema: WIRE_SCHEMA, ...event });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A state message, or undefined when the payload is not one (another schema, or not JSON). */
export function parseState(payload: string): WireState | undefined {
  try {
    const value: unknown = JSON.parse(payload);
    if (!isObject(value) || value.schema !== WIRE_SCHEMA) return undefined;
    if (typeof value.node !== 'string' || typeof value.role !== 'string' || !isObject(value.peer)) return undefined;
    if (!Array.isArray(value.paths) || !Array.isArray(value.groups)) return undefined;
    return value as unknown as WireState;
  } catch {
    return undefined;
  }
}

export function parseEvent(payload: string): WireEvent | undefined {
  try {
    const value: unknown = JSON.parse(payload);
    if (!isObject(value) || value.schema !== WIRE_SCHEMA) return undefined;
    if (typeof value.type !== 'string' || typeof value.at !== 'string' || typeof value.node !== 'string') return undefined;
    return value as unknown as WireEvent;
  } catch {
    return undefined;
  }
}
