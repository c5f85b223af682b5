// How the agent reaches its peer: core messages out, authenticated core messages in, each
// with the id of the path it travelled. The real one encodes frames with src/wire and moves
// them over src/links; the loopback one joins two agents in one process (tests, the demo).
import type { Message } from '../core';

export type Deliver = (path: string, message: Message) => void;

export interface PeerTransport {
  /** Opens every path; from now on `deliver` is called for each authenticated message. */
  start(deliver: Deliver): Promise<void>;
  /** Sends on every path, or on one. Never throws and never waits: a failing path is the link's to report. */
  send(message: Message, path?: string): void;
  stop(): Promise<void>;
  /** Frames dropped by reason, send failures, ...; shown by `twinbeat status`. */
  counters(): Record<string, number>;
  /** What an operator must fix about the paths now (frames from the peer that fail authentication, ...). */
  problems?(): string[];
}
