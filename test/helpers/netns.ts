// Builds a pair of appliances on this one machine with network namespaces, as DESIGN.md lays
// out: node a and node b, a client, a service LAN through a bridge (in a "switch" namespace of
// its own, so nothing is added to the host's namespace), and a crossover link between a and b.
// Only documentation addresses, only inside namespaces made here; everything started in them
// is ended by pid and the namespaces are deleted on dispose(), and at process exit as a backstop.
import { execFileSync, spawnSync } from 'node:child_process';

export const LAN = {
  a: '192.0.2.1',
  b: '192.0.2.2',
  client: '192.0.2.100',
  vip: '192.0.2.50',
  prefix: 24,
  a6: '2001:db8::1',
  b6: '2001:db8::2',
  client6: '2001:db8::100',
};
export const CROSSOVER = { a: '198.51.100.1', b: '198.51.100.2', prefix: 24, a6: '2001:db8:1::1', b6: '2001:db8:1::2' };

/** Why the e2e tests cannot run here, or undefined when they can. */
export function labUnavailable(tools: string[] = ['ip']): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  for (const tool of tools) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `needs ${tool} (apt-get install ${tool === 'ip' ? 'iproute2' : tool === 'arping' ? 'iputils-arping' : tool})`;
  }
  return undefined;
}

const live = new Set<Lab>();
let labsMade = 0;
process.on('exit', () => {
  for (const lab of live) lab.dispose();
});

export type NodeName = 'a' | 'b' | 'client' | 'sw';

export class Lab {
  readonly id: string;
  private readonly namespaces: string[] = [];
  private disposed = false;

  constructor() {
    // Short and unique per test process (and per Lab within it, for the benches that run pairs
    // side by side); namespace names are file names, interface names are inside the namespaces
    // and never clash with the host's.
    this.id = labsMade === 0 ? `tb${process.pid}` : `tb${process.pid}x${labsMade}`;
    labsMade++;
    live.add(this);
  }

  ns(node: NodeName): string {
    return `${this.id}-${node}`;
  }

  /** Runs a command in a node's namespace; throws with its stderr when it fails. */
  exec(node: NodeName, args: string[], input?: string): string {
    return execFileSync('ip', ['netns', 'exec', this.ns(node), ...args], {
      encoding: 'utf8',
      timeout: 10_000,
      ...(input !== undefined ? { input } : {}),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  }

  /** Like exec, but returns the status instead of throwing. */
  run(node: NodeName, args: string[]): { status: number; stdout: string; stderr: string } {
    const r = spawnSync('ip', ['netns', 'exec', this.ns(node), ...args], { encoding: 'utf8', timeout: 10_000 });
    return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  private ip(args: string[]): void {
    execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  }

  private addNamespace(node: NodeName): void {
    this.ip(['netns', 'add', this.ns(node)]);
    this.namespaces.push(this.ns(node));
    this.exec(node, ['ip', 'link', 'set', 'lo', 'up']);
  }

  /** Plugs `iface` of `node` into the LAN switch. */
  private plugIntoLan(node: NodeName, iface: string, address: string, address6: string): void {
    const port = `p-${node}`;
    this.ip(['link', 'add', iface, 'netns', this.ns(node), 'type', 'veth', 'peer', 'name', port, 'netns', this.ns('sw')]);
    this.exec('sw', ['ip', 'link', 'set', port, 'master', 'br0', 'up']);
    // With its broadcast address, as a real interface has it (Heartbeat's bcast sends there).
    this.exec(node, ['ip', 'addr', 'add', `${address}/${LAN.prefix}`, 'brd', '+', 'dev', iface]);
    // No duplicate address detection delay for the test's own IPv6 addresses.
    this.exec(node, ['ip', '-6', 'addr', 'add', `${address6}/64`, 'dev', iface, 'nodad']);
    this.exec(node, ['ip', 'link', 'set', iface, 'up']);
  }

  /**
   * a and b with eth0 on the LAN and eth1 on the crossover (IPv4 and IPv6); a client on the LAN.
   * The bridge forwards at once (no STP delay) so an ARP change is seen immediately.
   */
  buildPair(): this {
    for (const node of ['sw', 'a', 'b', 'client'] as const) this.addNamespace(node);
    this.exec('sw', ['ip', 'link', 'add', 'br0', 'type', 'bridge', 'forward_delay', '0', 'stp_state', '0']);
    this.exec('sw', ['ip', 'link', 'set', 'br0', 'up']);
    this.plugIntoLan('a', 'eth0', LAN.a, LAN.a6);
    this.plugIntoLan('b', 'eth0', LAN.b, LAN.b6);
    this.plugIntoLan('client', 'eth0', LAN.client, LAN.client6);
    this.ip(['link', 'add', 'eth1', 'netns', this.ns('a'), 'type', 'veth', 'peer', 'name', 'eth1', 'netns', this.ns('b')]);
    for (const node of ['a', 'b'] as const) {
      this.exec(node, ['ip', 'addr', 'add', `${CROSSOVER[node]}/${CROSSOVER.prefix}`, 'brd', '+', 'dev', 'eth1']);
      // IPv6 on the crossover too, for the ipv6 shape's ucast path. Kept when the link goes
      // down (a power loss or a cut takes eth1 down; the kernel would otherwise flush the address
      // and bringing the link up would not restore it), and no DAD wait.
      this.exec(node, ['sysctl', '-q', '-w', 'net.ipv6.conf.eth1.keep_addr_on_down=1']);
      this.exec(node, ['ip', '-6', 'addr', 'add', `${node === 'a' ? CROSSOVER.a6 : CROSSOVER.b6}/64`, 'dev', 'eth1', 'nodad']);
      this.exec(node, ['ip', 'link', 'set', 'eth1', 'up']);
    }
    return this;
  }

  /** Addresses on an interface of a node, e.g. ['192.0.2.1/24', '192.0.2.50/24']. */
  addresses(node: NodeName, iface: string, family: 4 | 6 = 4): string[] {
    const out = this.exec(node, ['ip', `-${family}`, '-o', 'addr', 'show', 'dev', iface]);
    return [...out.matchAll(/inet6? (\S+)/g)].map((m) => m[1] ?? '');
  }

  /** The MAC address of a node's interface. */
  mac(node: NodeName, iface: string): string {
    const out = this.exec(node, ['cat', `/sys/class/net/${iface}/address`]);
    return out.trim();
  }

  /** Ends every process still running in the lab's namespaces, then deletes them. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    live.delete(this);
    for (const ns of [...this.namespaces].reverse()) {
      const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout?.split(/\s+/).filter(Boolean) ?? [];
      for (const pid of pids) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // already gone
        }
      }
      spawnSync('ip', ['netns', 'del', ns]);
    }
  }
}
