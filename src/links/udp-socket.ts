// A bound UDP socket that keeps trying: if binding fails (port taken without SO_REUSEADDR,
// no permission for a port below 1024, no IPv6 on the host) or the socket errors later, the
// failure is logged once, the socket is closed and bound again after a back-off. Used by the
// ucast/bcast driver and by the multicast driver; neither ever sends on a socket that is not
// bound (Node would silently bind it to a random port).
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { rememberingLookup } from './address-lookup';
import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from '../backoff';
import { ConditionLog, reasonOf } from './condition-log';
import type { Counters } from './counters';
import type { LinkLog } from './link';
import { PendingSends } from './pending-sends';

export interface RetryingSocketOptions {
  family: 4 | 6;
  port: number;
  address: string;
  /** Names the socket in log lines, e.g. `udp port 694`. */
  subject: string;
  log: LinkLog;
  counters: Counters;
  backoff?: BackoffOptions;
  onMessage(message: Buffer, remote: RemoteInfo): void;
  /** Socket options that need a bound socket (broadcast, multicast membership); may throw. */
  onBound?(socket: Socket): void;
}

export class RetryingUdpSocket {
  private socket: Socket | undefined;
  private bound = false;
  /** Set by a failure, so that the next successful bind counts as a reopening. */
  private retrying = false;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  private readonly backoff: Backoff;
  private readonly condition: ConditionLog;
  private readonly pending = new PendingSends();
  /** Kept across reopenings: the addresses do not change. */
  private readonly lookup = rememberingLookup();

  constructor(private readonly options: RetryingSocketOptions) {
    this.backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF);
    this.condition = new ConditionLog(options.log, options.subject, 'open', 'open again');
  }

  /** Resolves once bound, or once the first failure is logged (binding goes on in the background). */
  start(): Promise<void> {
    this.stopped = false;
    return new Promise((resolve) => this.open(resolve));
  }

  /** The socket when it is bound, else undefined. */
  current(): Socket | undefined {
    return this.bound ? this.socket : undefined;
  }

  /**
   * Sends on the bound socket; `done` gets the outcome. False (and nothing sent) when the socket
   * is not bound. Never throws.
   */
  send(frame: Buffer, port: number, address: string, done: (err: unknown) => void): boolean {
    const socket = this.current();
    if (!socket) return false;
    this.pending.begin();
    try {
      socket.send(frame, port, address, (err) => {
        this.pending.end();
        done(err);
      });
    } catch (err) {
      this.pending.end();
      done(err);
    }
    return true;
  }

  /** Closes the socket once the frames already handed to it have left (at most FLUSH_LIMIT_MS). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.pending.idle();
    const socket = this.socket;
    this.socket = undefined;
    this.bound = false;
    if (socket) await new Promise<void>((resolve) => {
      try {
        socket.close(() => resolve());
      } catch {
        resolve(); // already closed
      }
    });
  }

  private open(settled?: () => void): void {
    const { family, port, address } = this.options;
    const socket = createSocket({ type: family === 4 ? 'udp4' : 'udp6', reuseAddr: true, ipv6Only: family === 6, lookup: this.lookup });
    this.socket = socket;
    socket.on('message', (message, remote) => this.options.onMessage(message, remote));
    socket.on('error', (err) => {
      this.fail(socket, reasonOf(err));
      settled?.();
    });
    socket.bind({ port, address, exclusive: false }, () => {
      try {
        this.options.onBound?.(socket);
      } catch (err) {
        this.fail(socket, reasonOf(err));
        settled?.();
        return;
      }
      this.bound = true;
      if (this.retrying) this.options.counters.add('reopened');
      this.retrying = false;
      this.backoff.reset();
      this.condition.ok();
      settled?.();
    });
  }

  private fail(socket: Socket, reason: string): void {
    if (socket !== this.socket) return; // an old socket's late error
    this.options.counters.add('open-failed');
    this.condition.failed(reason);
    this.bound = false;
    this.retrying = true;
    this.socket = undefined;
    try {
      socket.close();
    } catch {
      // already closed
    }
    if (this.stopped) return;
    this.retry = setTimeout(() => {
      if (!this.stopped) this.open();
    }, this.backoff.next());
  }
}
