// The operations of the handover matrix (issue 15), each carried out on a serving pair and
// measured as the client saw it. A cycle keeps one pair per shape busy instead of building one
// per operation: standby on node-a, takeover back on node-a, SIGTERM of node-a, node-a started
// again (auto_failback on brings the group home: the failback), a path cut, power loss last.
// Every operation returns what it measured, or why it failed or does not apply; the callers
// (the e2e suite, the bench) decide what is acceptable.
import { lossGap, handoverGap, type ClientChange } from './client-gap';
import { doubleHolds, events, type PairNode } from './pair';
import { answeredBy, heardOnEveryPath, holdsNow, linksUp, servingPair, sleep, escapeRegExp, type ServingPair } from './pair-scenario';
import { pathCut, type Shape } from './shapes';

/** The matrix's timings: deadtime 5 s, so a handover that waits for deadtime cannot hide in the bound. */
export const MATRIX_TIMING = { keepalive: '200ms', deadtime: '5s', warntime: '3s', initdead: '10s' } as const;
export const DEADTIME_MS = 5000;
/** A graceful handover (SIGTERM, standby, takeover, failback) must not depend on deadtime. */
export const GRACEFUL_BOUND_MS = 300;
export const POWER_BOUND_MS = DEADTIME_MS + 100;
/** How long after a move the client must keep the new holder's answers (see settled()). */
const SETTLE_MS = 2200;

export const CYCLE = ['standby', 'takeover', 'sigterm', 'failback', 'path-cut', 'power-loss'] as const;
export type Operation = (typeof CYCLE)[number];
/** The operations that hand the group over between two running agents, repeated by the bench. */
export const GRACEFUL: Operation[] = ['standby', 'takeover', 'sigterm', 'failback'];

export const LABEL: Record<Operation, string> = {
  standby: 'standby',
  takeover: 'takeover',
  sigterm: 'SIGTERM',
  failback: 'failback',
  'path-cut': 'path cut',
  'power-loss': 'power loss',
};

export interface OpResult {
  op: Operation;
  /** False when the shape has no such operation; `detail` says why. */
  applies: boolean;
  /** The client's gap (ms); absent when the move did not happen, or for a path cut. */
  gapMs?: number;
  boundMs?: number;
  /** Set when the operation failed: no move, an unexpected move, a double holder, a bad exit. */
  error?: string;
  detail: string;
}

export const withinBound = (r: OpResult) => r.gapMs !== undefined && r.boundMs !== undefined && r.gapMs <= r.boundMs;

/** A pair in one shape, serving from node-a, that runs the matrix's operations in order. */
export class MatrixPair {
  private constructor(
    readonly shape: Shape,
    readonly sp: ServingPair,
  ) {}

  static async start(shape: Shape, watchS = 180): Promise<MatrixPair> {
    return new MatrixPair(shape, await servingPair({ ...MATRIX_TIMING, autoFailback: 'on', services: 'websvc', shape }, undefined, watchS));
  }

  dispose(): void {
    this.sp.pair.dispose();
  }

  async run(op: Operation): Promise<OpResult> {
    try {
      const result = await this.carryOut(op);
      const overlaps = doubleHolds(events(this.sp.holdsA), events(this.sp.holdsB));
      if (overlaps.length > 0) return { ...result, error: `both nodes held the VIP: ${JSON.stringify(overlaps)}` };
      return result;
    } catch (err) {
      return { op, applies: true, error: (err as Error).message, detail: 'failed' };
    }
  }

  private carryOut(op: Operation): Promise<OpResult> {
    switch (op) {
      case 'standby':
        return this.command('standby', 'a', 'a', 'b');
      case 'takeover':
        return this.command('takeover', 'a', 'b', 'a');
      case 'sigterm':
        return this.sigterm();
      case 'failback':
        return this.failback();
      case 'path-cut':
        return this.pathCut();
      case 'power-loss':
        return this.powerLoss();
    }
  }

  private changes(): ClientChange[] {
    return events<ClientChange>(this.sp.client);
  }

  /** Waits for the client to be answered by `to` after `since`, then measures the gap since `from` last answered. */
  private async moved(op: Operation, from: PairNode, to: PairNode, since: number, detail: string): Promise<OpResult> {
    const [fromName, toName] = [this.sp.pair.name(from), this.sp.pair.name(to)];
    // Deadtime and some: a handover that waits for deadtime (issue 15's bug) is measured, not timed out.
    await answeredBy(this.sp, toName, since, DEADTIME_MS + 3000);
    const gapMs = handoverGap(this.changes(), fromName, toName, since);
    const answered = this.changes().length;
    await this.settled(to);
    // The move must stay put for the client: a late gratuitous ARP from the old holder (its
    // announcements still due when it stopped) would pull the client back to a node that no
    // longer has the address.
    const after = this.changes().slice(answered);
    if (after.length > 0) return { op, applies: true, gapMs, error: `after ${toName} answered, the client saw: ${JSON.stringify(after)}`, detail };
    if (gapMs === undefined) return { op, applies: true, error: `${toName} answered, but ${fromName} had not answered before it`, detail };
    return { op, applies: true, gapMs, boundMs: GRACEFUL_BOUND_MS, detail };
  }

