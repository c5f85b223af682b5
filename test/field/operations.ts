// The field suite's operations, Pacemaker CTS's list played on a pair of appliances: what an
// operator does (start, stop, standby, takeover, a key rotated) and what the field does to them
// (power lost, cables cut, a LAN port dead, the gateway gone, the service crashed). Each says
// when it can run (from the model of the pair), how long the client may go unanswered, and
// whether a peer may be declared dead or reset; it acts, tells the model, and lets the driver
// check the pair after every phase (ctx.settle) and at its end.
import type { Rng } from '../sim/prng';
import { DEADPING_MS, DEADTIME_MS, FENCE_DELAY_MS, INITDEAD_MS, MONITOR_INTERVAL_MS, PULSE_MS, STOP_LIMIT_MS, type FieldPair } from './field-pair';
import { expectedHolder, other, SIDES, standbyOn, started, stopped, takeoverOn, type Side, type World } from './model';
import { sleep } from '../helpers/pair-scenario';
import type { StatusSnapshot } from '../../src/report/snapshot';

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

const name = (node: Side) => `node-${node}`;
const holder = (w: World) => expectedHolder(w).holder;
const bothRunning = (w: World) => (w.running.a && w.running.b ? undefined : 'needs both agents running');
const bothServing = (w: World) => bothRunning(w) ?? (holder(w) === null ? 'nobody holds the group' : undefined);
/** Both running, nobody in standby: a health-driven move and its failback are then fully defined. */
const plainPair = (w: World) => bothServing(w) ?? (w.standby.a || w.standby.b ? 'a node is in standby' : undefined);
/** A standby of the holder hands the group to a peer able to take it: not one in standby itself. */
const peerNotInStandby = (w: World) => bothServing(w) ?? (w.standby[other(holder(w)!)] ? 'the peer is in standby' : undefined);
/** The budget when the service runs before the step; undefined when it is already down. */
const ifServing = (w: World, ms: number) => (holder(w) === null ? undefined : ms);

async function start(ctx: StepContext, node: Side): Promise<void> {
  ctx.pair.startAgent(node);
  started(ctx.world, node);
}

async function terminate(ctx: StepContext, node: Side): Promise<void> {
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
async function command(ctx: StepContext, node: Side, ...args: string[]): Promise<string> {
  const { code, output } = await ctx.pair.twinbeat(node, ...args);
  if (code !== 0) ctx.fail(`twinbeat ${args.join(' ')} on ${name(node)} exited ${code}: ${output}`);
  ctx.note(`twinbeat ${args.join(' ')} on ${name(node)}: ${output.split('\n')[0]}`);
  return output;
}

/**
 * A health fault on the holder (`set(node, true)`), judged once the group has moved to the peer,
 * then repaired (`set(node, false)`): the group comes home at the end of the step.
 */
async function healthFault(ctx: StepContext, what: string, set: (node: Side, lost: boolean) => void, waitMs: number): Promise<void> {
  const node = holder(ctx.world)!;
  set(node, true);
  ctx.world.unfit[node] = true;
  try {
    await sleep(waitMs);
    await ctx.settle(`${what} on ${name(node)}`);
  } finally {
    ctx.world.unfit[node] = false;
    set(node, false);
  }
}

/** Waits (bounded: a serial port reopens with a back-off of up to 5 s) until node's status has its peer up. */
async function heardAgain(ctx: StepContext, node: Side): Promise<StatusSnapshot> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const status = await ctx.pair.status(node);
    if (typeof status !== 'string' && status.peer.state === 'up') return status;
    if (Date.now() > deadline) ctx.fail(`${name(node)} does not hear its peer 20 s after the paths were repaired: ${typeof status === 'string' ? status : `peer ${status.peer.state}`}`);
    await sleep(200);
  }
}

/** `twinbeat standby` on the holder; returns that node. */
async function standbyOnHolder(ctx: StepContext): Promise<Side> {
  const node = holder(ctx.world)!;
  await command(ctx, node, 'standby');
  standbyOn(ctx.world, node);
  return node;
}

