// What SIGHUP may change while the agent runs. New authkeys apply at once (so keys can be
// rotated on both nodes without a restart); anything that would move a path, a group or a
// timing under the core's feet is refused with its name, and the running configuration stays.
// A configuration that does not load is refused whole: held resources are never dropped for it.
import type { Config } from '../config/types';

export interface ReloadPlan {
  /** The new keys differ: hand them to the transport. */
  authChanged: boolean;
  /** What changed that needs a restart, in ha.cf words. */
  refused: string[];
}

/** A setting's value without where it was written (moving a line is not a change). */
function withoutSources(value: unknown): string {
  return JSON.stringify(value, (key, v: unknown) => (key === 'source' ? undefined : v));
}

const NEEDS_RESTART: [what: string, pick: (c: Config) => unknown][] = [
  ['node lines (or this node\'s name)', (c) => [c.nodes, c.localNode]],
  ['the heartbeat paths (ucast/bcast/mcast/serial, udpport, baud)', (c) => [c.paths, c.udpPort, c.baud]],
  ['keepalive/deadtime/warntime/initdead/deadping/fence_delay', (c) => c.timing],
  ['auto_failback', (c) => c.autoFailback],
  // A group's on_stop_failure is resolved into it, but it is ha.cf's line, reported below.
  ['haresources', (c) => c.groups.map(({ onStopFailure: _rule, ...g }) => g)],
  ['stonith_host', (c) => c.resetDevices],
  ['logfile/debugfile/debug', (c) => [c.logfile, c.debugfile, c.debugLevel]],
  ['mqtt_*', (c) => c.mqtt],
  ['env', (c) => c.env],
  ['ping/ping_group/respawn ipfail', (c) => [c.pingTargets, c.ipfail]],
  ['track_interface', (c) => c.trackInterfaces],
  ['monitor_interval/monitor_timeout/monitor_failures/failover_on_monitor', (c) => c.monitor],
  ['failback_holddown/flap_limit/flap_window', (c) => c.damping],
  ['resource_timeout/on_stop_failure', (c) => c.operations],
];

export function planReload(running: Config, next: Config): ReloadPlan {
  const refused = NEEDS_RESTART.filter(([, pick]) => withoutSources(pick(running)) !== withoutSources(pick(next))).map(([what]) => what);
  return { authChanged: withoutSources(running.auth) !== withoutSources(next.auth), refused };
}

/**
 * One reload at a time, however many SIGHUPs arrive: a signal during a reload asks for one more
 * after it (the files may have changed again), and a burst of signals costs two reloads, not
 * one each, so a flood of SIGHUP cannot pile up reads beside the heartbeat loop.
 */
export function serialReloads(reload: () => Promise<void>): () => void {
  let running = false;
  let again = false;
  const run = (): void => {
    running = true;
    again = false;
    reload()
      // The reload logs its own outcome; a throw must still not stop the next one.
      .catch(() => undefined)
      .finally(() => {
        running = false;
        if (again) run();
      });
  };
  return () => {
    if (running) again = true;
    else run();
  };
}
