// The ucast and bcast paths on one UDP port and address family: one socket bound to the
// wildcard address on `udpport` (SO_REUSEADDR, as Heartbeat's own sockets), shared by every
// line on that port, each datagram handed to the path its source address belongs to (see
// udp-demux.ts). Sending never throws and never waits: the datagram is handed to the kernel
// and its outcome counted; a failure is logged once per change and the next frame simply
// tries again.
//
// Node cannot bind a socket to a device (SO_BINDTODEVICE) or ask which interface a datagram
// came in on; instead a ucast path sends only while its interface is up with an address of
// the peer's family, so a frame never leaves through another route when that cable is out.
import type { RemoteInfo } from 'node:dgram';
import type { PathSpec } from '../config/types';
import type { BackoffOptions } from '../backoff';
import { reasonOf } from './condition-log';
import { InterfaceTable } from './interfaces';
import type { FrameBytes, FrameHandler, Link, LinkLog } from './link';
import { PathTally } from './path-tally';
import { TwinCopies } from './twin-copies';
import { bcastTwinOf, classifySource } from './udp-demux';
import { RetryingUdpSocket } from './udp-socket';

export type UcastPath = Extract<PathSpec, { kind: 'ucast' }>;
export type BcastPath = Extract<PathSpec, { kind: 'bcast' }>;

export interface UdpLinkOptions {
  family: 4 | 6;
  port: number;
  /** The ucast lines of this family and the bcast lines (IPv4 only) on `port`. */
  paths: ReadonlyArray<UcastPath | BcastPath>;
  log: LinkLog;
  now?: () => number;
  interfaces?: InterfaceTable;
  /** Default: the wildcard address. Two nodes on one host (tests) bind 127.0.0.1 and 127.0.0.2. */
  bindAddress?: string;
  backoff?: BackoffOptions;
}

export class UdpLink implements Link {
  readonly paths: readonly string[];
  private readonly specs: ReadonlyMap<string, UcastPath | BcastPath>;
  private readonly tally: PathTally;
  private readonly interfaces: InterfaceTable;
  private readonly now: () => number;
  private readonly socket: RetryingUdpSocket;
  private onFrame: FrameHandler | undefined;
  private readonly twins = new TwinCopies();

  constructor(private readonly options: UdpLinkOptions) {
    this.paths = options.paths.map((p) => p.id);
    this.specs = new Map(options.paths.map((p) => [p.id, p]));
    this.tally = new PathTally(options.log, this.paths);
    this.now = options.now ?? Date.now;
    this.interfaces = options.interfaces ?? new InterfaceTable(undefined, this.now);
    const hasBcast = options.paths.some((p) => p.kind === 'bcast');
    this.socket = new RetryingUdpSocket({
      family: options.family,
      port: options.port,
      address: options.bindAddress ?? (options.family === 4 ? '0.0.0.0' : '::'),
      subject: `udp${options.family === 6 ? '6' : ''} port ${options.port}`,
      log: options.log,
      counters: this.tally.counters,
      ...(options.backoff ? { backoff: options.backoff } : {}),
      onMessage: (message, remote) => this.receive(message, remote),
      onBound: (socket) => {
        if (hasBcast) socket.setBroadcast(true);
      },
    });
  }

  start(onFrame: FrameHandler): Promise<void> {
    this.onFrame = onFrame;
    return this.socket.start();
  }

  send(frame: FrameBytes, pathId: string): void {
    const spec = this.specs.get(pathId);
    if (!spec) {
      this.tally.counters.add('dropped-unknown-path');
      return;
    }
    const destination = this.destinationOf(spec);
    if ('failure' in destination) return this.tally.sendFailed(pathId, destination.failure);
    const sending = this.socket.send(frame, spec.port, destination.address, (err) => {
      if (err) this.tally.sendFailed(pathId, reasonOf(err));
      else this.tally.sent(pathId, frame.length);
    });
    if (!sending) this.tally.sendFailed(pathId, 'socket not open');
  }

  stop(): Promise<void> {
    this.onFrame = undefined;
    return this.socket.stop();
  }

  counters(): Record<string, number> {
    return this.tally.counters.snapshot();
  }

  private destinationOf(spec: UcastPath | BcastPath): { address: string } | { failure: string } {
    const family = this.options.family;
    if (spec.kind === 'ucast') {
      if (!this.interfaces.hasAddress(spec.iface, family)) return { failure: `${spec.iface} is down or has no IPv${family} address` };
      return { address: spec.peerAddress };
    }
    if (family !== 4) return { failure: 'bcast is IPv4 only' };
    const net = this.interfaces.ipv4(spec.iface)[0];
    if (!net) return { failure: `${spec.iface} is down or has no IPv4 address` };
    return { address: net.broadcast };
  }

  private receive(message: Buffer, remote: RemoteInfo): void {
    const verdict = classifySource(remote.address, this.options.paths, this.interfaces);
    if (verdict.kind === 'own') return this.tally.counters.add('own');
    // Counted, not logged: a stranger on the LAN must not be able to fill the log.
    if (verdict.kind === 'unknown') return this.tally.counters.add('dropped-unknown-source');
    const twin = bcastTwinOf(verdict.id, this.options.paths, this.interfaces);
    const path = twin ? this.twins.route(message, verdict.id, twin) : verdict.id;
    this.tally.received(path, message.length);
    this.onFrame?.(message, path, this.now());
  }
}
