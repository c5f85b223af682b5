// The kernel's news of links and addresses, from one long-lived `ip -o monitor link address`:
// a line per change (a carrier lost, an interface up or down, an address added or removed).
// Whoever keeps a view of the interfaces (the carrier watcher, the UDP paths' interface table)
// listens here and reads again on news instead of polling, so an idle appliance makes no
// system call for them. While the monitor cannot run (no iproute2, or it exited and waits
// to be started again) `running` is false and listeners fall back to their own polling.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export const LINK_MONITOR_COMMAND = ['ip', '-o', 'monitor', 'link', 'address'];

/** What a listener hears: a change line, or that the monitor started or stopped running. */
export interface LinkMonitorListener {
  onChange(): void;
  onRunning(running: boolean): void;
}

const RESTART_MS = 2000;

export class LinkMonitor {
  private child: ChildProcess | undefined;
  private restart: NodeJS.Timeout | undefined;
  private stopped = false;
  private started = false;
  private isRunning = false;
  private readonly listeners = new Set<LinkMonitorListener>();

  constructor(private readonly command: readonly string[] = LINK_MONITOR_COMMAND) {}

  get running(): boolean {
    return this.isRunning;
  }

  /** Adds a listener; it is told the current state at once. Returns how to remove it. */
  listen(listener: LinkMonitorListener): () => void {
    this.listeners.add(listener);
    listener.onRunning(this.isRunning);
    return () => this.listeners.delete(listener);
  }

  /** Starts the monitor (once; later calls do nothing). */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.spawnMonitor();
  }

  private setRunning(running: boolean): void {
    if (running === this.isRunning) return;
    this.isRunning = running;
    for (const l of [...this.listeners]) l.onRunning(running);
  }

  private spawnMonitor(): void {
    if (this.stopped) return;
    const [file, ...args] = this.command as [string, ...string[]];
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    this.child = child;
    // Running from its spawn on: what changed while it started is read by the listeners then.
    child.on('spawn', () => {
      if (this.child === child) this.setRunning(true);
    });
    createInterface({ input: child.stdout! }).on('line', () => {
      for (const l of [...this.listeners]) l.onChange();
    });
    const again = () => {
      if (this.child !== child) return;
      this.child = undefined;
      this.setRunning(false);
      if (this.stopped) return;
      this.restart = setTimeout(() => this.spawnMonitor(), RESTART_MS);
      this.restart.unref();
    };
    child.on('error', again);
    child.on('exit', again);
    // The monitor never keeps the agent alive by itself.
    child.unref();
    (child.stdout as unknown as { unref?: () => void }).unref?.();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.restart);
    const child = this.child;
    this.child = undefined;
    this.setRunning(false);
    child?.kill();
  }
}
