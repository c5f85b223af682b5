// A link's counters: plain named numbers, so `twinbeat status` can print them as they are and
// a test can compare them. Missing names read as 0.
export class Counters {
  private readonly values: Record<string, number> = {};

  add(name: string, by = 1): void {
    this.values[name] = (this.values[name] ?? 0) + by;
  }

  get(name: string): number {
    return this.values[name] ?? 0;
  }

  /** A copy: callers may keep it without seeing later changes. */
  snapshot(): Record<string, number> {
    return { ...this.values };
  }
}
