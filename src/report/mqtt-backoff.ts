// The wait before the next connection attempt: doubling from `initialMs` up to `maxMs`, with a
// random spread so that fifty pairs losing the same broker do not come back in lock-step.

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** 0.2 = each wait is drawn from 80% to 100% of the nominal one. */
  spread: number;
  random?: () => number;
}

export class Backoff {
  private attempt = 0;

  constructor(private readonly options: BackoffOptions) {}

  /** The wait before the next attempt; each call counts as one more failure. */
  next(): number {
    const nominal = Math.min(this.options.maxMs, this.options.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt += 1;
    const random = this.options.random ?? Math.random;
    return Math.round(nominal * (1 - this.options.spread * random()));
  }

  /** After a successful connection: the next loss starts from the shortest wait again. */
  reset(): void {
    this.attempt = 0;
  }
}
