// Frames handed to a socket or a port whose sending has not completed yet. A link's stop()
// waits for them (boundedly) before it closes: Node hands a datagram to the kernel only on a
// later turn of the event loop, and a socket closed before then drops it without a word. The
// last frames before an exit matter most (the shutdown notice), so they must not be the ones lost.

/** How long stop() waits for pending sends before closing anyway (a stuck port must not hold an exit). */
export const FLUSH_LIMIT_MS = 500;

export class PendingSends {
  private count = 0;
  private waiters: Array<() => void> = [];

  begin(): void {
    this.count += 1;
  }

  /** One send completed, failed or was given up. */
  end(n = 1): void {
    this.count = Math.max(0, this.count - n);
    if (this.count === 0) for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves once nothing is pending, or after `limitMs` whatever is still pending. */
  idle(limitMs = FLUSH_LIMIT_MS): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== wake);
        resolve();
      }, limitMs);
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push(wake);
    });
  }
}