  /**
   * After a move: long enough for the old holder's gratuitous ARPs still due to have gone out
   * (five, 200 ms apart after the first arping's one-second wait), then only `holder` holds the VIP.
   */
  private async settled(holder: PairNode): Promise<void> {
    await sleep(SETTLE_MS);
    const [mine, theirs] = holder === 'a' ? [this.sp.holdsA, this.sp.holdsB] : [this.sp.holdsB, this.sp.holdsA];
    if (!holdsNow(mine) || holdsNow(theirs)) throw new Error(`after the move ${this.sp.pair.name(holder)} should hold the VIP alone`);
  }

  /** `twinbeat standby` / `twinbeat takeover` on `on`, moving the group from `from` to `to`. */
  private async command(word: 'standby' | 'takeover', on: PairNode, from: PairNode, to: PairNode): Promise<OpResult> {
    const since = Date.now();
    const cli = await this.sp.pair.twinbeat(on, word);
    if (cli.code !== 0) return { op: word, applies: true, error: `twinbeat ${word} exited ${cli.code}: ${cli.output}`, detail: cli.output };
    const said = `twinbeat ${word} on ${this.sp.pair.name(on)} (exit 0: ${cli.output.split('\n')[0]})`;
    try {
      return await this.moved(word, from, to, since, said);
    } catch (err) {
      throw new Error(`${said}, then: ${(err as Error).message}`);
    }
  }

  private async sigterm(): Promise<OpResult> {
    const since = Date.now();
    const agent = this.sp.a;
    const exit = agent.exited.then((code) => ({ code, afterMs: Date.now() - since }));
    agent.kill('SIGTERM');
    const result = await this.moved('sigterm', 'a', 'b', since, 'SIGTERM to node-a');
    const exited = await Promise.race([exit, sleep(5000).then(() => undefined)]);
    if (exited?.code !== 0) return { ...result, error: `node-a's agent after SIGTERM: ${exited ? `exit ${exited.code}` : 'still running 5 s after the move'}` };
    return { ...result, detail: `${result.detail}; it exited 0 after ${exited.afterMs} ms` };
  }

  /** node-a's agent started again (after SIGTERM): auto_failback on brings the group home. */
  private async failback(): Promise<OpResult> {
    const since = Date.now();
    this.sp.a = this.sp.pair.startAgent('a');
    const result = await this.moved('failback', 'b', 'a', since, 'node-a started again, auto_failback on');
    // The next operation needs every path heard again both ways: the new agent logs each of its
    // paths up; node-b logs them only if they went dead meanwhile, so it is asked instead.
    await linksUp(this.sp.pair, 'a', this.sp.a);
    await heardOnEveryPath(this.sp.pair, 'b', since);
    return result;
  }

  /** One of two independent paths cut: nothing may move and the client may not miss one answer. */
  private async pathCut(): Promise<OpResult> {
    const { pair, a, b } = this.sp;
    const cut = pathCut(this.shape, { inA: (args) => pair.lab.exec('a', args), cable: pair.cable });
    if (!cut.applies) return { op: 'path-cut', applies: false, detail: cut.why };
    const [fromA, fromB, fromClient] = [a.lines.length, b.lines.length, this.sp.client.lines.length];
    const logged = (node: PairNode, state: 'dead' | 'up') => new RegExp(`Link ${pair.name(node === 'a' ? 'b' : 'a')}:${escapeRegExp(cut.links[node])} ${state}\\.`);
    cut.cut();
    try {
      await b.waitFor(logged('b', 'dead'), DEADTIME_MS + 3000, fromB);
      await sleep(1000); // past the path's death: anything that would move has moved
    } finally {
      await cut.heal();
    }
    // The healed path must come back both ways before the next operation (a serial port
    // reopens with a back-off that reaches 5 s).
    await b.waitFor(logged('b', 'up'), 15_000, fromB);
    await a.waitFor(logged('a', 'up'), 15_000, fromA);
    const during = [...a.lines.slice(fromA), ...b.lines.slice(fromB)].filter((l) => /is dead|Taking over|Releasing|Resetting|Handing/.test(l));
    // poll-vip prints a line only when the answer changes: any line is a missed or moved answer.
    const lost = this.sp.client.lines.slice(fromClient).filter((l) => l.startsWith('{')).length;
    if (during.length > 0) return { op: 'path-cut', applies: true, error: `the cut moved something:\n${during.join('\n')}`, detail: cut.what };
    if (lost > 0) return { op: 'path-cut', applies: true, error: `the client saw ${lost} change(s) during the cut`, detail: cut.what };
    if (!holdsNow(this.sp.holdsA) || holdsNow(this.sp.holdsB)) return { op: 'path-cut', applies: true, error: 'node-a no longer holds the VIP alone', detail: cut.what };
    return { op: 'path-cut', applies: true, detail: `${cut.what}: nothing moved, the client missed no answer` };
  }

  private async powerLoss(): Promise<OpResult> {
    const cutAt = Date.now();
    this.sp.pair.powerOff('a');
    await answeredBy(this.sp, 'node-b', cutAt, DEADTIME_MS + 3000);
    const gapMs = lossGap(this.changes(), 'node-b', cutAt);
    return { op: 'power-loss', applies: true, gapMs, boundMs: POWER_BOUND_MS, detail: 'node-a powered off (links down, agent killed -9)' };
  }
}
