// Shared steps of the pair scenarios: a pair serving from node a and watched from the client
// and from both nodes (every 10 ms), and the assertions every handover must pass.
import * as assert from 'uvu/assert';
import { doubleHolds, events, FAST, Pair, type PairSettings, type Watched } from './pair';

export interface ServingPair {
  pair: Pair;
  a: Watched;
  b: Watched;
  client: Watched;
  holdsA: Watched;
  holdsB: Watched;
}

/** Both agents started; resolves once the client is answered by node-a and each node hears the other on both paths. */
export async function servingPair(settings: Partial<PairSettings> = {}, prepare?: (pair: Pair) => void): Promise<ServingPair> {
  const pair = await new Pair({ ...FAST, ...settings }).build();
  try {
    prepare?.(pair);
    const holdsA = pair.watchAddress('a', 180);
    const holdsB = pair.watchAddress('b', 180);
    const client = pair.watchClient(180);
    const a = pair.startAgent('a');
    const b = pair.startAgent('b');
    await client.waitFor(/"answer":"node-a"/, 20_000);
    await b.waitFor(/Link node-a:eth1 up\./, 10_000);
    await b.waitFor(/Link node-a:\S+ttyB up\./, 10_000);
    await a.waitFor(/Link node-b:eth1 up\./, 10_000);
    await a.waitFor(/Link node-b:\S+ttyA up\./, 10_000);
    return { pair, a, b, client, holdsA, holdsB };
  } catch (err) {
    pair.dispose();
    throw err;
  }
}

/** The first time after `since` that the client was answered by `node`. */
export async function answeredBy(sp: ServingPair, node: string, since: number, limitMs: number): Promise<number> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const hit = events<{ t: number; answer: string | null }>(sp.client).find((e) => e.t >= since && e.answer === node);
    if (hit) return hit.t;
    if (Date.now() > deadline) throw new Error(`the client was not answered by ${node} within ${limitMs} ms: ${sp.client.lines.slice(-5).join(' ')}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** No moment, in the samples so far, when both nodes held the VIP. */
export function assertNeverBoth(sp: ServingPair): void {
  const overlaps = doubleHolds(events(sp.holdsA), events(sp.holdsB));
  assert.equal(overlaps, [], `both nodes held the VIP: ${JSON.stringify(overlaps)}`);
}

/** Whether node holds the VIP now, by its watcher's last line. */
export function holdsNow(watch: Watched): boolean {
  return events<{ held: boolean }>(watch).at(-1)?.held === true;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
