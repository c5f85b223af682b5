// Turns what ha.cf, haresources and authkeys said into one Config: fills in Heartbeat's
// defaults, derives the unset timings as Heartbeat does, and checks the relations between
// settings, reporting each problem at the line that set the value involved.
import { shown } from '../printable';
import type { Diagnostics } from './diagnostics';
import type { HaCfDraft, MediaLine, Setting } from './draft';
import type { AuthConfig, Config, DampingSettings, MonitorSettings, PathSpec, ResourceGroup, SourceLine, Timing } from './types';
import { formatDuration } from './values';
import { mqttConfigFrom } from './directives/mqtt';
import { checkOperations, stopFailureRule } from './operations';

export const DEFAULT_UDP_PORT = 694;
export const DEFAULT_BAUD = 19200;
const DEFAULT_KEEPALIVE_MS = 1000;
const DEFAULT_DEADTIME_MS = 30000;
const DEFAULT_MONITOR_INTERVAL_MS = 10_000;
/** Pacemaker's default operation timeout; never more than the interval unless set. */
const DEFAULT_MONITOR_TIMEOUT_MS = 20_000;

function monitorFrom(draft: HaCfDraft, diag: Diagnostics): MonitorSettings {
  const intervalMs = draft.monitorIntervalMs?.value ?? DEFAULT_MONITOR_INTERVAL_MS;
  const timeoutMs = draft.monitorTimeoutMs?.value ?? Math.min(DEFAULT_MONITOR_TIMEOUT_MS, Math.max(intervalMs, 1000));
  if (intervalMs > 0 && intervalMs < 1000) {
    diag.error(draft.monitorIntervalMs!.source, `monitor_interval ${formatDuration(intervalMs)} is too short: each check runs every resource's status script; use 1s or more, or 0 to turn checks off`);
  }
  if (intervalMs === 0) {
    for (const s of [draft.monitorTimeoutMs, draft.monitorFailures, draft.failoverOnMonitor]) {
      if (s) diag.warning(s.source, 'monitor_interval is 0 (checks off): this setting has no effect');
    }
  }
  return { intervalMs, timeoutMs, failures: draft.monitorFailures?.value ?? 1, failover: draft.failoverOnMonitor?.value ?? true };
}

/**
 * Hold-down: a few deadtimes, long enough for a port in error-disable recovery or a worn cable to
 * show that it flaps. Window: at least a minute, and several hold-downs (a slow pair's too).
 */
function dampingFrom(draft: HaCfDraft, timing: Timing): DampingSettings {
  const failbackHolddownMs = draft.failbackHolddownMs?.value ?? 3 * timing.deadtimeMs;
  return {
    failbackHolddownMs,
    flapLimit: draft.flapLimit?.value ?? 4,
    flapWindowMs: draft.flapWindowMs?.value ?? Math.max(60_000, 4 * failbackHolddownMs),
  };
}

function pathsFrom(media: MediaLine[], udpPort: number, baud: number, diag: Diagnostics): PathSpec[] {
  const paths: PathSpec[] = [];
  const add = (path: PathSpec) => {
    const earlier = paths.find((p) => p.id === path.id);
    if (earlier) diag.error(path.source, `the path "${path.id}" is already declared at line ${earlier.source.line}`);
    else paths.push(path);
  };
  for (const { kind, args, source } of media) {
    if (kind === 'bcast') {
      for (const iface of args) add({ kind, id: `bcast ${iface}`, name: iface, iface, port: udpPort, source });
    } else if (kind === 'ucast') {
      const [iface = '', peerAddress = ''] = args;
      add({ kind, id: `ucast ${iface} ${peerAddress}`, name: iface, iface, peerAddress, port: udpPort, source });
    } else if (kind === 'mcast') {
      const [iface = '', group = '', port = '', ttl = '', loop = ''] = args;
      add({ kind, id: `mcast ${iface} ${group}`, name: iface, iface, group, port: Number(port), ttl: Number(ttl), loop: loop === '1', source });
    } else {
      for (const device of args) add({ kind, id: `serial ${device}`, name: device, device, baud, source });
    }
  }
  return paths;
}

/** Where to point a message about a derived or default value: the line that set it, else the file. */
const at = (setting: Setting<unknown> | undefined, file: string): SourceLine => setting?.source ?? { file, line: 0 };

