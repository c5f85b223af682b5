// A `serial DEVICE` line: the device opened raw, 8N1, no flow control, the bytes read fed to a
// frame splitter (the stream has no datagram boundaries and may carry line noise), frames
// written one after another from a bounded queue. When the device errors or disappears (a USB
// adapter unplugged, the other end of a pty gone), that is logged once, and the device is
// opened again after a back-off (250 ms doubling to 5 s) until it is back, which is logged.
//
// Settings: `baud` from ha.cf (Heartbeat's default 19200), 8 data bits, no parity, 1 stop bit,
// no RTS/CTS and no XON/XOFF (frames are text, but XOFF must not stall a heartbeat), and HUPCL
// off so that closing the port does not drop DTR on a peer that might watch it. No modem
// control line is read or driven, so the null-modem cable needs only TX->RX both ways and
// signal ground: a three-wire cable (DB9: 2-3, 3-2, 5-5) works, and so does a full one.
//
// Partial writes: the binding writes the rest of a buffer after a short write (and waits for
// the device to be writable), so a queued frame leaves whole or the port is declared lost.
import type { autoDetect } from '@serialport/bindings-cpp';
import type { PathSpec } from '../config/types';
import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from '../backoff';
import { reasonOf } from './condition-log';
import { Counters } from './counters';
import type { FrameBytes, FrameHandler, FrameSplitter, Link, LinkLog } from './link';
import { BoundedFrameQueue } from './write-queue';
import { PendingSends } from './pending-sends';
import { defaultSerialBinding } from './serial-hangup';

export type SerialPath = Extract<PathSpec, { kind: 'serial' }>;

/** The open options of @serialport/bindings-cpp (its interface package ships no types for ESM). */
export type SerialOpenOptions = Parameters<ReturnType<typeof autoDetect>['open']>[0];

/** The part of an opened @serialport/bindings-cpp port this link uses. */
export interface SerialPortHandle {
  readonly isOpen: boolean;
  read(buffer: Buffer, offset: number, length: number): Promise<{ bytesRead: number }>;
  write(buffer: Buffer): Promise<void>;
  close(): Promise<void>;
}

export interface SerialBinding {
  open(options: SerialOpenOptions): Promise<SerialPortHandle>;
}

export interface SerialLinkOptions {
  path: SerialPath;
  /** A fresh splitter per opening: a frame cut in half by an unplug is not glued to the next. */
  splitter: () => FrameSplitter;
  log: LinkLog;
  now?: () => number;
  backoff?: BackoffOptions;
  /** Frames waiting for the port at most; default 16 (several seconds of heartbeats at 19200 baud). */
  maxQueuedFrames?: number;
  /** Default: the platform's binding from @serialport/bindings-cpp, reads ending at a hang-up. */
  binding?: SerialBinding;
}

const READ_CHUNK = 1024;

export class SerialLink implements Link {
  readonly paths: readonly string[];
  private readonly tally = new Counters();
  private readonly queue: BoundedFrameQueue;
  private readonly backoff: Backoff;
  private binding: SerialBinding | undefined;
  private readonly now: () => number;
  private readonly subject: string;
  private port: SerialPortHandle | undefined;
  /** The port a write loop is running on: at most one loop per opened port. */
  private writingOn: SerialPortHandle | undefined;
  private splitter: FrameSplitter | undefined;
  /** Counters of the splitters of earlier openings, so that none are lost at a reopening. */
  private readonly earlierSplitters = new Counters();
  private onFrame: FrameHandler | undefined;
  private stopped = true;
  /** Whether the device is known to be unavailable (logged once, cleared when it opens again). */
  private down = false;
  private everOpened = false;
  private retry: NodeJS.Timeout | undefined;
  /** Queued and in-flight frames: stop() lets them go out before it closes the port. */
  private readonly pending = new PendingSends();

