// What the field suite's operations share: the step context the driver gives them, the shape of
// an operation, the outage budgets, and the actions several of them take (start, SIGTERM, a
// command, a power loss, a health fault).
import type { Rng } from '../sim/prng';
import { type FieldPair } from './field-pair';
import { expectedHolder, healthMoved, healthRepaired, other, standbyOn, started, stopped, takeoverOn, type Side, type World } from './model';
import { sleep } from '../helpers/pair-scenario';
import type { StatusSnapshot } from '../../src/snapshot';

/** A graceful move (standby, takeover, SIGTERM, failback, a health-driven handover): the issue's bound. */
export const MOVE_BUDGET_MS = 300;
/**
 * Nothing should move: the client may miss at most one request's timeout (100 ms) and a sample,
 * which a loaded host can cost without any fault of the pair.
 */
export const STILL_BUDGET_MS = 150;

export interface StepContext {
  pair: FieldPair;
  world: World;
  rng: Rng;
  /** Waits (bounded) until the pair is as the model says, and stays so; throws a violation otherwise. */
  settle(phase: string): Promise<void>;
  /** A line for the step's record (what was done, with what figures). */
  note(text: string): void;
  /** Fails the step with a violation. */
  fail(text: string): never;
}

export interface Operation {
  name: string;
  /** Why it cannot run on the pair as it is, or undefined when it can. */
  blocked(w: World, pair: FieldPair): string | undefined;
  /** How long the client may go unanswered during the step; undefined: not judged (the service is down on purpose). */
  budgetMs(w: World): number | undefined;
  /** The peer may be declared dead during the step (a power loss, every path cut). */
  deathExpected?: boolean;
  /** How many resets the relays may make during the step (0 when absent). */
  resets?(w: World): number;
  /** ERROR/CRIT log lines the step rightly causes. */
  expectedErrors?: RegExp[];
  /** Not in the default list, and why (an issue still open); `--ops` can still ask for it. */
  pending?: string;
  run(ctx: StepContext): Promise<void>;
}

export const name = (node: Side) => `node-${node}`;
export const holder = (w: World) => expectedHolder(w).holder;
export const bothRunning = (w: World) => (w.running.a && w.running.b ? undefined : 'needs both agents running');
export const bothServing = (w: World) => bothRunning(w) ?? (holder(w) === null ? 'nobody holds the group' : undefined);
/** Both running, nobody in standby: a health-driven move and its failback are then fully defined. */
export const plainPair = (w: World) => bothServing(w) ?? (w.standby.a || w.standby.b ? 'a node is in standby' : undefined);
/** A standby of the holder hands the group to a peer able to take it: not one in standby itself. */
export const peerNotInStandby = (w: World) => bothServing(w) ?? (w.standby[other(holder(w)!)] ? 'the peer is in standby' : undefined);
/** The budget when the service runs before the step; undefined when it is already down. */
export const ifServing = (w: World, ms: number) => (holder(w) === null ? undefined : ms);

export async function start(ctx: StepContext, node: Side): Promise<void> {
  ctx.pair.startAgent(node);
  started(ctx.world, node);
}

export async function terminate(ctx: StepContext, node: Side): Promise<void> {
  const agent = ctx.pair.agents[node];
  const ended = await ctx.pair.terminate(node);
  stopped(ctx.world, node);
  if (ended === 0) return;
  // Before its first line the agent is Node starting up, before any code of ours ran: the signal's
  // default action is all there is (systemd sees the same). After it, SIGTERM must end in exit 0.
  const begun = agent?.lines.some((l) => /Configuration validated|warning:|error:/.test(l)) ?? true;
  if (ended === 'SIGTERM' && !begun) return ctx.note(`${name(node)} was still in Node's own start-up: killed by SIGTERM before it did anything`);
  ctx.fail(`${name(node)}'s agent after SIGTERM: ${ended === 'still running' ? 'still running after 10 s' : typeof ended === 'string' ? `killed by ${ended}` : `exit ${ended}`}`);
}

/** `twinbeat WORD` on node, which must exit 0. */
export async function command(ctx: StepContext, node: Side, ...args: string[]): Promise<string> {
  const { code, output } = await ctx.pair.twinbeat(node, ...args);
  if (code !== 0) ctx.fail(`twinbeat ${args.join(' ')} on ${name(node)} exited ${code}: ${output}`);
  ctx.note(`twinbeat ${args.join(' ')} on ${name(node)}: ${output.split('\n')[0]}`);
  return output;
}

/**
 * A health fault on the holder (`set(node, true)`), judged once the group has moved to the peer,
 * then repaired (`set(node, false)`): the group comes home at the end of the step.
 */
export async function healthFault(ctx: StepContext, what: string, set: (node: Side, lost: boolean) => void, waitMs: number): Promise<void> {
  const node = holder(ctx.world)!;
  set(node, true);
  ctx.world.unfit[node] = true;
  const moves = !ctx.world.unfit[other(node)];
  if (moves) healthMoved(ctx.world, node, Date.now() + waitMs);
  try {
    await sleep(waitMs);
    await ctx.settle(`${what} on ${name(node)}`);
  } finally {
    ctx.world.unfit[node] = false;
    set(node, false);
    healthRepaired(ctx.world, node, Date.now(), moves);
  }
}

/** Waits (bounded: a serial port reopens with a back-off of up to 5 s) until node's status has its peer up. */
export async function heardAgain(ctx: StepContext, node: Side): Promise<StatusSnapshot> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const status = await ctx.pair.status(node);
    if (typeof status !== 'string' && status.peer.state === 'up') return status;
    if (Date.now() > deadline) ctx.fail(`${name(node)} does not hear its peer 20 s after the paths were repaired: ${typeof status === 'string' ? status : `peer ${status.peer.state}`}`);
    await sleep(200);
  }
}

/** `twinbeat standby` on the holder; returns that node. */
export async function standbyOnHolder(ctx: StepContext): Promise<Side> {
  const node = holder(ctx.world)!;
  await command(ctx, node, 'standby');
  standbyOn(ctx.world, node);
  return node;
}

/** `twinbeat takeover` on node: it takes every group and its peer goes standby. */
export async function takeoverFrom(ctx: StepContext, node: Side): Promise<void> {
  await command(ctx, node, 'takeover');
  takeoverOn(ctx.world, node);
}

/** Power loss: links down and kill -9; then the node boots, by the relay's power cycle or by hand. */
export async function powerLoss(ctx: StepContext, node: Side): Promise<void> {
  const { pair, world } = ctx;
  const peerResets = world.relay && world.running[other(node)] && world.heardPeer[other(node)];
  const before = pair.history[node].length;
  pair.powerOff(node);
  stopped(world, node);
  if (peerResets) {
    // The peer resets it before taking over, and the power simulator boots it a pulse later:
    // the pair is judged once it is back (the step's outage bound covers the takeover).
    const deadline = Date.now() + 10_000;
    while (pair.history[node].length === before && Date.now() < deadline) await sleep(50);
    if (pair.history[node].length === before) ctx.fail(`${name(node)} was not booted by its peer's relay within 10 s`);
    ctx.note(`${name(node)} booted by the relay's power cycle`);
  } else {
    await ctx.settle(`${name(node)} powered off`);
    await sleep(ctx.rng.int(0, 1500));
    pair.powerOn(node);
    ctx.note(`${name(node)} booted by hand`);
  }
  started(world, node);
}
