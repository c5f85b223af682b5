// Frames waiting for a serial port, in order, at most `limit` of them: a port that stops
// draining (a pty nobody reads, a stuck USB adapter) must not grow memory, and the newest
// heartbeat is worth more than the oldest, so the oldest is dropped when full.
export class BoundedFrameQueue {
  private readonly frames: Buffer[] = [];

  constructor(private readonly limit: number) {}

  /** Queues a frame; returns the frame dropped to make room, if any. */
  push(frame: Buffer): Buffer | undefined {
    const dropped = this.frames.length >= this.limit ? this.frames.shift() : undefined;
    this.frames.push(frame);
    return dropped;
  }

  shift(): Buffer | undefined {
    return this.frames.shift();
  }

  /** Empties the queue; returns how many frames it held. */
  clear(): number {
    return this.frames.splice(0).length;
  }

  get length(): number {
    return this.frames.length;
  }
}
