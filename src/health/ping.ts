// Measures which ping targets this node reaches, for the core's connectivity rule (ipfail).
// One long-running system `ping` per address, read line by line: cheaper on an appliance than a
// process per probe. An address counts as answering while its last reply is at most
// `staleMs` old (two missed probes, a probe every 250 ms: a loss is seen within 650 ms); a
// target (a `ping` address, or a `ping_group` of which any member answers) counts once. The
// count goes to the core whenever it changes; the core decides what it means. A ping that exits is started again with a pause.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { PingTarget } from '../config/types';
import type { Logger } from '../log';

export interface PingWatcherOptions {
  targets: PingTarget[];
  logger: Logger;
  /** Called with the number of targets that answer, whenever it changes. */
  onChange: (reachable: number) => void;
  pingPath?: string;
  intervalS?: number;
  staleMs?: number;
  now?: () => number;
}

export class PingWatcher {
  private readonly lastReply = new Map<string, number>();
  private readonly children = new Map<string, ChildProcess>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private last = -1;
  private readonly now: () => number;

  constructor(private readonly options: PingWatcherOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  start(): void {
    const addresses = new Set(this.options.targets.flatMap((t) => t.addresses));
    for (const address of addresses) this.run(address);
    this.timer = setInterval(() => this.evaluate(), 100);
    this.timer.unref();
  }

  /** The number of targets answering now. */
  reachable(): number {
    const stale = this.options.staleMs ?? 550;
    const t = this.now();
    return this.options.targets.filter((target) => target.addresses.some((a) => t - (this.lastReply.get(a) ?? -Infinity) <= stale)).length;
  }

  private evaluate(): void {
    const n = this.reachable();
    if (n === this.last) return;
    this.last = n;
    this.options.onChange(n);
  }

  private run(address: string): void {
    if (this.stopped) return;
    const interval = String(this.options.intervalS ?? 0.25);
    const child = spawn(this.options.pingPath ?? 'ping', ['-n', '-i', interval, address], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.set(address, child);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (/bytes from/.test(line)) {
        this.lastReply.set(address, this.now());
        if (this.last <= 0) this.evaluate();
      }
    });
    child.stderr!.resume();
    child.on('error', (err) => this.options.logger.log('warn', `ping ${address}: ${err.message}`));
    child.on('close', (code) => {
      this.children.delete(address);
      if (this.stopped) return;
      this.options.logger.log('warn', `ping ${address} exited (${code}); starting it again in 5 s`);
      setTimeout(() => this.run(address), 5000).unref();
    });
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    for (const child of this.children.values()) child.kill();
  }
}
