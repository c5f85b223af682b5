// Address arithmetic the UDP driver needs: comparing addresses however they were written,
// IPv4 subnets and broadcast addresses. Pure functions, no I/O.
import { isIPv4, isIPv6 } from 'node:net';

/**
 * One spelling per address, so `2001:DB8:0::2` in ha.cf matches `2001:db8::2` from a socket.
 * A zone (`fe80::1%eth1`) is dropped: the path's interface already says which link it is.
 */
export function canonicalAddress(address: string): string {
  const bare = address.replace(/%.*$/, '');
  if (isIPv6(bare)) return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  return bare.toLowerCase();
}

function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function numberToIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** Whether `source` lies in the subnet of `address`/`netmask` (all IPv4). */
export function inIpv4Subnet(source: string, address: string, netmask: string): boolean {
  if (!isIPv4(source) || !isIPv4(address) || !isIPv4(netmask)) return false;
  const mask = ipv4ToNumber(netmask);
  // >>> 0 keeps the results unsigned, so they compare equal as numbers.
  return ((ipv4ToNumber(source) & mask) >>> 0) === ((ipv4ToNumber(address) & mask) >>> 0);
}

/** The directed broadcast address of `address`/`netmask`: 192.0.2.1/255.255.255.0 -> 192.0.2.255. */
export function ipv4Broadcast(address: string, netmask: string): string {
  const mask = ipv4ToNumber(netmask);
  return numberToIpv4(((ipv4ToNumber(address) & mask) | (~mask >>> 0)) >>> 0);
}