/** Power loss: links down and kill -9; then the node boots, by the relay's power cycle or by hand. */
async function powerLoss(ctx: StepContext, node: Side): Promise<void> {
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

export const OPERATIONS: Operation[] = [
  {
    name: 'simul-start',
    blocked: (w) => (w.running.a || w.running.b ? 'an agent runs' : undefined),
    budgetMs: () => undefined,
    async run(ctx) {
      await start(ctx, 'a');
      await start(ctx, 'b');
    },
  },
  {
    name: 'simul-stop',
    blocked: bothRunning,
    budgetMs: () => undefined,
    async run(ctx) {
      await Promise.all(SIDES.map((n) => terminate(ctx, n)));
    },
  },
  {
    name: 'start-one-by-one',
    blocked: (w) => (w.running.a || w.running.b ? 'an agent runs' : undefined),
    budgetMs: () => undefined,
    // The first, alone, declares its absent peer dead after initdead, as Heartbeat does.
    deathExpected: true,
    async run(ctx) {
      const first = ctx.rng.pick(SIDES);
      await start(ctx, first);
      await ctx.settle(`${name(first)} started alone`);
      await start(ctx, other(first));
    },
  },
  {
    name: 'restart-one-by-one',
    blocked: bothServing,
    budgetMs: () => MOVE_BUDGET_MS,
    async run(ctx) {
      for (const node of SIDES) {
        await terminate(ctx, node);
        await ctx.settle(`${name(node)} stopped`);
        await start(ctx, node);
        await ctx.settle(`${name(node)} started again`);
      }
    },
  },
  {
    name: 'start-node',
    blocked: (w) => (w.running.a !== w.running.b ? undefined : 'needs exactly one agent stopped'),
    budgetMs: (w) => ifServing(w, MOVE_BUDGET_MS),
    async run(ctx) {
      await start(ctx, ctx.world.running.a ? 'b' : 'a');
    },
  },
  {
    name: 'sigterm-active',
    blocked: (w) => (holder(w) === null ? 'nobody holds the group' : undefined),
    budgetMs: (w) => (w.running.a && w.running.b ? MOVE_BUDGET_MS : undefined),
    async run(ctx) {
      await terminate(ctx, holder(ctx.world)!);
    },
  },
  {
    name: 'sigterm-standby',
    blocked: bothServing,
    budgetMs: () => STILL_BUDGET_MS,
    async run(ctx) {
      await terminate(ctx, other(holder(ctx.world)!));
    },
  },
  {
    name: 'power-loss-active',
    blocked: (w) => (holder(w) === null ? 'nobody holds the group' : undefined),
    // README: deadtime of silence, then (with a relay) the reset before the takeover. The lost
    // node was the serving one, so its peer first waits fence_delay (2 x deadtime; half a
    // deadtime more on node-b, the second node of ha.cf) in case the cables were cut instead.
    budgetMs: (w) => {
      if (!(w.running.a && w.running.b)) return undefined;
      const survivor = other(holder(w)!);
      const reset = w.relay ? FENCE_DELAY_MS + (survivor === 'b' ? DEADTIME_MS / 2 : 0) + PULSE_MS + 300 : 0;
      return DEADTIME_MS + reset + 100;
    },
    deathExpected: true,
    resets: (w) => (w.relay && w.running.a && w.running.b ? 1 : 0),
    async run(ctx) {
      await powerLoss(ctx, holder(ctx.world)!);
    },
  },
  {
    name: 'power-loss-standby',
    blocked: bothServing,
    // A node in standby that boots again has forgotten its standby: the group may come home.
    budgetMs: (w) => (w.standby[other(holder(w)!)] ? MOVE_BUDGET_MS : STILL_BUDGET_MS),
    deathExpected: true,
    resets: (w) => (w.relay ? 1 : 0),
    async run(ctx) {
      await powerLoss(ctx, other(holder(ctx.world)!));
    },
  },
  {
    name: 'standby',
    blocked: peerNotInStandby,
    budgetMs: () => MOVE_BUDGET_MS,
    async run(ctx) {
      await standbyOnHolder(ctx);
    },
  },
  {
    name: 'takeover',
    blocked: bothServing,
    budgetMs: () => MOVE_BUDGET_MS,
    async run(ctx) {
      const node = other(holder(ctx.world)!);
      await command(ctx, node, 'takeover');
      takeoverOn(ctx.world, node);
    },
  },
  {
    name: 'flip',
    blocked: peerNotInStandby,
    budgetMs: () => MOVE_BUDGET_MS,
    async run(ctx) {
      const node = await standbyOnHolder(ctx);
      await ctx.settle(`standby on ${name(node)}`);
      await command(ctx, node, 'takeover');
      takeoverOn(ctx.world, node);
    },
  },
  {
    name: 'partial-start',
    blocked: (w) => (w.running.a && w.running.b ? 'needs an agent stopped' : undefined),
    budgetMs: (w) => ifServing(w, MOVE_BUDGET_MS),
    async run(ctx) {
      const node = ctx.world.running.a ? 'b' : ctx.world.running.b ? 'a' : ctx.rng.pick(SIDES);
      const peer = ctx.pair.agents[other(node)];
      const peerFrom = peer?.lines.length ?? 0;
      ctx.pair.startAgent(node);
      const after = ctx.rng.int(0, INITDEAD_MS / 2);
      await sleep(after);
      ctx.note(`SIGTERM to ${name(node)} ${after} ms after its start`);
      await terminate(ctx, node);
      // Its shutdown notice, if it got that far, tells a peer waiting alone (with a relay) that
      // nothing runs there: the peer has heard it and may take over (README: "A node shuts down").
      if (ctx.world.running[other(node)] && peer?.lines.slice(peerFrom).some((l) => l.includes(`Received shutdown notice from '${name(node)}'`))) {
        ctx.world.heardPeer[other(node)] = true;
        ctx.note(`${name(other(node))} heard its shutdown notice`);
      }
    },
  },
  {
    name: 'path-cut',
    blocked: (w, pair) => bothServing(w) ?? pair.noPathCut(),
    budgetMs: () => STILL_BUDGET_MS,
    async run(ctx) {
      const cut = ctx.pair.onePathCut();
      if (!cut.applies) return ctx.fail(cut.why);
      cut.cut();
      ctx.note(cut.what);
      try {
        await sleep(DEADTIME_MS + 1000);
        await ctx.settle('one path cut');
      } finally {
        await cut.heal();
      }
    },
  },
  {
    name: 'heartbeats-cut',
    blocked: bothServing,
    budgetMs: () => STILL_BUDGET_MS,
    deathExpected: true,
    resets: (w) => (w.relay ? 1 : 0),
    // Without a relay the other node's takeover finds the address answered on the LAN and fails.
    expectedErrors: [/not adding 192\.0\.2\.50: it is already answered on eth0/],
    async run(ctx) {
      const { pair, world } = ctx;
      const serving = holder(world)!;
      const silent = other(serving);
      const before = pair.history[silent].length;
      pair.cutHeartbeats(serving);
      ctx.note(`every heartbeat path cut at ${name(serving)} (UDP 694 dropped, serial cable out)`);
      try {
        if (world.relay) {
          // README: the node running the first group resets the other at once.
          const deadline = Date.now() + DEADTIME_MS + 10_000;
          while (pair.history[silent].length === before && Date.now() < deadline) await sleep(50);
          if (pair.history[silent].length === before) ctx.fail(`${name(silent)} was not reset and booted within deadtime + 10 s`);
          started(world, silent);
          ctx.note(`${name(serving)} reset ${name(silent)}, which booted again`);
          // Booted behind cut paths, with a relay: it must neither shoot nor take over (judged
          // by the resets and the double-holder check at the end of the step).
          await sleep(DEADTIME_MS + 1000);
        } else {
          // The silent node declares the other dead and tries to take over; the address
          // answers on the LAN, so it must not add it (judged by the double-holder check).
          await sleep(DEADTIME_MS + 2000);
        }
      } finally {
        await pair.healHeartbeats(serving);
      }
      if (!world.relay) {
        // README: the node that could not take over shows the group failed there until cleanup,
        // which the operator runs once the nodes hear each other again (a cleanup before that
        // would only let it try, and fail, again).
        const status = await heardAgain(ctx, silent);
        const failed = status.groups.filter((g) => g.failedOn.includes(name(silent)));
        for (const g of failed) await command(ctx, silent, 'cleanup', g.id);
      }
    },
  },
  {
    name: 'carrier-loss',
    blocked: plainPair,
    budgetMs: () => MOVE_BUDGET_MS,
    run: (ctx) => healthFault(ctx, 'eth0 down', (node, lost) => ctx.pair.carrier(node, !lost), 0),
  },
  {
    name: 'ping-loss',
    blocked: plainPair,
    budgetMs: () => MOVE_BUDGET_MS,
    // The holder hands over once it has reached fewer ping targets than its peer for deadping.
    run: (ctx) => healthFault(ctx, 'ping node lost', (node, lost) => ctx.pair.pingLost(node, lost), DEADPING_MS),
  },
  {
    name: 'service-killed',
    blocked: (w) => (holder(w) === null ? 'nobody holds the group' : undefined),
    // The next check (at most an interval away, plus the check itself), then the restart in place.
    budgetMs: () => MONITOR_INTERVAL_MS + 500,
    expectedErrors: [/failed its check/],
    async run(ctx) {
      const node = holder(ctx.world)!;
      const agent = ctx.pair.agents[node]!;
      const from = agent.lines.length;
      if (!ctx.pair.killService(node)) ctx.fail(`no websvc process to kill on ${name(node)}`);
      await agent.waitFor(/restart in place/, MONITOR_INTERVAL_MS * 3 + 5000, from);
      await ctx.settle('restarted in place');
      // The restart in place is spent until the group moves or an operator cleans up: clean up,
      // so that a later kill is again a restart in place (README, "Resource monitoring").
      const status = await ctx.pair.status(node);
      const id = typeof status === 'string' ? undefined : status.groups[0]?.id;
      if (id) await command(ctx, node, 'cleanup', id);
    },
  },
  {
    name: 'authkeys-rotate',
    blocked: bothServing,
    budgetMs: () => STILL_BUDGET_MS,
    async run(ctx) {
      const { pair } = ctx;
      const keys = new Map([[1, pair.initialKey()], [2, `sha256 field-rotated-${ctx.rng.int(1, 1e9)}`]]);
      // Heartbeat's way: the new key on both, then each switched to it, a SIGHUP after each change.
      for (const node of SIDES) {
        pair.writeAuthkeys(node, 1, keys);
        pair.signal(node, 'SIGHUP');
      }
      await sleep(500);
      for (const node of SIDES) {
        pair.writeAuthkeys(node, 2, keys);
        pair.signal(node, 'SIGHUP');
        await sleep(DEADTIME_MS / 2);
      }
      await ctx.settle('both on the new key');
      // Back to the first key, so that a restart later reads what the pair was built with.
      for (const node of SIDES) {
        pair.writeAuthkeys(node, 1, keys);
        pair.signal(node, 'SIGHUP');
      }
      ctx.note('key 2 added on both, switched on each, then back to key 1');
    },
  },
  {
    name: 'stop-hangs',
    blocked: (w) => peerNotInStandby(w) ?? (w.relay ? undefined : 'without a relay the group stays stopped until an operator acts (on_stop_failure block): judged only with relays'),
    // README ("A service that will not stop"): the stop is killed at its limit and the VIP removed,
    // the node asks its peer to reset it, the peer resets it, then takes over.
    budgetMs: () => PULSE_MS + 1000,
    deathExpected: true,
    resets: () => 1,
    expectedErrors: [/Stopping websvc: FAILED/, /Resource group 192\.0\.2\.50\S* failed to stop/],
    async run(ctx) {
      const { pair, world } = ctx;
      const node = holder(world)!;
      const before = pair.history[node].length;
      pair.stopHangs(node, true);
      try {
        await command(ctx, node, 'standby');
        // The reset and the boot that follows it (the power simulator).
        const deadline = Date.now() + STOP_LIMIT_MS + 10_000;
        while (pair.history[node].length === before && Date.now() < deadline) await sleep(50);
        if (pair.history[node].length === before) ctx.fail(`${name(node)} was not reset and booted within the stop limit + 10 s`);
      } finally {
        // The operator repairs the service: its stop works again.
        pair.stopHangs(node, false);
      }
      started(world, node);
      ctx.note(`websvc's stop hung on ${name(node)}; its peer reset it, and it booted again`);
    },
  },
  {
    name: 'swapped-unit',
    pending: 'issue 17: a unit whose clock is behind sends a lower generation, and its peer drops every frame as old-generation',
    blocked: (w) => bothServing(w) ?? (w.relay ? 'with relays the old unit would be booted again by its peer' : undefined),
    budgetMs: () => STILL_BUDGET_MS,
    deathExpected: true,
    async run(ctx) {
      const node = other(holder(ctx.world)!);
      stopped(ctx.world, node);
      ctx.pair.powerOff(node);
      await sleep(DEADTIME_MS + 500);
      ctx.pair.swapUnit(node, '2026-01-01 00:00:00');
      started(ctx.world, node);
      ctx.note(`${name(node)} replaced by a fresh unit: empty state directory, clock at 2026-01-01 00:00:00`);
    },
  },
];

export const byName = new Map(OPERATIONS.map((op) => [op.name, op]));
