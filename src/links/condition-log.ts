// "Logged once per change of condition": a path that fails every second for an hour writes one
// line when it starts failing (or fails for a new reason) and one when it works again, never
// one per frame. Shared by the UDP, multicast and serial drivers.
import type { LinkLog } from './link';

export class ConditionLog {
  /** The reason of the current failure, undefined while all is well. */
  private failing: string | undefined;

  /**
   * Lines read `${subject}: ${action} failed: ${reason}` and `${subject}: ${recovered}`,
   * e.g. `ucast eth1 198.51.100.2: send failed: ENETUNREACH` and `...: sending again`.
   */
  constructor(
    private readonly log: LinkLog,
    private readonly subject: string,
    private readonly action: string,
    private readonly recovered: string,
  ) {}

  /**
   * Records a failure; returns true when it was logged. Only the step from working to failing
   * is a warning: a cable pulled first gives ENETUNREACH, then (once the interface table is
   * re-read) "eth1 is down", and that is one condition, not two; the new reason goes to debug.
   */
  failed(reason: string): boolean {
    const previous = this.failing;
    this.failing = reason;
    if (previous === undefined) {
      this.log.warn(`${this.subject}: ${this.action} failed: ${reason}`);
      return true;
    }
    if (previous !== reason) this.log.debug?.(`${this.subject}: ${this.action} still failing: ${reason}`);
    return false;
  }

  /** Records a success; logs the recovery when it ends a failure. */
  ok(): void {
    if (this.failing === undefined) return;
    this.failing = undefined;
    this.log.info(`${this.subject}: ${this.recovered}`);
  }

  get failure(): string | undefined {
    return this.failing;
  }
}

/** The short reason of an error for a log line: its code when it has one (ENETUNREACH). */
export function reasonOf(err: unknown): string {
  if (err && typeof err === 'object') {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const message = (err as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  }
  return String(err);
}
