// Which path a datagram came on, from its source address alone: one socket per port serves
// every ucast and bcast line on it, and Node cannot tell the receiving interface or the
// destination address. Order matters:
//  1. a configured ucast peer address: that ucast path (first in config order); this comes
//     before "own" so that two nodes on one host (127.0.0.1 in tests) still work;
//  2. one of this node's own addresses: our broadcast coming back, dropped;
//  3. inside the IPv4 subnet of a bcast path's interface: that bcast path;
//  4. anything else: an unknown source, dropped and counted.
import { canonicalAddress, inIpv4Subnet } from './addresses';
import type { InterfaceTable } from './interfaces';

export interface UdpPathRef {
  id: string;
  kind: 'ucast' | 'bcast';
  iface: string;
  /** ucast only. */
  peerAddress?: string;
}

export type SourceVerdict = { kind: 'path'; id: string } | { kind: 'own' } | { kind: 'unknown' };

export function classifySource(source: string, paths: readonly UdpPathRef[], interfaces: InterfaceTable): SourceVerdict {
  const from = canonicalAddress(source);
  const ucast = paths.find((p) => p.kind === 'ucast' && p.peerAddress !== undefined && canonicalAddress(p.peerAddress) === from);
  if (ucast) return { kind: 'path', id: ucast.id };
  if (interfaces.isOwn(from)) return { kind: 'own' };
  const bcast = bcastHolding(from, paths, interfaces);
  if (bcast) return { kind: 'path', id: bcast.id };
  return { kind: 'unknown' };
}

/** The first bcast path (on `iface`, when given) whose interface's IPv4 subnet holds `address` (canonical). */
function bcastHolding(address: string, paths: readonly UdpPathRef[], interfaces: InterfaceTable, iface?: string): UdpPathRef | undefined {
  return paths.find((p) => p.kind === 'bcast' && (iface === undefined || p.iface === iface) && interfaces.ipv4(p.iface).some((net) => inIpv4Subnet(address, net.address, net.netmask)));
}

/**
 * A bcast path on the interface of a ucast path whose peer is inside that interface's subnet:
 * the peer's frames on both lines come from the same address (see twin-copies.ts).
 */
export function bcastTwinOf(ucastId: string, paths: readonly UdpPathRef[], interfaces: InterfaceTable): string | undefined {
  const ucast = paths.find((p) => p.id === ucastId && p.kind === 'ucast');
  if (!ucast?.peerAddress) return undefined;
  return bcastHolding(canonicalAddress(ucast.peerAddress), paths, interfaces, ucast.iface)?.id;
}
