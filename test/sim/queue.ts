// The simulator's agenda: a binary heap ordered by time, then by insertion order, so that two
// things due at the same millisecond always happen in the same order for the same seed.
export interface Timed {
  at: number;
  order: number;
}

export class Agenda<T extends Timed> {
  private heap: T[] = [];
  private counter = 0;

  get size(): number {
    return this.heap.length;
  }

  push(item: Omit<T, 'order'>): void {
    const full = { ...item, order: this.counter++ } as T;
    const h = this.heap;
    h.push(full);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  pop(): T | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Timed, b: Timed): boolean {
  return a.at < b.at || (a.at === b.at && a.order < b.order);
}
