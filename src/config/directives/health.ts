// twinbeat's own serving-health directives (keepalived's track_interface): the interfaces whose
// loss of carrier on the holder moves its groups to the peer.
import { shown } from '../../printable';
import { isInterfaceName, parseBoolean, parseInteger } from '../values';
import type { Directive } from './directive';
import { durationDirective, valueDirective } from './helpers';

const trackInterface: Directive = {
  name: 'track_interface',
  handle(args, ctx) {
    if (args.length === 0) {
      ctx.diag.error(ctx.source, 'track_interface takes one or more interfaces: "track_interface eth0"');
      return;
    }
    const bad = args.find((a) => !isInterfaceName(a, true));
    if (bad !== undefined) {
      ctx.diag.error(ctx.source, `track_interface: "${shown(bad)}" is not an interface name (up to 15 letters, digits and . _ - : @)`);
      return;
    }
    ctx.draft.trackInterfaces ??= { value: [], source: ctx.source };
    for (const a of args) if (!ctx.draft.trackInterfaces.value.includes(a)) ctx.draft.trackInterfaces.value.push(a);
  },
};

export const healthDirectives: Directive[] = [
  trackInterface,
  // Resource monitoring: how often the holder checks its groups (0 turns it off), how long one
  // check may take, how many failures in a row count, and whether the group then moves.
  durationDirective('monitor_interval', 'monitorIntervalMs', false),
  durationDirective('monitor_timeout', 'monitorTimeoutMs'),
  valueDirective('monitor_failures', 'monitorFailures', (t) => parseInteger(t, 1, 100)),
  valueDirective('failover_on_monitor', 'failoverOnMonitor', parseBoolean),
  // A flapping cause: how long the home node must stay healthy before a failback, and how many
  // health moves a group may make within a window before it stays put (0: no limit).
  durationDirective('failback_holddown', 'failbackHolddownMs', false),
  valueDirective('flap_limit', 'flapLimit', (t) => (t === '0' ? { ok: true, value: 0 } : parseInteger(t, 2, 100))),
  durationDirective('flap_window', 'flapWindowMs'),
];