  constructor(private readonly options: SerialLinkOptions) {
    this.paths = [options.path.id];
    this.subject = options.path.id;
    this.queue = new BoundedFrameQueue(options.maxQueuedFrames ?? 16);
    this.backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF);
    this.binding = options.binding;
    this.now = options.now ?? Date.now;
  }

  async start(onFrame: FrameHandler): Promise<void> {
    this.onFrame = onFrame;
    this.stopped = false;
    await this.open();
  }

  send(frame: FrameBytes, pathId: string): void {
    if (pathId !== this.options.path.id) {
      this.tally.add('dropped-unknown-path');
      return;
    }
    if (!this.port) {
      // Not queued while the device is away: a heartbeat delivered late would only mislead.
      this.tally.add('send-failed');
      return;
    }
    this.pending.begin();
    if (this.queue.push(asSerialFrame(frame))) {
      this.tally.add('dropped-queue-full');
      this.pending.end();
    }
    void this.writeQueued();
  }

  /** Closes the port once the frames already queued have been written (at most FLUSH_LIMIT_MS). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.onFrame = undefined;
    clearTimeout(this.retry);
    await this.pending.idle();
    this.pending.end(this.queue.clear());
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await port.close().catch(() => {});
  }

  counters(): Record<string, number> {
    const out = this.tally.snapshot();
    const splitter = { ...this.earlierSplitters.snapshot() };
    for (const [name, value] of Object.entries(this.splitter?.counters() ?? {})) splitter[name] = (splitter[name] ?? 0) + value;
    for (const [name, value] of Object.entries(splitter)) out[`splitter ${name}`] = value;
    return out;
  }

  /** One attempt to open the device; on failure, logs (once) and schedules the next. */
  private async open(): Promise<void> {
    if (this.stopped) return;
    const { device, baud } = this.options.path;
    let port: SerialPortHandle;
    try {
      // The native addon is loaded only by a node that has a serial line, when it first opens it.
      const binding = (this.binding ??= await defaultSerialBinding());
      port = await binding.open({
        path: device,
        baudRate: baud,
        dataBits: 8,
        parity: 'none',
        stopBits: 1,
        rtscts: false,
        xon: false,
        xoff: false,
        xany: false,
        hupcl: false,
      });
    } catch (err) {
      this.tally.add('open-failed');
      this.becameUnavailable(`open failed: ${reasonOf(err)}`);
      this.scheduleOpen();
      return;
    }
    if (this.stopped) {
      await port.close().catch(() => {});
      return;
    }
    this.port = port;
    this.keepSplitterCounters();
    this.splitter = this.options.splitter();
    this.backoff.reset();
    if (this.everOpened) this.tally.add('reopened');
    this.everOpened = true;
    if (this.down) this.options.log.info(`${this.subject}: open again`);
    this.down = false;
    void this.readUntilLost(port);
  }

  private scheduleOpen(): void {
    if (this.stopped) return;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.open(), this.backoff.next());
  }

  /** Logs the first failure of a run of them: `port lost: EIO`, or `open failed: ENOENT` at start. */
  private becameUnavailable(what: string): void {
    if (this.down) return;
    this.down = true;
    this.options.log.warn(`${this.subject}: ${what}; retrying`);
  }

  /** The device failed under us: forget it, close it, try again later. */
  private lost(port: SerialPortHandle, err: unknown): void {
    if (port !== this.port) return;
    this.port = undefined;
    this.tally.add('lost');
    const unsent = this.queue.clear();
    this.pending.end(unsent);
    if (unsent > 0) this.tally.add('send-failed', unsent);
    this.becameUnavailable(`port lost: ${reasonOf(err)}`);
    port.close().catch(() => {});
    this.scheduleOpen();
  }

  private async readUntilLost(port: SerialPortHandle): Promise<void> {
    const buffer = Buffer.alloc(READ_CHUNK);
    while (port === this.port) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await port.read(buffer, 0, buffer.length));
      } catch (err) {
        if (!this.stopped) this.lost(port, err);
        return;
      }
      if (port !== this.port) return;
      this.tally.add('bytes-received', bytesRead);
      // The splitter may keep the chunk's bytes; the read buffer is reused.
      const frames = this.splitter?.push(Buffer.from(buffer.subarray(0, bytesRead))) ?? [];
      const at = this.now();
      for (const frame of frames) {
        this.tally.add('frames-received');
        this.onFrame?.(frame, this.options.path.id, at);
      }
    }
  }

  /** Writes queued frames in order, one at a time, while this port stays the current one. */
  private async writeQueued(): Promise<void> {
    const port = this.port;
    if (!port || this.writingOn === port) return;
    this.writingOn = port;
    try {
      for (let frame = this.queue.shift(); frame; frame = port === this.port ? this.queue.shift() : undefined) {
        try {
          await port.write(frame);
        } catch (err) {
          this.pending.end();
          this.tally.add('send-failed');
          this.lost(port, err);
          return;
        }
        this.pending.end();
        this.tally.add('frames-sent');
        this.tally.add('bytes-sent', frame.length);
      }
    } finally {
      if (this.writingOn === port) this.writingOn = undefined;
    }
  }

  private keepSplitterCounters(): void {
    for (const [name, value] of Object.entries(this.splitter?.counters() ?? {})) this.earlierSplitters.add(name, value);
  }
}

/**
 * A frame as it goes on the cable: a classic frame without the NUL its UDP datagram ends with.
 * Heartbeat's serial reader skips to a line that begins with `>>>`, so a NUL left before the next
 * frame's `>>>` hides that frame from a Heartbeat peer (it heard at most the first one); twinbeat's
 * own splitter cuts a classic frame at its `<<<` line and takes a NUL for a separator either way.
 */
export function asSerialFrame(frame: FrameBytes): Buffer {
  let end = frame.length;
  while (end > 0 && frame[end - 1] === 0) end--;
  return Buffer.from(frame.subarray(0, end));
}
