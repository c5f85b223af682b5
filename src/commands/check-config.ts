// `twinbeat check-config`: validates a configuration directory and explains what it will do.
import { parseArgs } from 'node:util';
import { formatDiagnostic, loadConfig, type Config, type PathSpec, type ResourceSpec } from '../config';
import { formatDuration } from '../config/values';
import { DEFAULT_OPERATION_LIMIT_MS } from '../config/operations';
import { inspectResetDevices } from '../fence/inspect';
import type { Command } from './command';

function describePath(p: PathSpec): string {
  switch (p.kind) {
    case 'ucast':
      return `ucast ${p.iface} to ${p.peerAddress} (udp ${p.port})`;
    case 'bcast':
      return `bcast ${p.iface} (udp ${p.port})`;
    case 'mcast':
      return `mcast ${p.iface} group ${p.group} (udp ${p.port}, ttl ${p.ttl}${p.loop ? ', loop' : ''})`;
    case 'serial':
      return `serial ${p.device} at ${p.baud} baud`;
  }
}

function describeResource(r: ResourceSpec): string {
  if (r.kind === 'script') return `script ${r.name}${r.args.length ? ` ${r.args.join(' ')}` : ''}`;
  const prefix = r.prefixLength !== undefined ? `/${r.prefixLength}` : '';
  return `VIP ${r.address}${prefix} on ${r.iface ?? 'the interface whose subnet holds it'}`;
}

function describeMqtt(config: Config): string {
  const m = config.mqtt;
  if (!m) return 'mqtt:     off (no mqtt_broker)';
  const extras = [
    m.username ? `user ${m.username}` : undefined,
    m.passwordFile ? `password from ${m.passwordFile}` : undefined,
    m.ca || m.cert ? 'TLS certificates' : undefined,
    `re-published every ${formatDuration(m.intervalMs)}`,
    `offline ${Math.round(m.keepaliveS * 1.5)}s after the connection goes silent (mqtt_keepalive ${m.keepaliveS}s)`,
    m.homeAssistant ? 'Home Assistant discovery' : undefined,
    m.commands ? 'accepts standby/takeover on its command topic' : undefined,
  ].filter(Boolean);
  return `mqtt:     ${m.brokers.join(' then ')}, topics ${m.prefix}/${config.cluster}/${config.localNode}/...; ${extras.join(', ')}`;
}

/** The time limits as resource_timeout sets them, and what each group's failed stop does. */
function describeOperations(config: Config): string {
  const limits = config.operations.limits.map((l) => `${[l.target, l.op].filter(Boolean).join(' ') || 'every operation'} ${formatDuration(l.ms)}`);
  const limitText = `start/stop/status limited to ${formatDuration(DEFAULT_OPERATION_LIMIT_MS)}${limits.length ? ` (resource_timeout: ${limits.join(', ')})` : ''}, the script killed with what it started at the limit`;
  const rules = config.groups.map((g) => `${g.id} ${g.onStopFailure ?? 'block'}`).join(', ');
  return `stops:    ${limitText}; a stop that fails: ${rules || 'no groups'} (on_stop_failure)`;
}

