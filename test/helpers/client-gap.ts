// What a client saw of a move of the VIP, from the poller's change lines (poll-vip.ts). Pure, so
// that the arithmetic of the matrix's figures can be checked without a pair.

/** One change line of poll-vip.ts: from `t` on the answer was `answer`; `prevAt` is the last sample with the one before. */
export interface ClientChange {
  t: number;
  answer: string | null;
  prevAt?: number;
}

/** The first change after `since` (inclusive) to an answer from `to`, or undefined. */
export function firstAnswerFrom(changes: ClientChange[], to: string, since: number): ClientChange | undefined {
  return changes.find((c) => c.t >= since && c.answer === to);
}

/**
 * The client's gap in a handover from `from` to `to` that began at `since`: the first answer
 * from `to` minus the last answer from `from` before it. A graceful handover is judged by what
 * the client lost, not by when the operator asked: the old holder may rightly serve for a while
 * after the request. Undefined when `to` has not answered yet, or `from` never answered before it.
 */
export function handoverGap(changes: ClientChange[], from: string, to: string, since: number): number | undefined {
  const first = firstAnswerFrom(changes, to, since);
  if (!first) return undefined;
  const at = changes.indexOf(first);
  // The latest change away from `from` up to that answer: its prevAt is the old holder's last answer.
  for (let i = at; i > 0; i--) {
    if (changes[i - 1]!.answer === from) return first.t - (changes[i]!.prevAt ?? changes[i]!.t);
  }
  return undefined;
}

/** The gap after an abrupt loss at `cutAt` (power): the first answer from `to` minus the moment of the cut. */
export function lossGap(changes: ClientChange[], to: string, cutAt: number): number | undefined {
  const first = firstAnswerFrom(changes, to, cutAt);
  return first && first.t - cutAt;
}

/**
 * The longest time within [from, to] that the client was answered by nobody: from the last
 * answer before a miss (its `prevAt`) to the next answer, cut to the window. A switch from one
 * node straight to the other counts as the one sample between them. An outage still running at
 * `to` counts up to `to`. 0 when every sample in the window was answered.
 */
export function longestOutage(changes: ClientChange[], from: number, to: number): number {
  let longest = 0;
  let lastAnswer: string | null | undefined;
  let quietSince: number | undefined;
  const count = (start: number, end: number) => {
    const length = Math.min(end, to) - Math.max(start, from);
    if (length > longest) longest = length;
  };
  for (const change of changes) {
    if (change.t > to) break;
    if (change.answer === null) {
      // Answered until prevAt (or never answered since the poller started).
      if (lastAnswer !== null) quietSince = lastAnswer === undefined ? change.t : change.prevAt || change.t;
    } else {
      if (lastAnswer === null && quietSince !== undefined) count(quietSince, change.t);
      else if (lastAnswer !== undefined && lastAnswer !== change.answer) count(change.prevAt || change.t, change.t);
      quietSince = undefined;
    }
    lastAnswer = change.answer;
  }
  if (lastAnswer === null && quietSince !== undefined) count(quietSince, to);
  return longest;
}
