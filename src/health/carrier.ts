// Watches the carrier of the tracked interfaces (keepalived's track_interface) and tells the
// core which tracked interfaces are down whenever that changes. The kernel says when a link
// changes (src/links/link-monitor.ts: one long-lived `ip -o monitor`, shared with the UDP paths,
// handed in by the command that runs the agent), and each
// line makes the watcher read /sys/class/net/IFACE/operstate again, so an idle appliance does
// no polling. A slow read every `safetyMs` catches anything the monitor missed (on a wake-up
// the agent has anyway when `safetyOnWake`: the heartbeat calls `onWake`, so that this read
// costs no wake-up of its own); while the monitor cannot run (no iproute2, or it exited and
// waits to be started again) the watcher reads every `pollMs`. An interface that does not
// exist counts as down. The core decides what a down interface means.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The kernel's news of links (LinkMonitor's shape): a change, or whether news arrives at all. */
export interface LinkNews {
  listen(listener: { onChange(): void; onRunning(running: boolean): void }): () => void;
}

export interface CarrierWatcherOptions {
  interfaces: string[];
  onChange: (down: string[]) => void;
  /** Where sysfs is (tests point it at a fake tree). */
  sysfsRoot?: string;
  /** The kernel's news of links, shared with others; the watcher neither starts nor stops it. Without it, the watcher polls. */
  monitor?: LinkNews;
  /** How often to read while no news arrives (default 250 ms). */
  pollMs?: number;
  /** How often to read anyway while the monitor runs (default 10 s). */
  safetyMs?: number;
  /**
   * The safety read rides on the owner's calls of `onWake` (the agent's heartbeat) instead of a
   * timer of its own, while the monitor runs. Polling without the monitor keeps its timer.
   */
  safetyOnWake?: boolean;
  /** Monotonic ms (default performance.now). */
  clock?: () => number;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

export function isDown(sysfsRoot: string, iface: string): boolean {
  const dir = join(sysfsRoot, 'class/net', iface);
  const operstate = read(join(dir, 'operstate'));
  // operstate follows the carrier on Linux (no carrier: down or lowerlayerdown), so one small
  // read is enough; only a driver that reports "unknown" needs its carrier file asked as well.
  if (operstate === 'up' || operstate === 'dormant') return false;
  if (operstate === 'unknown') return read(join(dir, 'carrier')) !== '1';
  return true;
}

export class CarrierWatcher {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private last: string | undefined;
  private unlisten: (() => void) | undefined;
  /** When the last read was (the clock's ms). */
  private readAt = -Infinity;
  /** Whether the safety read waits for onWake (the monitor runs and the owner wakes us). */
  private onWakeOnly = false;
  private readonly clock: () => number;

  constructor(private readonly options: CarrierWatcherOptions) {
    this.clock = options.clock ?? (() => performance.now());
  }

  start(): void {
    this.check();
    const monitor = this.options.monitor;
    if (!monitor) return this.pace(this.options.pollMs ?? 250);
    this.unlisten = monitor.listen({
      onChange: () => this.check(),
      onRunning: (running) => {
        if (this.stopped) return;
        // The monitor is up: what changed while it started is read once, then only on news.
        if (running) this.check();
        this.onWakeOnly = running && this.options.safetyOnWake === true;
        if (this.onWakeOnly) clearInterval(this.timer);
        else this.pace(running ? (this.options.safetyMs ?? 10_000) : (this.options.pollMs ?? 250));
      },
    });
  }

  /** A wake-up the owner has anyway (the heartbeat): the safety read, when one is due. */
  onWake(): void {
    if (this.stopped || !this.onWakeOnly) return;
    if (this.clock() - this.readAt >= (this.options.safetyMs ?? 10_000)) this.check();
  }

  /** Reads every `ms` from now on (replacing the current pace). */
  private pace(ms: number): void {
    clearInterval(this.timer);
    this.timer = setInterval(() => this.check(), ms);
    this.timer.unref();
  }

  private check(): void {
    this.readAt = this.clock();
    const root = this.options.sysfsRoot ?? '/sys';
    const down = this.options.interfaces.filter((i) => isDown(root, i));
    const key = down.join(' ');
    if (key === this.last) return;
    this.last = key;
    this.options.onChange(down);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.unlisten?.();
  }
}
