// Events wait here while the broker is unreachable or slow. The bound keeps a long outage from
// eating the appliance's memory: when full, the oldest event goes, and the count of lost events
// is kept so that it can be reported once the broker is back.

export class BoundedQueue<T> {
  private items: T[] = [];
  private droppedSinceReport = 0;

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`queue limit must be at least 1, not ${limit}`);
  }

  get length(): number {
    return this.items.length;
  }

  /** Adds at the end, dropping from the front when over the limit. */
  push(item: T): void {
    this.items.push(item);
    this.trim();
  }

  /**
   * Puts back, in order, items that were taken but not delivered (a connection lost with
   * publishes in flight). They are older than everything queued, so they go first, and are
   * the first dropped if that overflows the bound.
   */
  requeue(items: T[]): void {
    this.items.unshift(...items);
    this.trim();
  }

  shift(): T | undefined {
    return this.items.shift();
  }

  /** How many were dropped and not yet reported. */
  get dropped(): number {
    return this.droppedSinceReport;
  }

  /** Called once a report of `count` drops has been delivered; drops since then stay counted. */
  reported(count: number): void {
    this.droppedSinceReport = Math.max(0, this.droppedSinceReport - count);
  }

  private trim(): void {
    const excess = this.items.length - this.limit;
    if (excess > 0) {
      this.items.splice(0, excess);
      this.droppedSinceReport += excess;
    }
  }
}
