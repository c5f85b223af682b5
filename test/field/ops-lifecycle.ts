// Operations on the agents' lives: starts and stops together or one by one, SIGTERM, a start
// cut short, power lost (and the boot after it), a unit replaced.
import { DEADTIME_MS, FENCE_DELAY_MS, INITDEAD_MS, PULSE_MS } from './field-pair';
import { other, SIDES, started, stopped } from './model';
import { sleep } from '../helpers/pair-scenario';
import { MOVE_BUDGET_MS, STILL_BUDGET_MS, name, holder, bothRunning, bothServing, ifServing, start, terminate, powerLoss, type Operation } from './op-kit';

export const OPS: Operation[] = [
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
      // nothing runs there: the peer has heard it and may take over (docs/failover.md: "A node shuts down").
      if (ctx.world.running[other(node)] && peer?.lines.slice(peerFrom).some((l) => l.includes(`Received shutdown notice from '${name(node)}'`))) {
        ctx.world.heardPeer[other(node)] = true;
        ctx.note(`${name(other(node))} heard its shutdown notice`);
      }
    },
  },
  {
    name: 'power-loss-active',
    blocked: (w) => (holder(w) === null ? 'nobody holds the group' : undefined),
    // docs/failover.md: deadtime of silence, then (with a relay) the reset before the takeover. The lost
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
    name: 'swapped-unit',
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
