// This node's interfaces as the UDP driver needs them: which addresses are its own (to drop
// its own broadcast echo), the IPv4 subnet and broadcast address of an interface (to demux and
// send bcast). Read from os.networkInterfaces(), which lists only interfaces that are up.
// While the kernel's news of links and addresses arrives (followMonitor: the agent's `ip
// monitor`), the table is read again on news, and otherwise at most every `settledMaxAgeMs` in
// case a line was missed; without it, at most once per `maxAgeMs`, so that an interface brought
// up, down or readdressed is seen within that time without a system call per datagram. (Read
// once a second, the list cost an idle agent a netlink socket and two dumps of the kernel's
// tables every second, a sixth of its time.) An interface missing from the
// table is looked for again sooner (`missMaxAgeMs`): at boot the kernel reports the carrier of
// a link just set up up to a second late, and for that second this node would hear its peer
// without being able to answer it.
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import type { LinkMonitor } from './link-monitor';
import { canonicalAddress, ipv4Broadcast } from './addresses';

export type InterfaceSnapshot = NodeJS.Dict<NetworkInterfaceInfo[]>;

export interface Ipv4Net {
  address: string;
  netmask: string;
  broadcast: string;
}

export class InterfaceTable {
  private snapshot: InterfaceSnapshot = {};
  private own = new Set<string>();
  private readAt = -Infinity;
  /** Per interface, its IPv4 networks as ipv4() answers them, worked out once per reading. */
  private nets = new Map<string, Ipv4Net[]>();
  /** Whether the kernel's news of changes arrives now (the monitor runs). */
  private told = false;

  constructor(
    private readonly read: () => InterfaceSnapshot = networkInterfaces,
    private readonly now: () => number = Date.now,
    private readonly maxAgeMs = 1_000,
    private readonly missMaxAgeMs = 100,
    private readonly settledMaxAgeMs = 30_000,
  ) {}

  /** Reads again on each change the monitor reports, and only then (or after settledMaxAgeMs) while it runs. */
  followMonitor(monitor: Pick<LinkMonitor, 'listen'>): () => void {
    return monitor.listen({
      onChange: () => this.stale(),
      onRunning: (running) => {
        // Whatever changed while no news came is read at the next use.
        this.told = running;
        this.stale();
      },
    });
  }

  private stale(): void {
    this.readAt = -Infinity;
  }

  private fresh(maxAgeMs = this.told ? this.settledMaxAgeMs : this.maxAgeMs): InterfaceSnapshot {
    const t = this.now();
    if (t - this.readAt >= maxAgeMs || t < this.readAt) {
      this.readAt = t;
      try {
        this.snapshot = this.read();
      } catch {
        // Keep the last known table: a failed read must not make every source unknown.
      }
      this.nets = new Map();
      this.own = new Set(
        Object.values(this.snapshot)
          .flatMap((infos) => infos ?? [])
          .map((info) => canonicalAddress(info.address)),
      );
    }
    return this.snapshot;
  }

  /** Whether `address` is one of this node's (any interface). */
  isOwn(address: string): boolean {
    this.fresh();
    return this.own.has(canonicalAddress(address));
  }

  /** The IPv4 networks on `iface`; empty when it is missing, down or has none. */
  ipv4(iface: string): Ipv4Net[] {
    let snapshot = this.fresh();
    if (!snapshot[iface]?.some((info) => info.family === 'IPv4')) snapshot = this.fresh(this.missMaxAgeMs);
    let nets = this.nets.get(iface);
    if (!nets) {
      nets = (snapshot[iface] ?? [])
        .filter((info) => info.family === 'IPv4')
        .map((info) => ({ address: info.address, netmask: info.netmask, broadcast: ipv4Broadcast(info.address, info.netmask) }));
      this.nets.set(iface, nets);
    }
    return nets;
  }

  /** Whether `iface` is up with at least one address of `family`. */
  hasAddress(iface: string, family: 4 | 6): boolean {
    const has = (snapshot: InterfaceSnapshot) => (snapshot[iface] ?? []).some((info) => info.family === (family === 4 ? 'IPv4' : 'IPv6'));
    return has(this.fresh()) || has(this.fresh(this.missMaxAgeMs));
  }
}
