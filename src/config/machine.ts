// Checks of this machine rather than of the files: is there an interface for each VIP and
// path, a script for each resource, a serial device? A configuration is often checked on a
// build host, so these are warnings, unless the caller is about to run on this machine
// (`--strict`, which `twinbeat run` applies to itself).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { accessSync, constants, existsSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { BlockList } from 'node:net';
import { join } from 'node:path';
import type { Config, SourceLine, VipResource } from './types';
import { SHOWN_PATH_LENGTH as PATH_SHOWN, shown } from '../printable';

export interface InterfaceAddress {
  address: string;
  family: 4 | 6;
  prefixLength: number;
}

export interface MachineView {
  interfaces: Record<string, InterfaceAddress[]>;
  fileExists(path: string): boolean;
  /** Where LSB init scripts live; settable so tests can point elsewhere. */
  initDir: string;
  /** Whether a program can be run; absent: fileExists decides. */
  isExecutable?(path: string): boolean;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Every interface and its addresses, up or down. Node's networkInterfaces() leaves out an
 * interface that is down or has no carrier (a cable not yet plugged in at boot), which must
 * not stop twinbeat from starting: the link retries; so iproute2 is asked first. Asked without
 * waiting on it: a SIGHUP reload runs this beside the heartbeat loop, which must not stall.
 */
async function interfacesOfThisMachine(ipPath: string): Promise<Record<string, InterfaceAddress[]>> {
  const interfaces: Record<string, InterfaceAddress[]> = {};
  try {
    const { stdout: out } = await promisify(execFile)(ipPath, ['-j', 'addr', 'show'], { encoding: 'utf8', timeout: 5000, maxBuffer: 16 << 20 });
    for (const link of JSON.parse(out) as { ifname: string; addr_info?: { family: string; local: string; prefixlen: number }[] }[]) {
      interfaces[link.ifname] = (link.addr_info ?? [])
        .filter((a) => a.family === 'inet' || a.family === 'inet6')
        .map((a) => ({ address: a.local, family: a.family === 'inet6' ? 6 : 4, prefixLength: a.prefixlen }));
    }
    return interfaces;
  } catch {
    // No iproute2 (a build host): what Node sees is the best there is.
  }
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    interfaces[name] = (addresses ?? []).map((a) => ({
      address: a.address,
      family: a.family === 'IPv6' ? 6 : 4,
      prefixLength: Number((a.cidr ?? '/0').split('/')[1]),
    }));
  }
  return interfaces;
}

export async function thisMachine(initDir = '/etc/init.d', ipPath = 'ip'): Promise<MachineView> {
  return { interfaces: await interfacesOfThisMachine(ipPath), fileExists: existsSync, initDir, isExecutable: executable };
}

/** Each interface address whose subnet holds `vip` (what Heartbeat's IPaddr looks for), in order. */
export function subnetHolders(
  vip: Pick<VipResource, 'address' | 'family'>,
  interfaces: MachineView['interfaces'],
): { iface: string; address: InterfaceAddress }[] {
  const type = vip.family === 6 ? 'ipv6' : 'ipv4';
  const found: { iface: string; address: InterfaceAddress }[] = [];
  for (const [iface, addresses] of Object.entries(interfaces)) {
    for (const address of addresses) {
      if (address.family !== vip.family || address.prefixLength === 0) continue;
      const subnet = new BlockList();
      subnet.addSubnet(address.address, address.prefixLength, type);
      if (subnet.check(vip.address, type)) found.push({ iface, address });
    }
  }
  return found;
}

/** The interfaces with an address whose subnet holds `vip`. */
export function interfacesHolding(vip: Pick<VipResource, 'address' | 'family'>, machine: Pick<MachineView, 'interfaces'>): string[] {
  return [...new Set(subnetHolders(vip, machine.interfaces).map((h) => h.iface))];
}

/**
 * The interfaces whose carrier moves the groups when ha.cf has no track_interface: each VIP's,
 * where haresources names it, else the one whose subnet holds the address here (Heartbeat's
 * IPaddr rule, as the VIP itself will be placed: the seed tutorial's bare `192.168.1.5`).
 */
export function defaultTrackedInterfaces(groups: Config['groups'], machine: Pick<MachineView, 'interfaces'>): string[] {
  const vips = groups.flatMap((g) => g.resources.flatMap((r) => (r.kind === 'vip' ? [r] : [])));
  return [...new Set(vips.flatMap((r) => (r.iface ? [r.iface] : interfacesHolding(r, machine).slice(0, 1))))];
}

/** Where a script resource is found: the config dir's resource.d/, then the init directory. */
export function scriptCandidates(name: string, configDir: string, initDir: string): string[] {
  return [join(configDir, 'resource.d', name), join(initDir, name)];
}

export interface MachineProblem {
  source: SourceLine;
  message: string;
  /** Hardware that may appear later (a USB serial adapter): never a reason to refuse to start. */
  comesAndGoes?: boolean;
}

export function checkMachine(config: Config, machine: MachineView): MachineProblem[] {
  const problems: MachineProblem[] = [];
  const known = Object.keys(machine.interfaces);
  const describe = () =>
    known.map((n) => `${n} ${machine.interfaces[n]?.map((a) => `${a.address}/${a.prefixLength}`).join(' ')}`).join(', ') || 'none';
  for (const path of config.paths) {
    if (path.kind === 'serial') {
      if (!machine.fileExists(path.device)) problems.push({ source: path.source, message: `serial device ${shown(path.device, PATH_SHOWN)} does not exist on this machine`, comesAndGoes: true });
    } else if (!known.includes(path.iface)) {
      problems.push({ source: path.source, message: `interface ${path.iface} does not exist on this machine (it has: ${known.join(', ') || 'none'})` });
    }
  }
  for (const group of config.groups) {
    for (const r of group.resources) {
      if (r.kind === 'vip') {
        if (r.iface) {
          if (!known.includes(r.iface)) problems.push({ source: group.source, message: `${r.raw}: interface ${r.iface} does not exist on this machine` });
        } else if (interfacesHolding(r, machine).length === 0) {
          problems.push({ source: group.source, message: `${r.raw}: no interface here has a subnet that holds ${r.address}; name one (IPaddr::${r.address}/PREFIX/IFACE) or add an address in that subnet (interfaces: ${describe()})` });
        }
      } else {
        const candidates = scriptCandidates(r.name, config.dir, machine.initDir);
        if (!candidates.some((c) => machine.fileExists(c))) {
          problems.push({ source: group.source, message: `resource script ${r.name} not found (looked in ${candidates.join(' and ')})` });
        }
      }
    }
  }
  for (const device of config.resetDevices) {
    const command = device.type === 'external' ? device.params.command : undefined;
    if (!command || (device.from !== '*' && device.from !== config.localNode)) continue;
    const runnable = machine.isExecutable ? machine.isExecutable(command) : machine.fileExists(command);
    if (!runnable) {
      problems.push({
        source: device.source,
        message: `stonith_host external: ${shown(command, PATH_SHOWN)} ${machine.fileExists(command) ? 'is not executable (chmod +x it)' : 'does not exist on this machine'}; it is run as "${shown(command, PATH_SHOWN)} reset ${device.target}"`,
      });
    }
  }
  return problems;
}
