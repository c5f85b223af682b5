// How the agent reaches its peer: core messages out, authenticated core messages in, each
// with the id of the path it travelled. The real one encodes frames with src/wire and moves
// them over src/links; the loopback one joins two agents in one process (tests, the demo).
import type { HeartbeatNews, HeartbeatOut, Message } from '../core';

export type Deliver = (path: string, message: Message) => void;
/** A peer that runs Heartbeat 3.0: its authenticated frames, in the core's words for them. */
export type DeliverHeartbeat = (path: string, news: HeartbeatNews) => void;

export interface PeerTransport {
  /** Opens every path; from now on `deliver` is called for each authenticated message. */
  start(deliver: Deliver, deliverHeartbeat?: DeliverHeartbeat): Promise<void>;
  /** Sends on every path, or on one. Never throws and never waits: a failing path is the link's to report. */
  send(message: Message, path?: string): void;
  /** Sends in Heartbeat's words on every path (a transport that cannot reach a Heartbeat peer leaves it out). */
  sendHeartbeat?(message: HeartbeatOut): void;
  stop(): Promise<void>;
  /** Frames dropped by reason, send failures, ...; shown by `twinbeat status`. */
  counters(): Record<string, number>;
  /** What an operator must fix about the paths now (frames from the peer that fail authentication, ...). */
  problems?(): string[];
}
