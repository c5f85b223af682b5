// One `mcast IFACE GROUP PORT TTL LOOP` line: a socket of its own, bound to the group address
// (so it hears only that group, never the unicast traffic of a ucast socket on the same port)
// and joined to the group on the interface's address. Joining needs that address: until the
// interface has one (boot, cable out), the join fails, is logged once and retried with the
// socket's back-off. Our own frames looped back (LOOP 1) are counted as `own` and dropped.
//
// A ucast/bcast socket bound to the wildcard on the same port also receives the group's
// datagrams (Linux delivers multicast to every matching socket); give mcast its own port
// when a node also has ucast or bcast lines, or the peer is heard on both paths.
import type { RemoteInfo, Socket } from 'node:dgram';
import type { PathSpec } from '../config/types';
import type { BackoffOptions } from '../backoff';
import { reasonOf } from './condition-log';
import { InterfaceTable } from './interfaces';
import type { FrameBytes, FrameHandler, Link, LinkLog } from './link';
import { PathTally } from './path-tally';
import { RetryingUdpSocket } from './udp-socket';

export type McastPath = Extract<PathSpec, { kind: 'mcast' }>;

export interface McastLinkOptions {
  path: McastPath;
  log: LinkLog;
  now?: () => number;
  interfaces?: InterfaceTable;
  backoff?: BackoffOptions;
}

export class McastLink implements Link {
  readonly paths: readonly string[];
  private readonly tally: PathTally;
  private readonly interfaces: InterfaceTable;
  private readonly now: () => number;
  private readonly socket: RetryingUdpSocket;
  private onFrame: FrameHandler | undefined;

  constructor(private readonly options: McastLinkOptions) {
    const { path } = options;
    this.paths = [path.id];
    this.tally = new PathTally(options.log, this.paths);
    this.now = options.now ?? Date.now;
    this.interfaces = options.interfaces ?? new InterfaceTable(undefined, this.now);
    this.socket = new RetryingUdpSocket({
      family: 4,
      port: path.port,
      address: path.group,
      subject: path.id,
      log: options.log,
      counters: this.tally.counters,
      ...(options.backoff ? { backoff: options.backoff } : {}),
      onMessage: (message, remote) => this.receive(message, remote),
      onBound: (socket) => this.join(socket),
    });
  }

  start(onFrame: FrameHandler): Promise<void> {
    this.onFrame = onFrame;
    return this.socket.start();
  }

  send(frame: FrameBytes, pathId: string): void {
    const { path } = this.options;
    if (pathId !== path.id) {
      this.tally.counters.add('dropped-unknown-path');
      return;
    }
    if (!this.interfaces.hasAddress(path.iface, 4)) return this.tally.sendFailed(path.id, `${path.iface} is down or has no IPv4 address`);
    const sending = this.socket.send(frame, path.port, path.group, (err) => {
      if (err) this.tally.sendFailed(path.id, reasonOf(err));
      else this.tally.sent(path.id, frame.length);
    });
    if (!sending) this.tally.sendFailed(path.id, 'not joined to the group');
  }

  stop(): Promise<void> {
    this.onFrame = undefined;
    return this.socket.stop();
  }

  counters(): Record<string, number> {
    return this.tally.counters.snapshot();
  }

  /** Joins the group on the interface and sends through it; throws (and is retried) without an address. */
  private join(socket: Socket): void {
    const { path } = this.options;
    const net = this.interfaces.ipv4(path.iface)[0];
    if (!net) throw new Error(`${path.iface} is down or has no IPv4 address`);
    socket.addMembership(path.group, net.address);
    socket.setMulticastInterface(net.address);
    socket.setMulticastTTL(path.ttl);
    socket.setMulticastLoopback(path.loop);
  }

  private receive(message: Buffer, remote: RemoteInfo): void {
    if (this.interfaces.isOwn(remote.address)) return this.tally.counters.add('own');
    this.tally.received(this.options.path.id, message.length);
    this.onFrame?.(message, this.options.path.id, this.now());
  }
}
