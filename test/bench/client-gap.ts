// The client's gap when the VIP moves, from the lines of test/e2e/tools/poll-vip.ts: the first
// answer from the new holder minus the last answer from the old one. The poller prints only
// changes, so "the last answer from the old holder" is the `prev` of the line that followed the
// old holder's last line: when the old answer was last given, not when the silence was first
// noticed (a request into the void is only known to have failed 100 ms later).
export interface Answer {
  t: number;
  answer: string | null;
  prev?: number;
}

export function answers(lines: readonly string[]): Answer[] {
  return lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Answer);
}

export interface Move {
  /** Request start of the first answer from the new holder. */
  firstNew: number;
  /** Request start of the old holder's last answer before that, if it answered at all. */
  lastOld?: number;
}

/**
 * Where the client's answers went from `oldHolder` to `newHolder`, looking for the new holder's
 * first answer at or after line `from` (the line count when the operation began). The old
 * holder's last answer may be before `from`: a graceful stop can silence it before the bench
 * notices anything.
 */
export function findMove(lines: readonly string[], oldHolder: string, newHolder: string, from: number): Move | undefined {
  const all = lines.map((l) => (l.startsWith('{') ? (JSON.parse(l) as Answer) : undefined));
  const i = all.findIndex((a, index) => index >= from && a?.answer === newHolder);
  if (i < 0) return undefined;
  const firstNew = all[i]!.t;
  for (let k = i - 1; k >= 0; k--) {
    if (all[k]?.answer !== oldHolder) continue;
    // The next printed line (at most i) carries when the old answer was last given.
    for (let next = k + 1; next <= i; next++) {
      const prev = all[next]?.prev;
      if (prev !== undefined) return { firstNew, lastOld: prev };
    }
    return { firstNew };
  }
  return { firstNew };
}
