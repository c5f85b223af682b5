// The wait before the next attempt at something that failed (reopening a heartbeat path,
// reconnecting to the broker): short at first (a USB adapter replugged is back within a second),
// doubling to a ceiling so that a missing device or broker costs a few wake-ups a minute, not a
// spin. An optional random spread keeps fifty pairs that lost the same broker from coming back
// in lock-step.
export interface BackoffOptions {
  firstMs: number;
  maxMs: number;
  /** 0.2 = each wait is drawn from 80% to 100% of the nominal one; 0 (the default) = exact. */
  spread?: number;
  random?: () => number;
}

/** Heartbeat paths: a quarter second first, then up to 5 s. */
export const DEFAULT_BACKOFF: BackoffOptions = { firstMs: 250, maxMs: 5_000 };

export class Backoff {
  private attempt = 0;

  constructor(private readonly options: BackoffOptions = DEFAULT_BACKOFF) {}

  /** The wait before the next attempt; each call counts as one more failure. */
  next(): number {
    const { firstMs, maxMs, spread = 0, random = Math.random } = this.options;
    const nominal = Math.min(maxMs, firstMs * 2 ** Math.min(this.attempt, 30));
    this.attempt += 1;
    return spread > 0 ? Math.round(nominal * (1 - spread * random())) : nominal;
  }

  /** After a success: the next failure starts again from the shortest wait. */
  reset(): void {
    this.attempt = 0;
  }
}
