// The links of a configuration: one UDP link per (address family, port) carrying every ucast
// and bcast line on it, one link per mcast line, one per serial device. Together they carry
// every path of config.paths exactly once.
import { isIPv6 } from 'node:net';
import type { Config } from '../config/types';
import type { LinkMonitor } from './link-monitor';
import { InterfaceTable } from './interfaces';
import type { FrameSplitter, Link, LinkLog } from './link';
import { McastLink } from './mcast';
import { SerialLink } from './serial';
import { UdpLink, type BcastPath, type UcastPath } from './udp';

export type { FrameBytes, FrameHandler, FrameSplitter, Link, LinkLog } from './link';
export { FakeLinkPair } from './fake';

export interface LinkDeps {
  log: LinkLog;
  /** Makes a stream splitter (src/wire's) for a serial link; called again at each reopening. */
  splitter: () => FrameSplitter;
  now?: () => number;
  /** The kernel's news of links and addresses: the UDP paths read the interfaces on news, not every second. */
  monitor?: Pick<LinkMonitor, 'listen'>;
}

/** Only `config.paths` is read; a whole Config fits. */
export function createLinks(config: Pick<Config, 'paths'>, deps: LinkDeps): Link[] {
  const now = deps.now ?? Date.now;
  // One table for all UDP links: the interfaces are read on the monitor's news (at most once a
  // second in all without it).
  const interfaces = new InterfaceTable(undefined, now);
  if (deps.monitor) interfaces.followMonitor(deps.monitor);
  const udpGroups = new Map<string, { family: 4 | 6; port: number; paths: Array<UcastPath | BcastPath> }>();
  const links: Link[] = [];
  for (const path of config.paths) {
    if (path.kind === 'ucast' || path.kind === 'bcast') {
      const family = path.kind === 'ucast' && isIPv6(path.peerAddress.replace(/%.*$/, '')) ? 6 : 4;
      const key = `${family} ${path.port}`;
      const group = udpGroups.get(key) ?? { family, port: path.port, paths: [] };
      group.paths.push(path);
      udpGroups.set(key, group);
    } else if (path.kind === 'mcast') {
      links.push(new McastLink({ path, log: deps.log, now, interfaces }));
    } else {
      links.push(new SerialLink({ path, splitter: deps.splitter, log: deps.log, now }));
    }
  }
  const udp = [...udpGroups.values()].map((g) => new UdpLink({ family: g.family, port: g.port, paths: g.paths, log: deps.log, now, interfaces }));
  return [...udp, ...links];
}
