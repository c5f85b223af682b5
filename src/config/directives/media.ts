// Media directives: each line names one or more heartbeat paths. The words are checked here;
// assemble.ts turns them into PathSpecs once udpport and baud are known.
import { shown } from '../../printable';
import { ipFamily, isInterfaceName, isMulticastAddress } from '../values';
import type { MediaLine } from '../draft';
import type { Directive, DirectiveContext } from './directive';

function addMedia(kind: MediaLine['kind'], args: string[], ctx: DirectiveContext): void {
  ctx.draft.media.push({ kind, args, source: ctx.source });
}

function checkInterfaces(name: string, ifaces: string[], ctx: DirectiveContext): boolean {
  if (ifaces.length === 0) {
    ctx.diag.error(ctx.source, `${name} needs at least one interface, e.g. "${name} eth1"`);
    return false;
  }
  const badName = ifaces.find((i) => !isInterfaceName(i));
  if (badName !== undefined) {
    ctx.diag.error(ctx.source, `${name}: "${shown(badName)}" is not an interface name (like eth1 or enp1s0)`);
    return false;
  }
  return true;
}

const bcast: Directive = {
  name: 'bcast',
  handle(args, ctx) {
    if (checkInterfaces('bcast', args, ctx)) addMedia('bcast', args, ctx);
  },
};

const ucast: Directive = {
  name: 'ucast',
  handle(args, ctx) {
    if (args.length !== 2) {
      ctx.diag.error(ctx.source, 'ucast takes an interface and the peer\'s address: "ucast eth1 198.51.100.2"');
      return;
    }
    const [iface, peer] = args as [string, string];
    if (!checkInterfaces('ucast', [iface], ctx)) return;
    if (!ipFamily(peer)) {
      ctx.diag.error(ctx.source, `ucast ${shown(iface)} ${shown(peer)}: "${shown(peer)}" is not an IPv4 or IPv6 address`);
      return;
    }
    addMedia('ucast', args, ctx);
  },
};

const mcast: Directive = {
  name: 'mcast',
  handle(args, ctx) {
    const usage = '"mcast IFACE GROUP PORT TTL LOOP", e.g. "mcast eth1 239.0.0.1 694 1 0"';
    if (args.length !== 5) {
      ctx.diag.error(ctx.source, `mcast takes five values: ${usage}`);
      return;
    }
    const [iface, group, port, ttl, loop] = args as [string, string, string, string, string];
    if (!checkInterfaces('mcast', [iface], ctx)) return;
    const problems: string[] = [];
    if (!isMulticastAddress(group)) problems.push(`"${shown(group)}" is not a multicast group (224.0.0.0/4 or ff00::/8)`);
    if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) problems.push(`port "${shown(port)}" is not 1 to 65535`);
    if (!/^\d+$/.test(ttl) || Number(ttl) < 1 || Number(ttl) > 255) problems.push(`ttl "${shown(ttl)}" is not 1 to 255`);
    if (loop !== '0' && loop !== '1') problems.push(`loop "${shown(loop)}" is not 0 or 1`);
    if (problems.length > 0) {
      ctx.diag.error(ctx.source, `mcast: ${problems.join('; ')}; expected ${usage}`);
      return;
    }
    addMedia('mcast', args, ctx);
  },
};

const serial: Directive = {
  name: 'serial',
  handle(args, ctx) {
    if (args.length === 0) {
      ctx.diag.error(ctx.source, 'serial needs a device, e.g. "serial /dev/ttyS1"');
      return;
    }
    const relative = args.find((d) => !d.startsWith('/'));
    if (relative !== undefined) {
      ctx.diag.error(ctx.source, `serial: "${shown(relative)}" is not a device path such as /dev/ttyS1 or /dev/twinbeat-peer`);
      return;
    }
    addMedia('serial', args, ctx);
  },
};

/** Heartbeat still reads the old name `udp` as `bcast`, with a warning; so does twinbeat. */
const udp: Directive = {
  name: 'udp',
  handle(args, ctx) {
    ctx.diag.warning(ctx.source, 'directive "udp" is the old name of "bcast"; write "bcast" instead');
    bcast.handle(args, ctx);
  },
};

export const mediaDirectives: Directive[] = [bcast, ucast, mcast, serial, udp];
export const MEDIA_NAMES = ['bcast', 'ucast', 'mcast', 'serial', 'udp'];
