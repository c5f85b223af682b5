// Watches the carrier of the tracked interfaces (keepalived's track_interface): every half
// keepalive it reads /sys/class/net/IFACE/operstate (one small file), and tells the core which
// tracked interfaces are down whenever that changes. An interface that does not exist counts as
// down. The core decides what a down interface means.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CarrierWatcherOptions {
  interfaces: string[];
  onChange: (down: string[]) => void;
  /** Where sysfs is (tests point it at a fake tree). */
  sysfsRoot?: string;
  intervalMs?: number;
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
  private last: string | undefined;

  constructor(private readonly options: CarrierWatcherOptions) {}

  start(): void {
    this.check();
    this.timer = setInterval(() => this.check(), this.options.intervalMs ?? 250);
    this.timer.unref();
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
    clearInterval(this.timer);
  }
}