function timingFrom(draft: HaCfDraft, file: string, diag: Diagnostics): Timing {
  const keepaliveMs = draft.keepaliveMs?.value ?? DEFAULT_KEEPALIVE_MS;
  const deadtimeMs = draft.deadtimeMs?.value ?? DEFAULT_DEADTIME_MS;
  if (deadtimeMs <= 2 * keepaliveMs) {
    diag.error(
      at(draft.deadtimeMs ?? draft.keepaliveMs, file),
      `deadtime ${formatDuration(deadtimeMs)} must be more than twice keepalive ${formatDuration(keepaliveMs)}: raise deadtime above ${formatDuration(2 * keepaliveMs)} or lower keepalive`,
    );
  }
  // Heartbeat's derivation of an unset initdead.
  const derivedInitdead = deadtimeMs > 10000 ? deadtimeMs : deadtimeMs < 6000 ? 12000 : 2 * deadtimeMs;
  const initdeadMs = draft.initdeadMs?.value ?? derivedInitdead;
  if (initdeadMs < deadtimeMs) {
    diag.error(at(draft.initdeadMs, file), `initdead ${formatDuration(initdeadMs)} is below deadtime ${formatDuration(deadtimeMs)}: it must be at least deadtime`);
  } else if (initdeadMs < 10000) {
    diag.warning(at(draft.initdeadMs, file), `initdead ${formatDuration(initdeadMs)} may be too short: it accounts for a slow network start-up, 10s or more is safer`);
  }
  const warntimeMs = draft.warntimeMs?.value ?? Math.floor(deadtimeMs / 2);
  if (warntimeMs >= deadtimeMs) {
    diag.error(at(draft.warntimeMs, file), `warntime ${formatDuration(warntimeMs)} must be below deadtime ${formatDuration(deadtimeMs)} (a late-heartbeat warning comes before the peer is declared dead)`);
  }
  const deadpingMs = draft.deadpingMs?.value ?? deadtimeMs;
  if (draft.deadpingMs && deadpingMs <= 2 * keepaliveMs) {
    diag.error(draft.deadpingMs.source, `deadping ${formatDuration(deadpingMs)} must be more than twice keepalive ${formatDuration(keepaliveMs)}`);
  }
  const fenceDelayMs = draft.fenceDelayMs?.value ?? 2 * deadtimeMs;
  return { keepaliveMs, deadtimeMs, warntimeMs, initdeadMs, deadpingMs, fenceDelayMs };
}

function pairFrom(draft: HaCfDraft, localNode: string, file: string, diag: Diagnostics): [string, string] | undefined {
  const names = draft.nodes.map((n) => n.value);
  if (names.length !== 2) {
    const where = names.length > 2 ? (draft.nodes[2]?.source ?? { file, line: 0 }) : { file, line: 0 };
    diag.error(where, `twinbeat runs a pair: exactly two node lines are needed, found ${names.length}${names.length ? ` (${names.join(', ')})` : ''}`);
    return undefined;
  }
  if (!names.includes(localNode)) {
    diag.error(
      { file, line: 0 },
      `this node "${shown(localNode)}" is not one of the nodes (${names.join(', ')}): run with --node NAME, or name the nodes as \`uname -n\` prints them`,
    );
    return undefined;
  }
  return names as [string, string];
}

function checkResetDevices(draft: HaCfDraft, nodes: [string, string], file: string, diag: Diagnostics): void {
  for (const device of draft.resetDevices) {
    if (device.from !== '*' && !nodes.includes(device.from)) {
      diag.error(device.source, `stonith_host: "${shown(device.from)}" is not a node (nodes: ${nodes.join(', ')}, or * for both)`);
    }
    if (!nodes.includes(device.target)) {
      diag.error(device.source, `stonith_host: target "${shown(device.target)}" is not a node (nodes: ${nodes.join(', ')})`);
    } else if (device.from === device.target) {
      diag.error(device.source, `stonith_host: ${shown(device.from)} cannot reset itself; the device wired to a node resets its peer`);
    }
  }
  if (draft.resetDevices.length === 0) return;
  // Each node may be the survivor that must shoot the other, so each needs its own device. With
  // none at all the pair is Heartbeat v1 without STONITH (the summary says so); with one node
  // covered and the other not, the uncovered node would take over without a reset.
  for (const node of nodes) {
    const peer = node === nodes[0] ? nodes[1] : nodes[0];
    const wired = draft.resetDevices.filter((d) => d.target === peer && (d.from === node || d.from === '*'));
    const own = wired.filter((d) => d.from === node);
    if (wired.length === 0) {
      diag.warning(
        draft.resetDevices[0]?.source ?? { file, line: 0 },
        `no reset device is wired to ${node}: if ${peer} falls silent on every path, ${node} takes over without resetting it (Heartbeat v1 without STONITH); add "stonith_host ${node} TYPE target=${peer} ..." or use * for both`,
      );
    } else if (own.length > 1 || (own.length === 0 && wired.length > 1)) {
      const [first, second] = own.length > 1 ? own : wired;
      diag.error(second!.source, `stonith_host: ${node} already has a reset device for ${peer} at line ${first!.source.line}; twinbeat uses one device per node`);
    }
  }
}

/**
 * A serial line carries about baud/10 bytes a second (8N1). A heartbeat frame is about 230
 * bytes plus some 40 per group; if sending one takes more than half a keepalive, frames queue
 * up on the line and arrive late, and the serial path looks dead while the cable is fine.
 */
