// Watches the carrier of the tracked interfaces (keepalived's track_interface) and tells the
// core which tracked interfaces are down whenever that changes. The kernel says when a link
// changes: one long-lived `ip -o monitor link` prints a line per change, and each line makes the
// watcher read /sys/class/net/IFACE/operstate again, so an idle appliance does no polling. A
// slow read every `safetyMs` catches anything the monitor missed; while the monitor cannot run
// (no iproute2, or it exited and waits to be started again) the watcher reads every `pollMs`.
// An interface that does not exist counts as down. The core decides what a down interface means.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface CarrierWatcherOptions {
  interfaces: string[];
  onChange: (down: string[]) => void;
  /** Where sysfs is (tests point it at a fake tree). */
  sysfsRoot?: string;
  /** The link monitor to run; null: none, poll every pollMs. Default `ip -o monitor link`. */
  monitorCommand?: string[] | null;
  /** How often to read while no monitor runs (default 250 ms). */
  pollMs?: number;
  /** How often to read anyway while the monitor runs (default 10 s). */
  safetyMs?: number;
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

const RESTART_MS = 2000;

export class CarrierWatcher {
  private timer: NodeJS.Timeout | undefined;
  private restart: NodeJS.Timeout | undefined;
  private monitor: ChildProcess | undefined;
  private stopped = false;
  private last: string | undefined;

  constructor(private readonly options: CarrierWatcherOptions) {}

  start(): void {
    this.check();
    this.startMonitor();
  }

  private get command(): string[] | null {
    return this.options.monitorCommand === undefined ? ['ip', '-o', 'monitor', 'link'] : this.options.monitorCommand;
  }

  /** Reads every `ms` from now on (replacing the current pace). */
  private pace(ms: number): void {
    clearInterval(this.timer);
    this.timer = setInterval(() => this.check(), ms);
    this.timer.unref();
  }

  private startMonitor(): void {
    const command = this.command;
    this.pace(this.options.pollMs ?? 250);
    if (this.stopped || !command) return;
    const [file, ...args] = command as [string, ...string[]];
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    this.monitor = child;
    child.on('spawn', () => {
      if (this.monitor !== child) return;
      // The monitor is up: what changed while it started is read once, then only on news.
      this.check();
      this.pace(this.options.safetyMs ?? 10_000);
    });
    createInterface({ input: child.stdout! }).on('line', () => this.check());
    const again = () => {
      if (this.monitor !== child) return;
      this.monitor = undefined;
      this.pace(this.options.pollMs ?? 250);
      if (this.stopped) return;
      this.restart = setTimeout(() => this.startMonitor(), RESTART_MS);
      this.restart.unref();
    };
    child.on('error', again);
    child.on('exit', again);
    child.unref();
    (child.stdout as unknown as { unref?: () => void }).unref?.();
  }

  private check(): void {
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
    clearTimeout(this.restart);
    const child = this.monitor;
    this.monitor = undefined;
    child?.kill();
  }
}
