// Runs one seeded segment of the field suite: a pair in the seed's shape, both agents started
// together, then operations picked at random among those the pair allows, each judged once the
// pair has settled. A violation ends the segment with everything needed to replay it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeRng } from '../sim/prng';
import { SHAPES, type Shape } from '../helpers/shapes';
import { sleep } from '../helpers/pair-scenario';
import { DEADTIME_MS, FieldPair, INITDEAD_MS, type FieldSetup } from './field-pair';
import { expectedHolder, freshWorld, settledTogether, SIDES, type World } from './model';
import { byName, OPERATIONS, type Operation, type StepContext } from './operations';
import { judgeStep, markStep, observe } from './checks';

/** How long the pair has to reach what the model expects after a phase: a takeover after initdead, a reset, a reboot. */
const SETTLE_LIMIT_MS = INITDEAD_MS + 3 * DEADTIME_MS + 6000;
/** How long it must then stay so: the old holder's last gratuitous ARPs (a second's wait, then five 200 ms apart) are out by then. */
const STABLE_MS = 2200;

export interface StepRecord {
  index: number;
  op: string;
  notes: string[];
  outageMs?: number;
  budgetMs?: number;
  durationMs: number;
  violation?: string;
}

export interface SegmentResult {
  seed: number;
  setup: FieldSetup;
  steps: StepRecord[];
  /** The replay command and the logs' tails, when a step failed. */
  failure?: string;
}

/** The shape and relay a seed stands for: twelve consecutive seeds cover every shape with and without relays. */
export function setupForSeed(seed: number): FieldSetup {
  const shape = SHAPES[seed % SHAPES.length] as Shape;
  return { shape, relay: Math.floor(seed / SHAPES.length) % 2 === 1 };
}

class Violation extends Error {}

export interface SegmentOptions {
  seed: number;
  steps: number;
  /** Stop starting steps after this moment (epoch ms). */
  until?: number;
  setup?: Partial<FieldSetup>;
  /** The operations to pick from (default: every one not pending). */
  ops?: Operation[];
  /** Added to every outage budget (a host loaded by other work); the report says so. */
  slackMs?: number;
  print?: (line: string) => void;
}

export async function runSegment(opts: SegmentOptions): Promise<SegmentResult> {
  const setup = { ...setupForSeed(opts.seed), ...opts.setup };
  const print = opts.print ?? (() => {});
  const rng = makeRng(opts.seed);
  const ops = opts.ops ?? OPERATIONS.filter((op) => !op.pending);
  const world = freshWorld(setup.relay);
  const result: SegmentResult = { seed: opts.seed, setup, steps: [] };
  const pair = await FieldPair.create(setup);
  let record: StepRecord | undefined;
  const ctx: StepContext = {
    pair,
    world,
    rng,
    settle: (phase) => settle(pair, world, phase),
    note: (text) => record?.notes.push(text),
    fail: (text) => {
      throw new Violation(text);
    },
  };
  try {
    for (let index = 1; index <= opts.steps; index++) {
      if (opts.until !== undefined && Date.now() >= opts.until) break;
      // The first step builds the pair as an operator would; then anything the pair allows.
      const allowed = ops.filter((op) => op.blocked(world, pair) === undefined);
      if (index > 1 && allowed.length === 0) {
        print(`  no operation of the list can run on the pair as it is: the segment ends after ${index - 1} steps`);
        break;
      }
      const op = index === 1 ? byName.get('simul-start')! : rng.pick(allowed);
      record = { index, op: op.name, notes: [], durationMs: 0 };
      result.steps.push(record);
      const budget = op.budgetMs(world);
      const rules = { budgetMs: budget === undefined ? undefined : budget + (opts.slackMs ?? 0), deathExpected: op.deathExpected ?? false, resets: op.resets?.(world) ?? 0, expectedErrors: op.expectedErrors ?? [] };
      record.budgetMs = rules.budgetMs;
      const marks = markStep(pair);
      try {
        await op.run(ctx);
        await settle(pair, world, 'end of step');
        const verdict = judgeStep(pair, marks, rules);
        record.outageMs = verdict.outageMs;
        if (verdict.problems.length > 0) throw new Violation(verdict.problems.join('\n'));
      } catch (err) {
        record.violation = (err as Error).message;
        if (!(err instanceof Violation)) record.violation = `the step threw: ${(err as Error).stack ?? err}`;
        result.failure = failureReport(result, pair, replayFlags(opts));
      } finally {
        record.durationMs = Date.now() - marks.at;
        print(stepLine(record));
      }
      if (result.failure) break;
    }
  } finally {
    pair.dispose();
  }
  return result;
}

