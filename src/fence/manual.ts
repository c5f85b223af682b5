// Heartbeat's "meatware": nothing can switch the target's power, so a person does. A reset
// asks for them in the log and waits, however long it takes, until they say the target is
// down with `twinbeat fence-confirm NODE`. Only then may the core take over; guessing would
// risk two nodes serving the same address.
import type { Logger } from '../log';
import type { ConfirmableDevice, FenceOutcome } from './device';

export interface ManualOptions {
  log: Logger;
}

export class ManualDevice implements ConfirmableDevice {
  readonly type = 'manual' as const;
  private waiting: ((outcome: FenceOutcome) => void) | undefined;
  private pending: Promise<FenceOutcome> | undefined;
  private waitingSince = 0;

  constructor(
    readonly target: string,
    private readonly options: ManualOptions,
  ) {}

  async start(): Promise<void> {}

  reset(): Promise<FenceOutcome> {
    // A second request while one waits is the same request: one confirmation answers both.
    if (this.pending) return this.pending;
    this.options.log.log('CRIT', `Operator intervention required to reset ${this.target}: power-cycle it (or make sure it is off), then run "twinbeat fence-confirm ${this.target}"`);
    this.waitingSince = Date.now();
    this.pending = new Promise<FenceOutcome>((resolve) => (this.waiting = resolve));
    return this.pending;
  }

  confirm(node: string): string {
    if (node.toLowerCase() !== this.target) throw new Error(`this node's manual reset device is for ${this.target}, not ${node}`);
    const resolve = this.waiting;
    if (!resolve) throw new Error(`no reset of ${this.target} is waiting for confirmation`);
    const waitedS = Math.round((Date.now() - this.waitingSince) / 1000);
    this.waiting = undefined;
    this.pending = undefined;
    this.options.log.log('info', `Operator confirmed that ${this.target} was reset (after ${waitedS} s)`);
    resolve({ ok: true, detail: `reset of ${this.target} confirmed by the operator after ${waitedS} s` });
    return `reset of ${this.target} confirmed`;
  }

  /** A person powers the target: off and on are theirs to do, and cannot be confirmed by us. */
  async off(): Promise<FenceOutcome> {
    return { ok: false, detail: `manual device: switch ${this.target} off by hand` };
  }

  async on(): Promise<FenceOutcome> {
    return { ok: false, detail: `manual device: switch ${this.target} on by hand` };
  }

  async status(): Promise<FenceOutcome> {
    return { ok: true, detail: this.waiting ? `waiting for "twinbeat fence-confirm ${this.target}"` : 'no reset waiting' };
  }

  health(): FenceOutcome {
    return { ok: true, detail: this.waiting ? `waiting for the operator to confirm the reset of ${this.target}` : 'operator on call' };
  }

  describe(): string {
    return `manual for ${this.target}: an operator resets it and confirms with "twinbeat fence-confirm ${this.target}"`;
  }

  stop(): void {
    // Shutting down: the waiting reset did not happen as far as we know.
    const resolve = this.waiting;
    this.waiting = undefined;
    this.pending = undefined;
    resolve?.({ ok: false, detail: `twinbeat stopped before the reset of ${this.target} was confirmed` });
  }
}
