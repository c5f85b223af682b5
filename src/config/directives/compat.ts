// Heartbeat directives that twinbeat takes without acting on, or refuses with what to use
// instead. Every directive Heartbeat 3.0 accepts appears either here or in options/media/reset.
import { shown } from '../../printable';
import { parseBoolean, parseInteger, parseDuration, ipFamily, type Parsed } from '../values';
import type { Directive } from './directive';
import { ignoredDirective, oneValue, refusedDirective } from './helpers';

const anyWord = (): Parsed<string> => ({ ok: true, value: '' });

/** `crm`/`pacemaker` off is v1 mode, which is what twinbeat is; on asks for Pacemaker. */
function crmLike(name: string): Directive {
  return {
    name,
    handle(args, ctx) {
      const text = oneValue(name, args, ctx);
      if (text === undefined) return;
      const flag = parseBoolean(text);
      if (flag.ok && !flag.value) {
        ctx.draft.ignored.push({ directive: name, reason: 'v1 resource management is what twinbeat does', source: ctx.source });
        return;
      }
      ctx.diag.error(
        ctx.source,
        `${name} ${shown(text)} is not supported by twinbeat: it manages resources from haresources (Heartbeat v1 style); remove the line or write "${name} off"`,
      );
    },
  };
}

const autojoin: Directive = {
  name: 'autojoin',
  handle(args, ctx) {
    const text = oneValue('autojoin', args, ctx);
    if (text === undefined) return;
    if (text === 'none') {
      ctx.draft.ignored.push({ directive: 'autojoin', reason: 'a pair has two fixed nodes', source: ctx.source });
      return;
    }
    ctx.diag.error(ctx.source, `autojoin ${shown(text)} is not supported by twinbeat: a pair has exactly two fixed nodes, named by the node lines; remove the line`);
  },
};

/** `respawn USER PATH...`: only ipfail has a meaning for a pair (issue: ping nodes). */
const respawn: Directive = {
  name: 'respawn',
  handle(args, ctx) {
    const program = args[1] ?? '';
    if (program.endsWith('/ipfail')) {
      // Heartbeat's ipfail is built into twinbeat's core: the line switches it on.
      ctx.draft.ipfail = { value: true, source: ctx.source };
      return;
    }
    ctx.diag.error(ctx.source, `respawn ${shown(args.join(' '))} is not supported by twinbeat: it does not start other programs; run ${shown(program || 'the program')} as its own systemd unit`);
  },
};

/** Ping nodes are read and checked; acting on them is a later step (noted, not silent). */
function pingLike(name: 'ping' | 'ping_group'): Directive {
  return {
    name,
    handle(args, ctx) {
      const addresses = name === 'ping_group' ? args.slice(1) : args;
      if ((name === 'ping_group' && args.length < 2) || addresses.length === 0) {
        ctx.diag.error(ctx.source, name === 'ping_group' ? 'ping_group takes a name and addresses: "ping_group gw 192.0.2.254 192.0.2.253"' : 'ping takes one or more addresses: "ping 192.0.2.254"');
        return;
      }
      if (name === 'ping_group' && !/^[A-Za-z0-9_.-]{1,64}$/.test(args[0] ?? '')) {
        ctx.diag.error(ctx.source, `ping_group: "${shown(args[0] ?? '')}" is not a group name: letters, digits, "-", "_" or "." (at most 64), then the addresses`);
        return;
      }
      const notAddress = addresses.find((a) => !ipFamily(a));
      if (notAddress !== undefined) {
        ctx.diag.error(ctx.source, `${name}: "${shown(notAddress)}" is not an IP address`);
        return;
      }
      // Each `ping` address is a target of its own; a `ping_group` is one target (any member answering).
      if (name === 'ping_group') ctx.draft.pingTargets.push({ name: args[0]!, addresses, source: ctx.source });
      else for (const a of addresses) ctx.draft.pingTargets.push({ name: a, addresses: [a], source: ctx.source });
    },
  };
}

export const compatDirectives: Directive[] = [
  ignoredDirective('hopfudge', 'a pair has no hops', (t) => parseInteger(t, 0, 255)),
  ignoredDirective('watchdog', 'twinbeat uses the systemd watchdog (WatchdogSec= in its unit) instead of a device'),
  ignoredDirective('rtprio', 'the systemd unit sets twinbeat\'s scheduling (CPUSchedulingPolicy=rr)', (t) => parseInteger(t, 1, 99)),
  ignoredDirective('realtime', 'the systemd unit sets twinbeat\'s scheduling (CPUSchedulingPolicy=rr)', parseBoolean),
  ignoredDirective('hbgenmethod', 'the generation is always kept in the state directory', (t): Parsed<string> =>
    t === 'file' || t === 'time' ? { ok: true, value: t } : { ok: false, expected: 'file or time' }),
  ignoredDirective('use_logd', 'twinbeat logs to stderr (journald) and to logfile/debugfile', parseBoolean),
  ignoredDirective('conn_logd_time', 'twinbeat does not use logd', parseDuration),
  ignoredDirective('use_apphbd', 'twinbeat does not use apphbd', parseBoolean),
  ignoredDirective('log_badpack', 'bad frames are always counted and shown by twinbeat status', parseBoolean),
  ignoredDirective('syslogmsgfmt', 'twinbeat writes one log format', parseBoolean),
  ignoredDirective('coredumps', 'core dumps follow the system settings', parseBoolean),
  ignoredDirective('coreroot', 'core dumps follow the system settings', anyWord),
  ignoredDirective('uuidfrom', 'twinbeat names nodes by the node lines', anyWord),
  ignoredDirective('compression', 'heartbeat frames are small and never compressed', anyWord),
  ignoredDirective('compression_threshold', 'heartbeat frames are small and never compressed', (t) => parseInteger(t, 1, 1_000_000)),
  ignoredDirective('traditional_compression', 'heartbeat frames are small and never compressed', parseBoolean),
  ignoredDirective('max_rexmit_delay', 'twinbeat does not retransmit heartbeats', (t) => parseInteger(t, 1, 1_000_000)),
  ignoredDirective('memreserve', 'not needed by twinbeat', (t) => parseInteger(t, 0, 1_000_000)),
  ignoredDirective('record_config_changes', 'a Pacemaker (crm) setting', parseBoolean),
  ignoredDirective('record_pengine_inputs', 'a Pacemaker (crm) setting', parseBoolean),
  ignoredDirective('enable_config_writes', 'a Pacemaker (crm) setting', parseBoolean),
  ignoredDirective('apiauth', 'twinbeat has no API clients; its control socket is root-only'),
  crmLike('crm'),
  crmLike('pacemaker'),
  autojoin,
  respawn,
  pingLike('ping'),
  pingLike('ping_group'),
  refusedDirective('failfast', 'it does not start other programs; run the program as its own systemd unit'),
  refusedDirective('stonith', 'describe the reset device with "stonith_host * gpio-relay target=NODE ...", "external" or "manual" (see docs/reset-devices.md)'),
  refusedDirective('quorum_server', 'a pair settles a split by resetting the peer (stonith_host), not by a quorum server'),
  refusedDirective('mcast6', 'use "ucast IFACE IPV6-ADDRESS" for an IPv6 path'),
  refusedDirective('ping6', 'use "ping" with an IPv6 address'),
  refusedDirective('hbaping', 'use "ping" nodes'),
  refusedDirective('openais', 'twinbeat carries its own heartbeats over ucast/bcast/mcast/serial'),
];
