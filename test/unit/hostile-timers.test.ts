// Issue 18, case 3 on the agent itself: `keepalive 3000000` made Node print
// TimeoutOverflowWarning 16,559 times in 20 s (a timer past 2^31-1 ms fires after 1 ms, in a
// loop). The reader now stops times at a day; here the agent runs at those limits, and past
// them (a Config made by hand), without a single warning and without spinning.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Agent } from '../../src/agent/agent';
import { LoopbackNetwork } from '../../src/agent/loopback';
import type { Config } from '../../src/config';
import { BASE_HA_CF, check } from '../helpers/config-dir';

const DAY = 86_400_000;

async function runFor(config: Config, ms: number): Promise<{ warnings: string[]; log: string[] }> {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  process.on('warning', onWarning);
  const log: string[] = [];
  const agent = new Agent({
    config,
    logger: { log: (level, message) => log.push(`${level}: ${message}`) },
    transport: new LoopbackNetwork().transport(config),
    groups: new Map(),
    generation: 1,
    version: 'test',
  });
  await agent.start();
  await new Promise((r) => setTimeout(r, ms));
  await agent.halt();
  // Warnings are emitted on a later tick.
  await new Promise((r) => setImmediate(r));
  process.off('warning', onWarning);
  return { warnings, log };
}

test('at the limits of ha.cf (keepalive 43199, deadtime a day) no timer overflows', async () => {
  const { config, errors } = await check({ 'ha.cf': BASE_HA_CF.replace('keepalive 1', 'keepalive 43199').replace('deadtime 10', 'deadtime 86400') });
  assert.equal(errors, []);
  const { warnings } = await runFor(config!, 200);
  assert.equal(warnings, []);
});

test('past them (a Config made by hand: keepalive 30 days) the agent clamps its timer instead of spinning', async () => {
  const { config } = await check({});
  const far: Config = {
    ...config!,
    timing: { keepaliveMs: 30 * DAY, deadtimeMs: 90 * DAY, warntimeMs: 45 * DAY, initdeadMs: 90 * DAY, deadpingMs: 90 * DAY, fenceDelayMs: 180 * DAY },
  };
  const { warnings, log } = await runFor(far, 300);
  assert.equal(warnings, []);
  // A spinning timer would tick the core thousands of times; the log would show its churn.
  assert.ok(log.length < 50, `${log.length} log lines:\n${log.slice(0, 10).join('\n')}`);
});

test.run();
