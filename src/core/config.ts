// Derives the small configuration the core needs from the full Config (src/config/types).
import type { Config } from '../config/types';
import type { CoreConfig } from './types';

/**
 * `auto_failback legacy` (Heartbeat's default) means "fail back the way nodes did before the
 * directive existed", which in Heartbeat v1 is: each node takes its own (home) resources when
 * it comes up. For a pair where both nodes run twinbeat that is `on`; the start-up log says so.
 */
/**
 * How long before the peer's deadtime runs out the addresses are probed (probe.ts): the probe
 * listens 30 ms once arping has started, so on a busy machine (arping's start taking 10 ms and
 * more) it still ends before the decision.
 */
export const EARLY_PROBE_LEAD_MS = 80;

export function coreConfigFrom(config: Config): CoreConfig {
  const local = config.localNode;
  const peer = config.peerNode;
  const t = config.timing;
  return {
    local,
    peer,
    nodes: config.nodes,
    keepaliveMs: t.keepaliveMs,
    deadtimeMs: t.deadtimeMs,
    warntimeMs: t.warntimeMs,
    initdeadMs: t.initdeadMs,
    fenceDelayMs: t.fenceDelayMs,
    paths: config.paths.map((p) => ({ id: p.id, name: p.name })),
    groups: config.groups.map((g) => ({
      id: g.id,
      home: g.home,
      line: [g.home, ...g.resources.map((r) => r.raw)].join(' '),
      ...(g.onStopFailure ? { onStopFailure: g.onStopFailure } : {}),
    })),
    autoFailback: config.autoFailback === 'off' ? 'off' : 'on',
    autoFailbackWasLegacy: config.autoFailback === 'legacy',
    canResetPeer: config.resetDevices.some((d) => d.target === peer && (d.from === local || d.from === '*')),
    resetRetryMs: t.keepaliveMs,
    resetRetryMaxMs: Math.max(t.keepaliveMs, 8 * t.deadtimeMs),
    failedRetryMs: 2 * t.deadtimeMs,
    // Ping nodes move groups only with ipfail, as in Heartbeat; without it they are only watched.
    pingTargets: config.ipfail ? config.pingTargets.length : 0,
    deadpingMs: t.deadpingMs,
    trackedInterfaces: config.trackInterfaces,
    monitorIntervalMs: config.monitor.intervalMs,
    monitorFailures: config.monitor.failures,
    failoverOnMonitor: config.monitor.failover,
    ...(config.groups.some((g) => g.resources.some((r) => r.kind === 'vip' && r.family === 4)) ? { probeLeadMs: EARLY_PROBE_LEAD_MS } : {}),
    failbackHolddownMs: config.damping.failbackHolddownMs,
    flapLimit: config.damping.flapLimit,
    flapWindowMs: config.damping.flapWindowMs,
  };
}
