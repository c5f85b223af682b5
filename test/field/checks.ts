// The field suite's invariants. Settled (judged when the pair has had time to act): the VIP is on
// exactly the node the model expects, or on none for the model's stated reason; the client is
// answered by that node; every running agent's `status` says the same holder, with the group
// held there and released on the other, its peer up when both run, no group marked failed, and
// a role that explains itself. Over a whole step: never both nodes holding the VIP, the client's
// outage within the step's budget, no bad news in the logs (CTS's BadNews), no unexpected death
// or reset.
import { doubleHolds, events, type Watched } from '../helpers/pair';
import { holdsNow } from '../helpers/pair-scenario';
import { longestOutage, type ClientChange } from '../helpers/client-gap';
import type { StatusSnapshot } from '../../src/snapshot';
import type { FieldPair } from './field-pair';
import { SIDES, type Expected, type Side, type World } from './model';

const name = (node: Side | null) => (node === null ? 'nobody' : `node-${node}`);

/** What is wrong with the pair now, judged against the model; empty when it is as expected. */
export async function observe(pair: FieldPair, world: World, expected: Expected): Promise<string[]> {
  const problems: string[] = [];
  for (const node of SIDES) {
    if (world.running[node] !== pair.alive(node)) problems.push(`${name(node)}'s agent is ${pair.alive(node) ? 'running' : 'not running'}, but it should ${world.running[node] ? '' : 'not '}be`);
    const holds = holdsNow(pair.holds[node]);
    if (holds !== (expected.holder === node)) problems.push(`${name(node)} ${holds ? 'holds' : 'does not hold'} the VIP (expected: ${name(expected.holder)}, ${expected.why})`);
  }
  const answer = events<ClientChange>(pair.client).at(-1)?.answer ?? null;
  const wanted = expected.holder === null ? null : name(expected.holder);
  if (answer !== wanted) problems.push(`the client is answered by ${answer ?? 'nobody'}, expected ${wanted ?? 'nobody'}`);
  for (const node of SIDES) {
    if (!world.running[node]) continue;
    const status = await pair.status(node);
    if (typeof status === 'string') problems.push(`twinbeat status on ${name(node)}: ${status}`);
    else problems.push(...statusProblems(status, node, world, expected));
  }
  return problems;
}

export function statusProblems(s: StatusSnapshot, node: Side, world: World, expected: Expected): string[] {
  const problems: string[] = [];
  const me = name(node);
  const holdsHere = expected.holder === node;
  for (const g of s.groups) {
    if (g.holder !== (expected.holder === null ? null : name(expected.holder))) problems.push(`${me}'s status says ${g.id} is held by ${g.holder ?? 'nobody'}`);
    const state = holdsHere ? 'held' : 'released';
    if (g.state !== state) problems.push(`${me}'s status says ${g.id} is ${g.state} here, expected ${state}`);
    if (g.failedOn.length > 0) problems.push(`${me}'s status says ${g.id} is FAILED on ${g.failedOn.join(', ')}`);
  }
  const both = world.running.a && world.running.b;
  if (both && s.peer.state !== 'up') problems.push(`${me}'s status says its peer is ${s.peer.state}`);
  const role = holdsHere ? 'active' : both || !world.relay ? 'standby' : 'waiting';
  if (s.role !== role) problems.push(`${me}'s status says role ${s.role}, expected ${role}`);
  return problems;
}

/** A step's window on the pair: where each log and watcher stood when it began. */
export interface StepMarks {
  at: number;
  agents: Record<Side, { instances: number; lines: number }>;
  shots: number;
}

export function markStep(pair: FieldPair): StepMarks {
  const mark = (node: Side) => ({ instances: pair.history[node].length, lines: pair.history[node].at(-1)?.lines.length ?? 0 });
  return { at: Date.now(), agents: { a: mark('a'), b: mark('b') }, shots: pair.power?.shots.length ?? 0 };
}

/** Every line node's agents wrote since the mark, whichever process wrote it. */
export function linesSince(pair: FieldPair, node: Side, marks: StepMarks): string[] {
  const { instances, lines } = marks.agents[node];
  const all = pair.history[node];
  const out: string[] = [];
  all.forEach((agent: Watched, i) => {
    if (i === instances - 1) out.push(...agent.lines.slice(lines));
    else if (i >= instances) out.push(...agent.lines);
  });
  return out;
}

/** Log lines no step should cause: errors and crashes (warnings are the agent's to give). */
const BAD_NEWS = [/ (ERROR|CRIT): /, /^\s+at /, /\b(TypeError|RangeError|ReferenceError|SyntaxError)\b/, /Unhandled|uncaught/i, /^\(node:\d+\)/];

export interface StepRules {
  budgetMs?: number;
  deathExpected: boolean;
  resets: number;
  expectedErrors: RegExp[];
}

export interface StepVerdict {
  outageMs: number;
  problems: string[];
}

/** Judges a whole step, from its marks to now. */
export function judgeStep(pair: FieldPair, marks: StepMarks, rules: StepRules): StepVerdict {
  const problems: string[] = [];
  const now = Date.now();
  const since = <T extends { t: number }>(w: Watched) => events<T>(w).filter((e) => e.t >= marks.at - 1000);
  const overlaps = doubleHolds(since(pair.holds.a), since(pair.holds.b)).filter((o) => o.to >= marks.at);
  if (overlaps.length > 0) problems.push(`both nodes held the VIP: ${JSON.stringify(overlaps)}`);
  const outageMs = longestOutage(events<ClientChange>(pair.client), marks.at, now);
  if (rules.budgetMs !== undefined && outageMs > rules.budgetMs) problems.push(`the client went unanswered for ${outageMs} ms (budget ${rules.budgetMs} ms)`);
  for (const node of SIDES) {
    for (const line of linesSince(pair, node, marks)) {
      if (BAD_NEWS.some((p) => p.test(line)) && !rules.expectedErrors.some((p) => p.test(line))) problems.push(`${name(node)} logged: ${line}`);
      if (!rules.deathExpected && /node node-[ab]: is dead/.test(line)) problems.push(`${name(node)} declared its peer dead in a step that kept it alive: ${line}`);
    }
  }
  const shots = (pair.power?.shots.length ?? 0) - marks.shots;
  if (shots > rules.resets) problems.push(`${shots} reset(s) by the relays, at most ${rules.resets} expected`);
  return { outageMs, problems };
}
