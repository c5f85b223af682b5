// Shared steps of the pair scenarios: a pair serving from node a and watched from the client
// and from both nodes (every 10 ms), and the assertions every handover must pass.
import * as assert from 'uvu/assert';
import { doubleHolds, events, FAST, Pair, type PairNode, type PairSettings, type Watched } from './pair';
import { expectedLinks } from './shapes';
import type { StatusSnapshot } from '../../src/snapshot';

export interface ServingPair {
  pair: Pair;
  a: Watched;
  b: Watched;
  client: Watched;
  holdsA: Watched;
  holdsB: Watched;
}

/**
 * Both agents started; resolves once the client is answered by node-a and each node hears the
 * other on every path of the pair's shape. The watchers stop after `watchS` seconds.
 */
export async function servingPair(settings: Partial<PairSettings> = {}, prepare?: (pair: Pair) => void, watchS = 180): Promise<ServingPair> {
  const pair = await new Pair({ ...FAST, ...settings }).build();
  try {
    prepare?.(pair);
    const holdsA = pair.watchAddress('a', watchS);
    const holdsB = pair.watchAddress('b', watchS);
    const client = pair.watchClient(watchS);
    const a = pair.startAgent('a');
    const b = pair.startAgent('b');
    await client.waitFor(/"answer":"node-a"/, 20_000);
    await linksUp(pair, 'b', b);
    await linksUp(pair, 'a', a);
    return { pair, a, b, client, holdsA, holdsB };
  } catch (err) {
    pair.dispose();
    throw err;
  }
}

/** Waits (bounded) until `agent`, node `node`'s agent, has logged every path of the shape up, from its line `from`. */
export async function linksUp(pair: Pair, node: PairNode, agent: Watched, from = 0, timeoutMs = 10_000): Promise<void> {
  const peer = pair.name(node === 'a' ? 'b' : 'a');
  for (const link of expectedLinks(pair.settings.shape, node, pair.cable)) {
    await agent.waitFor(new RegExp(`Link ${peer}:${escapeRegExp(link)} up\\.`), timeoutMs, from);
  }
}

/**
 * Waits (bounded) until node `node`'s agent, asked by `twinbeat status --json`, has its peer up
 * and, for each path name of the shape, a path of that name up, heard since `since` (epoch ms).
 * For a peer that restarted within deadtime the log says nothing new about the paths, which
 * never went dead; the status does.
 */
export async function heardOnEveryPath(pair: Pair, node: PairNode, since: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const names = expectedLinks(pair.settings.shape, node, pair.cable);
  let last = '';
  while (Date.now() < deadline) {
    const asked = Date.now();
    const { code, output } = await pair.twinbeat(node, 'status', '--json');
    if (code === 0) {
      const s = JSON.parse(output) as StatusSnapshot;
      const fresh = (ago: number | undefined) => ago !== undefined && asked - ago >= since;
      if (s.peer.state === 'up' && names.every((n) => s.paths.some((p) => p.name === n && p.state === 'up' && fresh(p.lastHeardAgoMs)))) return;
      last = JSON.stringify({ peer: s.peer, paths: s.paths });
    } else last = output;
    await sleep(100);
  }
  throw new Error(`${pair.name(node)} does not hear its peer on every path within ${timeoutMs} ms: ${last}`);
}

export const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

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
