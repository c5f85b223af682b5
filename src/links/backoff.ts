// Retry delays for reopening a path: short at first (a USB adapter replugged is back within a
// second), doubling to a ceiling so a missing device costs a few wake-ups a minute, not a spin.
export interface BackoffOptions {
  firstMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { firstMs: 250, maxMs: 5_000 };

export class Backoff {
  private nextMs: number;

  constructor(private readonly options: BackoffOptions = DEFAULT_BACKOFF) {
    this.nextMs = options.firstMs;
  }

  /** The delay before the next attempt; each call doubles the following one, up to the ceiling. */
  next(): number {
    const delay = this.nextMs;
    this.nextMs = Math.min(this.nextMs * 2, this.options.maxMs);
    return delay;
  }

  /** After a success: the next failure starts again from the first delay. */
  reset(): void {
    this.nextMs = this.options.firstMs;
  }
}
