// Heartbeat's retransmission (`NS_rexmit`), both ways, for a peer that runs Heartbeat 3.0 (issue
// 24). Heartbeat numbers every message of a run from one counter and repairs a gap between its
// own nodes by asking for the missing numbers again; a message it lost from twinbeat is asked for
// every quarter second until it comes or is refused (`NS_nakrexmit`), and one of its own that
// twinbeat lost (a standby exchange's `done`, say) would otherwise leave both sides waiting. This
// is transport, not a decision: the same bytes are sent again, and the core takes a copy it has
// seen for a copy. No I/O and no clock here: the wire transport and the simulator feed it `now`.

/** Heartbeat's max_rexmit_delay default: how often a missing number is asked for again. */
export const REXMIT_MS = 250;
/**
 * The first request waits this long after the gap is seen: a frame held back on the other path
 * usually arrives meanwhile (Heartbeat waits 50 to 250 ms at random for the same reason).
 */
export const FIRST_ASK_MS = 100;
/** Asked this many times (5 s) and still missing: given up (Heartbeat asks for as long as the peer lives; the core asks `starting` again for what matters). */
export const MAX_ASKS = 20;
/** Frames kept to answer with: Heartbeat's own history is 200 messages. */
export const HISTORY = 200;
/** At most this many frames sent again for one request (Heartbeat's MAX_REXMIT_BATCH), and numbers tracked as missing. */
export const MAX_BATCH = 50;
/** A request for a frame sent again this recently is not answered again (Heartbeat's ACCEPT_REXMIT_REQ_MS). */
const RESENT_RECENTLY_MS = REXMIT_MS - 10;

export class HeartbeatRetransmission<Frame> {
  // --- what we sent: kept to send again ---
  private readonly sentFrames: ({ seq: number; frame: Frame; resentAt: number } | undefined)[] = new Array(HISTORY);
  private highestSent = -1;

  // --- what the peer sent: the numbers missing from its current run ---
  private run = -1;
  private highestHeard = -1;
  private readonly missing = new Map<number, { dueAt: number; asks: number }>();

  /** A numbered frame on its way to every path of the peer. */
  sent(seq: number, frame: Frame): void {
    this.sentFrames[seq % HISTORY] = { seq, frame, resentAt: -Infinity };
    if (seq > this.highestSent) this.highestSent = seq;
  }

  /**
   * The peer asks for `first`..`last` again: the frames to send again now, and the numbers to
   * refuse (sent, but no longer kept). A number above the highest sent is ignored, as Heartbeat
   * does (the peer may have heard an earlier run of ours). A hostile range costs at most MAX_BATCH.
   */
  requested(first: number, last: number, now: number): { again: Frame[]; refused: number[] } {
    const again: Frame[] = [];
    const refused: number[] = [];
    const end = Math.min(last, this.highestSent, first + MAX_BATCH - 1);
    for (let seq = Math.max(first, 0); seq <= end; seq++) {
      const kept = this.sentFrames[seq % HISTORY];
      if (!kept || kept.seq !== seq) {
        refused.push(seq);
        continue;
      }
      if (now - kept.resentAt < RESENT_RECENTLY_MS) continue;
      kept.resentAt = now;
      again.push(kept.frame);
    }
    return { again, refused };
  }

  /** A numbered frame of the peer's run `run` arrived (authenticated, on any path); true when it was missing. */
  heard(run: number, seq: number, now: number): boolean {
    if (run !== this.run) {
      // A new run numbers afresh; an older one is not asked about.
      if (run < this.run) return false;
      this.run = run;
      this.highestHeard = seq;
      this.missing.clear();
      return false;
    }
    if (seq <= this.highestHeard) return this.missing.delete(seq);
    const gap = seq - this.highestHeard - 1;
    // Too many lost at once (a long cut): start over from here, as Heartbeat does past its flow-control limit.
    if (gap > MAX_BATCH) this.missing.clear();
    else for (let k = this.highestHeard + 1; k < seq; k++) this.missing.set(k, { dueAt: now + FIRST_ASK_MS, asks: 0 });
    while (this.missing.size > MAX_BATCH) this.missing.delete(this.missing.keys().next().value!);
    this.highestHeard = seq;
    return false;
  }

  /** The peer said it cannot send `seq` again (`NS_nakrexmit`): stop asking. */
  refusedByPeer(seq: number): void {
    this.missing.delete(seq);
  }

  /** The ranges of missing numbers to ask for now (each asked again REXMIT_MS later, up to MAX_ASKS times). */
  due(now: number): [number, number][] {
    const seqs: number[] = [];
    for (const [seq, m] of this.missing) {
      if (m.dueAt > now) continue;
      if (++m.asks > MAX_ASKS) {
        this.missing.delete(seq);
        continue;
      }
      m.dueAt = now + REXMIT_MS;
      seqs.push(seq);
    }
    seqs.sort((a, b) => a - b);
    const ranges: [number, number][] = [];
    for (const seq of seqs) {
      const last = ranges[ranges.length - 1];
      if (last && last[1] === seq - 1) last[1] = seq;
      else ranges.push([seq, seq]);
    }
    return ranges;
  }

  /** When `due` next has something to ask (undefined: nothing is missing). */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const m of this.missing.values()) if (next === undefined || m.dueAt < next) next = m.dueAt;
    return next;
  }
}
