// A heartbeat path as the agent sees it: bytes in, bytes out, counters. A link knows nothing
// of the frame format (src/wire does); a byte stream such as the serial line is cut into
// frames by a splitter the caller hands in. A link never decides that a path is dead: it
// delivers what arrives with the time it arrived and the core judges the silence.

/** One frame's bytes, exactly as they travelled (a datagram, or one frame cut from a stream). */
export type FrameBytes = Buffer;

/** Called for each frame that arrived on `path` (a config path id) at `receivedAt` (ms, the link's clock). */
export type FrameHandler = (frame: FrameBytes, path: string, receivedAt: number) => void;

/** Cuts a byte stream into frames, skipping line noise; src/wire provides the real one. */
export interface FrameSplitter {
  /** Feeds a chunk as read; returns the frames it completed. Never throws, never holds more than its limit. */
  push(chunk: Buffer): FrameBytes[];
  /** Bytes skipped as noise and frames dropped as oversized, for the counters. */
  counters(): Record<string, number>;
}

export interface Link {
  /** The config path ids this link carries (one UDP socket may serve several ucast/bcast lines). */
  readonly paths: readonly string[];
  /** Opens the path; resolves once it is open or once its first failure is logged (it keeps retrying). */
  start(onFrame: FrameHandler): Promise<void>;
  /** Queues a frame on one of `paths`. Never throws and never waits; a failure is counted and logged once per change. */
  send(frame: FrameBytes, path: string): void;
  stop(): Promise<void>;
  /** Frames and bytes sent and received, drops by reason, send failures, reopenings. */
  counters(): Record<string, number>;
}

/** What links log: one line per change of condition, never one per frame. */
export interface LinkLog {
  info(message: string): void;
  warn(message: string): void;
  debug?(message: string): void;
}
