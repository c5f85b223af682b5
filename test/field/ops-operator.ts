// What an operator asks of the pair: standby, takeover, a flip, a rotated key.
import { DEADTIME_MS } from './field-pair';
import { other, SIDES } from './model';
import { sleep } from '../helpers/pair-scenario';
import { MOVE_BUDGET_MS, STILL_BUDGET_MS, name, holder, bothServing, peerNotInStandby, standbyOnHolder, takeoverFrom, type Operation } from './op-kit';

export const OPS: Operation[] = [
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
      await takeoverFrom(ctx, other(holder(ctx.world)!));
    },
  },
  {
    name: 'flip',
    blocked: peerNotInStandby,
    budgetMs: () => MOVE_BUDGET_MS,
    async run(ctx) {
      const node = await standbyOnHolder(ctx);
      await ctx.settle(`standby on ${name(node)}`);
      await takeoverFrom(ctx, node);
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
];