/** `resetNotes`: what the reset devices resolve to on this machine (src/fence/inspect.ts). */
export function summarize(config: Config, resetNotes: string[] = []): string {
  const t = config.timing;
  const lines = [
    `pair:     ${config.nodes.map((n) => (n === config.localNode ? `${n} (this node)` : n)).join(' and ')}, cluster ${config.cluster}`,
    ...config.paths.map((p, i) => `${i === 0 ? 'paths:' : '      '}    ${describePath(p)}`),
    `timing:   keepalive ${formatDuration(t.keepaliveMs)}, warntime ${formatDuration(t.warntimeMs)}, deadtime ${formatDuration(t.deadtimeMs)}, initdead ${formatDuration(t.initdeadMs)}, fence_delay ${formatDuration(t.fenceDelayMs)}`,
    `failback: auto_failback ${config.autoFailback}${config.autoFailback === 'legacy' ? ' (run as on)' : ''}`,
    ...(config.groups.length === 0 ? ['groups:   none'] : config.groups.map(
      (g, i) => `${i === 0 ? 'groups:' : '       '}   ${g.id}, home ${g.home}: ${g.resources.map(describeResource).join(', ')}`,
    )),
    `auth:     sends with key ${config.auth.sendIndex} (${config.auth.keys.find((k) => k.index === config.auth.sendIndex)?.method}); accepts ${config.auth.keys.map((k) => `${k.index} ${k.method}`).join(', ')}`,
  ];
  const devices = config.resetDevices.filter((d) => d.target === config.peerNode && (d.from === '*' || d.from === config.localNode));
  lines.push(
    devices.length === 0
      ? 'reset:    no device for this node: a peer silent on every path is taken over after deadtime, without a reset (Heartbeat v1)'
      : `reset:    ${devices.map((d) => `${d.type} resets ${d.target}`).join(', ')}`,
  );
  for (const note of resetNotes) lines.push(`          ${note}`);
  if (config.pingTargets.length > 0) {
    const targets = config.pingTargets.map((t) => (t.addresses.length > 1 ? `${t.name} (${t.addresses.join(' or ')})` : t.name)).join(', ');
    lines.push(`ping:     ${targets}; ${config.ipfail ? `ipfail on: a holder that reaches fewer than its peer for deadping ${formatDuration(t.deadpingMs)} hands its groups over` : 'watched only (add "respawn hacluster /usr/lib/heartbeat/ipfail" to move groups by them)'}`);
  }
  const m = config.monitor;
  lines.push(
    m.intervalMs === 0
      ? 'monitor:  off (monitor_interval 0): a crashed service is not noticed'
      : `monitor:  every ${formatDuration(m.intervalMs)} (timeout ${formatDuration(m.timeoutMs)}); ${m.failures} failed check(s) in a row restart the group in place, once; the next time it ${m.failover ? 'moves to the peer and is marked failed here until `twinbeat cleanup`' : 'is restarted again (failover_on_monitor off)'}`,
  );
  lines.push(describeOperations(config));
  if (config.trackInterfaces.length > 0) lines.push(`carrier:  ${config.trackInterfaces.join(', ')}: losing carrier on the holder moves its groups to the peer`);
  const d = config.damping;
  if (config.autoFailback !== 'off') {
    lines.push(
      `flapping: failback waits until the home node's carrier, ping targets and marks have been steady for ${formatDuration(d.failbackHolddownMs)} (failback_holddown); ${d.flapLimit > 0 ? `a group moves for them at most ${d.flapLimit} times in ${formatDuration(d.flapWindowMs)} (flap_limit, flap_window), then stays put until the cause is steady for that long` : 'no limit on moves (flap_limit 0)'}`,
    );
  }
  lines.push(describeMqtt(config));
  for (const i of config.ignored) lines.push(`not used: ${i.directive} (line ${i.source.line}): ${i.reason}`);
  return `${lines.join('\n')}\n`;
}

export const checkConfigCommand: Command = {
  summary: 'validate a configuration directory and explain it',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        'config-dir': { type: 'string', default: '/etc/ha.d' },
        node: { type: 'string' },
        strict: { type: 'boolean', default: false },
        // Where sysfs and /proc are, for the relay line checks; for tests and chroots.
        'sysfs-root': { type: 'string', default: '/sys' },
        root: { type: 'string', default: '/' },
      },
      strict: true,
    });
    const dir = values['config-dir'] as string;
    const result = await loadConfig(dir, {
      ...(values.node ? { node: values.node } : {}),
      strict: values.strict === true,
    });
    for (const d of result.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
    if (!result.config) {
      const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
      process.stderr.write(`twinbeat check-config: ${dir} is not valid (${errors} error${errors === 1 ? '' : 's'})\n`);
      return 2;
    }
    const reset = await inspectResetDevices(result.config, { sysfsRoot: values['sysfs-root'] as string, root: values.root as string });
    if (values.strict && reset.unresolved.length > 0) {
      for (const u of reset.unresolved) process.stderr.write(`${formatDiagnostic({ ...u.source, severity: 'error', message: u.message })}\n`);
      process.stderr.write(`twinbeat check-config: ${dir} is not valid on this machine (${reset.unresolved.length} reset device${reset.unresolved.length === 1 ? '' : 's'} not found)\n`);
      return 2;
    }
    const warnings = result.diagnostics.length;
    process.stdout.write(`twinbeat check-config: ${dir} is valid${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}\n`);
    process.stdout.write(summarize(result.config, reset.notes));
    return 0;
  },
};