async function settle(pair: FieldPair, world: World, phase: string): Promise<void> {
  const expected = expectedHolder(world);
  const deadline = Date.now() + SETTLE_LIMIT_MS;
  let problems = await observe(pair, world, expected);
  while (problems.length > 0) {
    if (Date.now() > deadline) throw new Violation(`${phase}: not settled within ${SETTLE_LIMIT_MS} ms:\n${problems.join('\n')}`);
    await sleep(200);
    problems = await observe(pair, world, expected);
  }
  await sleep(STABLE_MS);
  problems = await observe(pair, world, expected);
  // One request of the client's that timed out is not a change of the pair: it is the
  // step's outage budget that judges how long the client went unanswered.
  for (let i = 0; i < 5 && problems.length > 0 && problems.every((p) => p.startsWith('the client is answered by nobody')); i++) {
    await sleep(100);
    problems = await observe(pair, world, expected);
  }
  if (problems.length > 0) throw new Violation(`${phase}: settled, then changed within ${STABLE_MS} ms:\n${problems.join('\n')}`);
  settledTogether(world);
}

export function stepLine(r: StepRecord): string {
  const outage = r.outageMs === undefined ? '' : ` outage ${r.outageMs} ms${r.budgetMs === undefined ? ' (not judged)' : ` (budget ${r.budgetMs})`}`;
  const verdict = r.violation ? `  VIOLATION: ${r.violation.split('\n')[0]}` : '';
  return `  #${r.index} ${r.op}${outage}, ${(r.durationMs / 1000).toFixed(1)} s${r.notes.length ? `: ${r.notes.join('; ')}` : ''}${verdict}`;
}

/** The flags beyond seed and steps that the replay needs. */
function replayFlags(opts: SegmentOptions): string {
  const setup = setupForSeed(opts.seed);
  return [
    opts.setup?.shape !== undefined && opts.setup.shape !== setup.shape ? ` --shape ${opts.setup.shape}` : '',
    opts.setup?.relay !== undefined && opts.setup.relay !== setup.relay ? ` --relay ${opts.setup.relay ? 'on' : 'off'}` : '',
    opts.ops ? ` --ops ${opts.ops.map((o) => o.name).join(',')}` : '',
    opts.slackMs ? ` --slack ${opts.slackMs}` : '',
  ].join('');
}

function failureReport(result: SegmentResult, pair: FieldPair, flags: string): string {
  const last = result.steps.at(-1)!;
  // The whole logs, for reading beyond the tails printed below.
  const dir = mkdtempSync(join(tmpdir(), `twinbeat-field-seed${result.seed}-`));
  for (const n of SIDES) writeFileSync(join(dir, `node-${n}.log`), pair.history[n].flatMap((a) => [...a.lines, '--- (agent ended)']).join('\n'));
  writeFileSync(join(dir, 'client.log'), pair.client.lines.join('\n'));
  const tail = (label: string, lines: string[]) => [`--- ${label}, last ${Math.min(lines.length, 40)} lines`, ...lines.slice(-40)];
  return [
    `VIOLATION at step #${last.index} (${last.op}) of seed ${result.seed}, shape ${result.setup.shape}, ${result.setup.relay ? 'with' : 'without'} relays:`,
    last.violation ?? '',
    '',
    `Steps so far: ${result.steps.map((s) => `#${s.index} ${s.op}`).join(', ')}`,
    `Replay: npm run field -- --seed ${result.seed} --steps ${last.index}${flags}`,
    `Whole logs: ${dir}`,
    ...SIDES.flatMap((n) => tail(`node-${n}'s agent`, pair.history[n].flatMap((a) => a.lines))),
    ...tail('client (VIP answers)', pair.client.lines),
  ].join('\n');
}