function checkSerialSpeed(paths: PathSpec[], keepaliveMs: number, groups: number, diag: Diagnostics): void {
  const frameBytes = 230 + 40 * groups;
  for (const p of paths) {
    if (p.kind !== 'serial') continue;
    const lineMs = Math.ceil((frameBytes * 10 * 1000) / p.baud);
    if (lineMs * 2 > keepaliveMs) {
      diag.warning(
        p.source,
        `at ${p.baud} baud a heartbeat frame (~${frameBytes} bytes) takes ~${lineMs} ms on ${p.device}, more than half of keepalive ${formatDuration(keepaliveMs)}: raise baud (e.g. "baud 115200", on both nodes) or keepalive`,
      );
    }
  }
}

export interface AssembleInput {
  dir: string;
  haCfFile: string;
  localNode: string;
  draft: HaCfDraft;
  groups: ResourceGroup[];
  auth: AuthConfig | undefined;
}

export function assemble(input: AssembleInput, diag: Diagnostics): Config | undefined {
  const { draft, haCfFile: file } = input;
  const whole = { file, line: 0 };
  const timing = timingFrom(draft, file, diag);
  const monitor = monitorFrom(draft, diag);
  const udpPort = draft.udpPort?.value ?? DEFAULT_UDP_PORT;
  const baud = draft.baud?.value ?? DEFAULT_BAUD;
  const paths = pathsFrom(draft.media, udpPort, baud, diag);
  if (draft.media.length === 0) {
    diag.error(whole, 'no heartbeat path: add a serial line and an Ethernet one, e.g. "serial /dev/ttyS1" and "ucast eth1 198.51.100.2"');
  } else {
    // Paths over the same interface or device share one cable: cutting it silences them all.
    const cables = new Set(paths.map((p) => (p.kind === 'serial' ? p.device : p.iface)));
    if (cables.size === 1) {
      const [cable] = cables;
      diag.warning(
        paths[0]?.source ?? whole,
        `every heartbeat path runs over ${cable}: one cut cable would split the pair; add a serial line ("serial /dev/ttyS1") or a path on another interface`,
      );
    }
  }
  checkSerialSpeed(paths, timing.keepaliveMs, input.groups.length, diag);
  const autoFailback = draft.autoFailback?.value ?? 'legacy';
  if (autoFailback === 'legacy') {
    diag.warning(
      at(draft.autoFailback, file),
      `auto_failback is ${draft.autoFailback ? '' : 'not set, so it is '}"legacy" (Heartbeat's default), which twinbeat runs as "on" since both nodes of a pair read the same file; write "auto_failback on" or "off"`,
    );
  }
  if (draft.ipfail && draft.pingTargets.length === 0) {
    diag.warning(draft.ipfail.source, 'ipfail without ping nodes does nothing: add "ping 192.0.2.254" (a gateway both nodes should reach) or a ping_group');
  }
  if (draft.msgfmt?.value === 'netstring') {
    diag.warning(draft.msgfmt.source, 'twinbeat sends the classic format and reads both; msgfmt netstring only changes what it accepts, nothing');
  }
  const mqtt = mqttConfigFrom(draft, file, diag);
  const pair = pairFrom(draft, input.localNode, file, diag);
  if (pair) checkResetDevices(draft, pair, file, diag);
  if (input.groups.length === 0 && pair) {
    diag.warning({ file: `${input.dir}/haresources`, line: 0 }, 'no resource groups: twinbeat will only watch the peer');
  }
  const operations = { limits: draft.operationLimits, stopFailure: draft.stopFailure };
  if (pair) checkOperations({ operations, resetDevices: draft.resetDevices, nodes: pair, localNode: input.localNode, groups: input.groups }, diag);
  if (!pair || !input.auth || diag.hasErrors) return undefined;
  const localNode = input.localNode;
  const peerNode = pair[0] === localNode ? pair[1] : pair[0];
  return {
    dir: input.dir,
    cluster: draft.cluster?.value ?? `${pair[0]}-${pair[1]}`,
    nodes: pair,
    localNode,
    peerNode,
    timing,
    paths,
    udpPort,
    baud,
    msgfmt: draft.msgfmt?.value ?? 'classic',
    autoFailback,
    groups: input.groups.map((g) => ({ ...g, onStopFailure: stopFailureRule({ operations, resetDevices: draft.resetDevices, nodes: pair, localNode }, g.id) })),
    auth: input.auth,
    resetDevices: draft.resetDevices,
    pingTargets: draft.pingTargets,
    ipfail: draft.ipfail?.value === true,
    monitor,
    damping: dampingFrom(draft, timing),
    operations,
    // Without track_interface, loadConfig sets the VIPs' interfaces as placed on this machine.
    trackInterfaces: draft.trackInterfaces?.value ?? [],
    ...(draft.logfile ? { logfile: draft.logfile.value } : {}),
    ...(draft.debugfile ? { debugfile: draft.debugfile.value } : {}),
    ...(draft.logfacility ? { logfacility: draft.logfacility.value } : {}),
    debugLevel: draft.debugLevel?.value ?? 0,
    env: draft.env,
    ignored: draft.ignored,
    ...(mqtt ? { mqtt } : {}),
  };
}
