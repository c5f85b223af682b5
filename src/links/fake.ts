// Two links joined in memory, for the simulator and for tests of what sits above the links.
// Each path can be cut and healed in one direction or both (a one-way link is a case the core
// must handle), and its next frames dropped or duplicated. Delivery is later, never inside
// send(), as from a socket, so a receiver is never re-entered by its own sender.
import { Counters } from './counters';
import type { FrameBytes, FrameHandler, Link } from './link';

export type End = 'a' | 'b';
/** `a-to-b`: frames sent by a towards b. */
export type Direction = 'a-to-b' | 'b-to-a' | 'both';

export interface FakePairOptions {
  /** The path ids both ends carry. */
  paths: readonly string[];
  /** The receivers' clock; default Date.now. */
  now?: () => number;
  /** Runs a delivery later; default setImmediate. A simulator passes its own event queue. */
  schedule?: (deliver: () => void) => void;
}

/** What happens to frames on one path in one direction. */
interface Lane {
  cut: boolean;
  dropNext: number;
  duplicateNext: number;
}

const directionsOf = (direction: Direction): Array<'a-to-b' | 'b-to-a'> =>
  direction === 'both' ? ['a-to-b', 'b-to-a'] : [direction];

class FakeLink implements Link {
  readonly tally = new Counters();
  onFrame: FrameHandler | undefined;

  constructor(
    readonly paths: readonly string[],
    private readonly transmit: (frame: FrameBytes, path: string) => void,
  ) {}

  async start(onFrame: FrameHandler): Promise<void> {
    this.onFrame = onFrame;
  }

  send(frame: FrameBytes, path: string): void {
    if (!this.paths.includes(path)) {
      this.tally.add('dropped-unknown-path');
      return;
    }
    this.tally.add('frames-sent');
    this.tally.add('bytes-sent', frame.length);
    // A copy: the sender may reuse its buffer, as it may with a real socket.
    this.transmit(Buffer.from(frame), path);
  }

  async stop(): Promise<void> {
    this.onFrame = undefined;
  }

  counters(): Record<string, number> {
    return this.tally.snapshot();
  }
}

export class FakeLinkPair {
  readonly a: Link;
  readonly b: Link;
  private readonly ends: Record<End, FakeLink>;
  private readonly lanes = new Map<string, Lane>();
  private readonly now: () => number;
  private readonly schedule: (deliver: () => void) => void;

  constructor(options: FakePairOptions) {
    this.now = options.now ?? Date.now;
    this.schedule = options.schedule ?? ((deliver) => void setImmediate(deliver));
    for (const path of options.paths) {
      for (const direction of directionsOf('both')) this.lanes.set(`${direction} ${path}`, { cut: false, dropNext: 0, duplicateNext: 0 });
    }
    const a = new FakeLink(options.paths, (frame, path) => this.carry(frame, path, 'a-to-b'));
    const b = new FakeLink(options.paths, (frame, path) => this.carry(frame, path, 'b-to-a'));
    this.ends = { a, b };
    this.a = a;
    this.b = b;
  }

  /** Frames on `path` are lost until heal(); with a direction, only that way (a one-way link). */
  cut(path: string, direction: Direction = 'both'): void {
    for (const lane of this.lanesOf(path, direction)) lane.cut = true;
  }

  heal(path: string, direction: Direction = 'both'): void {
    for (const lane of this.lanesOf(path, direction)) lane.cut = false;
  }

  /** The next `count` frames on `path` (each direction counted on its own) are lost. */
  drop(path: string, count: number, direction: Direction = 'both'): void {
    for (const lane of this.lanesOf(path, direction)) lane.dropNext += count;
  }

  /** The next `count` frames on `path` arrive twice. */
  duplicate(path: string, count: number, direction: Direction = 'both'): void {
    for (const lane of this.lanesOf(path, direction)) lane.duplicateNext += count;
  }

  private lanesOf(path: string, direction: Direction): Lane[] {
    return directionsOf(direction).map((d) => {
      const lane = this.lanes.get(`${d} ${path}`);
      if (!lane) throw new Error(`fake link: no path ${path}`);
      return lane;
    });
  }

  private carry(frame: FrameBytes, path: string, direction: 'a-to-b' | 'b-to-a'): void {
    const lane = this.lanesOf(path, direction)[0]!;
    const receiver = this.ends[direction === 'a-to-b' ? 'b' : 'a'];
    if (lane.cut) {
      receiver.tally.add('dropped-cut');
      return;
    }
    if (lane.dropNext > 0) {
      lane.dropNext -= 1;
      receiver.tally.add('dropped-fault');
      return;
    }
    let copies = 1;
    if (lane.duplicateNext > 0) {
      lane.duplicateNext -= 1;
      copies = 2;
    }
    for (let i = 0; i < copies; i++) {
      this.schedule(() => {
        // Cut while in flight, or the receiver not listening: lost, as on a wire.
        if (lane.cut || !receiver.onFrame) {
          receiver.tally.add(lane.cut ? 'dropped-cut' : 'dropped-not-started');
          return;
        }
        receiver.tally.add('frames-received');
        receiver.tally.add('bytes-received', frame.length);
        receiver.onFrame(Buffer.from(frame), path, this.now());
      });
    }
  }
}
