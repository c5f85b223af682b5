// What the field does to a running pair: cables cut, the LAN or the gateway lost, the service
// crashed or unable to stop.
import { DEADPING_MS, DEADTIME_MS, MONITOR_INTERVAL_MS, PULSE_MS, STOP_LIMIT_MS } from './field-pair';
import { other, started, stopped } from './model';
import { sleep } from '../helpers/pair-scenario';
import { MOVE_BUDGET_MS, STILL_BUDGET_MS, name, holder, bothServing, plainPair, peerNotInStandby, command, healthFault, heardAgain, type Operation } from './op-kit';

export const OPS: Operation[] = [
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
          // docs/failover.md: the node running the first group resets the other at once.
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
        // docs/failover.md ("Which failures move the service"): the node that could not take over shows the group failed there until cleanup,
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
      // so that a later kill is again a restart in place (docs/failover.md, "Resource monitoring").
      const status = await ctx.pair.status(node);
      const id = typeof status === 'string' ? undefined : status.groups[0]?.id;
      if (id) await command(ctx, node, 'cleanup', id);
    },
  },
  {
    name: 'stop-hangs',
    blocked: (w) => peerNotInStandby(w) ?? (w.relay ? undefined : 'without a relay the group stays stopped until an operator acts (on_stop_failure block): judged only with relays'),
    // docs/failover.md ("A service that will not stop"): the stop is killed at its limit and the VIP removed,
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
];
