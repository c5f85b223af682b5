// A service that will not stop (issue 19), for real: node-a runs `websvc hangsvc`, and
// hangsvc's stop hangs until the agent kills it at its limit (resource_timeout hangsvc stop
// 2s: short, so that the suite stays fast). Standby, SIGTERM and start-up with a leftover,
// with the relay (the power simulator resets node-a when node-b's relay fires) and without
// (on_stop_failure handover, and block, the default). Each says how long the client got no
// answer, and what `twinbeat status` says.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { labUnavailable } from '../helpers/netns';
import { events, FAST, Pair, type PairSettings, type Watched } from '../helpers/pair';
import { handoverGap, type ClientChange } from '../helpers/client-gap';
import { answeredBy, assertNeverBoth, holdsNow, linksUp, servingPair, sleep, type ServingPair } from '../helpers/pair-scenario';
import { PowerSimulator, relayLine } from '../helpers/power';
import { skipWithReason } from '../helpers/skip';

const unavailable = labUnavailable(['ip', 'socat', 'arping', 'unshare', 'setsid']);

const STOP_LIMIT_MS = 2000;
const PULSE_MS = 500;
const GROUP = '192.0.2.50/24/eth0';
const INITDEAD_MS = 4000;
/** No failback: node-a back from its reset must not take the group to fail its stop on node-b. */
const BASE: Partial<PairSettings> = { services: 'websvc hangsvc', autoFailback: 'off' };
const LIMIT = `resource_timeout hangsvc stop ${STOP_LIMIT_MS / 1000}`;
const RELAYS = [relayLine('node-a', 'node-b', `${PULSE_MS}ms`), relayLine('node-b', 'node-a', `${PULSE_MS}ms`)];

interface Run extends ServingPair {
  power?: PowerSimulator;
}

async function start(extra: string[], relay: boolean, settings: Partial<PairSettings> = {}): Promise<Run> {
  let power: PowerSimulator | undefined;
  try {
    const sp = await servingPair({ ...BASE, ...settings, extra: [LIMIT, ...extra, ...(relay ? RELAYS : [])] }, (pair) => {
      if (!relay) return;
      power = new PowerSimulator(pair);
      power.wireRelay('a');
      power.wireRelay('b');
    });
    return { ...sp, ...(power ? { power } : {}) };
  } catch (err) {
    power?.stop();
    throw err;
  }
}

function dispose(run: Run): void {
  run.pair.dispose();
  run.power?.stop();
}

/** When node-b first answered after `since`, and the client's gap: node-a's last answer to node-b's first. */
async function gapTo(run: Run, since: number, limitMs: number): Promise<{ servedAt: number; gapMs: number }> {
  const servedAt = await answeredBy(run, 'node-b', since, limitMs);
  const gapMs = handoverGap(events<ClientChange>(run.client), 'node-a', 'node-b', since) ?? Number.NaN;
  return { servedAt, gapMs };
}

async function status(run: Run, node: 'a' | 'b'): Promise<string> {
  const { code, output } = await run.pair.twinbeat(node, 'status');
  assert.is(code, 0, output);
  return output;
}

function report(what: string, figures: Record<string, number>): void {
  console.log(`${what}: ${Object.entries(figures).map(([k, v]) => `${k} ${v} ms`).join(', ')}`);
}

/** Runs `body` on a started pair, printing both agents' last lines if it fails, and disposes of the pair. */
async function scenario<R extends Run>(started: Promise<R>, body: (run: R) => Promise<void>): Promise<void> {
  const run = await started;
  try {
    await body(run);
  } catch (err) {
    const tail = (name: string, lines: string[] | undefined) => `--- ${name}\n${(lines ?? []).slice(-30).join('\n')}`;
    console.log(tail('node-a', run.pair.agents.a?.lines), '\n', tail('node-b', run.pair.agents.b?.lines));
    throw err;
  } finally {
    dispose(run);
  }
}

/**
 * Start-up with hangsvc left running on node-a by an earlier run (its stop will hang): both
 * agents started at once, watched from the client and both nodes. Resolves once started.
 */
async function startWithLeftover(extra: string[], relay: boolean): Promise<Run & { t0: number }> {
  const pair = await new Pair({ ...FAST, ...BASE, initdead: `${INITDEAD_MS}ms`, extra: [LIMIT, ...extra, ...(relay ? RELAYS : [])] }).build();
  let power: PowerSimulator | undefined;
  try {
    if (relay) {
      power = new PowerSimulator(pair);
      power.wireRelay('a');
      power.wireRelay('b');
    }
    execFileSync(resolve('test/e2e/fixtures/resource.d/hangsvc'), ['start'], { env: { ...process.env, TWINBEAT_TEST_RUN: pair.dir('a', 'run') } });
    const holdsA = pair.watchAddress('a', 60);
    const holdsB = pair.watchAddress('b', 60);
    const client = pair.watchClient(60);
    const t0 = Date.now();
    const a = pair.startAgent('a');
    const b = pair.startAgent('b');
    return { pair, a, b, client, holdsA, holdsB, t0, ...(power ? { power } : {}) };
  } catch (err) {
    pair.dispose();
    power?.stop();
    throw err;
  }
}

/** node-a hears node-b on every path within initdead of its start, while its leftover is still being released. */
async function joinsWhileReleasing(run: Run & { t0: number }): Promise<number> {
  await linksUp(run.pair, 'a', run.a, 0, INITDEAD_MS);
  const joinedAt = Date.now() - run.t0;
  const index = (w: Watched, re: RegExp) => w.lines.findIndex((l) => re.test(l));
  const joined = index(run.a, /Link node-b:\S+ up\./);
  const failed = index(run.a, /failed to stop/);
  assert.ok(failed < 0 || joined < failed, 'node-a joined before its leftover was given up');
  // Said once the leftover's status has answered, beside the heartbeats: under load that may come after the join.
  await run.a.waitFor(/Releasing resource group 192\.0\.2\.50\/24\/eth0: hangsvc still running from a previous run/, 5000);
  return joinedAt;
}

if (unavailable) {
  skipWithReason(test, `stop failures end-to-end: ${unavailable}`);
} else {
  test('standby, relay: node-a cannot stop hangsvc and asks to be reset; node-b resets it and serves within stop limit + pulse + 1 s', async () => {
    await scenario(start([], true), async (run) => {
    const t0 = Date.now();
    const answer = await run.pair.twinbeat('a', 'standby');
    assert.is(answer.code, 0, answer.output);
    await run.a.waitFor(/failed to stop: hangsvc: .*killed after 2000 ms.*asking node-b to reset this node/, STOP_LIMIT_MS + 2000);
    await run.b.waitFor(/Resetting node-a: it cannot stop 192\.0\.2\.50\/24\/eth0 and asked to be reset \(on_stop_failure fence\)/, 2000);
    const { servedAt, gapMs } = await gapTo(run, t0, STOP_LIMIT_MS + PULSE_MS + 3000);
    report('standby with the relay', { 'command to node-b serving': servedAt - t0, 'client gap': gapMs });
    assert.ok(servedAt - t0 <= STOP_LIMIT_MS + PULSE_MS + 1000, `node-b served ${servedAt - t0} ms after the standby`);
    assert.is(run.power!.shots.length, 1, JSON.stringify(run.power!.shots));
    assert.not.ok(run.a.lines.some((l) => /trying again/.test(l)), 'no silent retry');
    assert.match(await status(run, 'b'), /held by node-b/);
    assertNeverBoth(run);
    });
  });

  test('standby, no relay, on_stop_failure handover: node-b serves within the stop limit + 1 s; node-a says stop failed until cleanup', async () => {
    await scenario(start(['on_stop_failure handover'], false), async (run) => {
    const t0 = Date.now();
    assert.is((await run.pair.twinbeat('a', 'standby')).code, 0);
    const { servedAt, gapMs } = await gapTo(run, t0, STOP_LIMIT_MS + 3000);
    report('standby without a relay (handover)', { 'command to node-b serving': servedAt - t0, 'client gap': gapMs });
    assert.ok(servedAt - t0 <= STOP_LIMIT_MS + 1000, `node-b served ${servedAt - t0} ms after the standby`);
    await run.a.waitFor(/failed to stop: .*\(on_stop_failure handover\)/, 1000);
    const a = await status(run, 'a');
    assert.match(a, /held by node-b, stop-failed here, STOP FAILED on node-a: the service may still run there; stop it by hand, then `twinbeat cleanup 192\.0\.2\.50\/24\/eth0`/);
    assert.match(a, /node-a \(this node\): failed/);
    assertNeverBoth(run);
    });
  });

  test('standby, no relay, block (the default): node-b does not take it; both statuses say why; after the operator stops it and runs cleanup, node-b serves', async () => {
    await scenario(start([], false), async (run) => {
    const t0 = Date.now();
    assert.is((await run.pair.twinbeat('a', 'standby')).code, 0);
    await run.a.waitFor(/failed to stop: .*it stays here marked stop failed and node-b does not take it over \(on_stop_failure block\); stop the service by hand, then run `twinbeat cleanup/, STOP_LIMIT_MS + 2000);
    await sleep(1500);
    assert.not.ok(holdsNow(run.holdsB), 'node-b never holds the VIP');
    assert.not.ok(run.b.lines.some((l) => /Taking over resource group/.test(l)));
    assert.match(await status(run, 'a'), /held by node-a, stop-failed here, STOP FAILED on node-a/);
    assert.match(await status(run, 'b'), /held by node-a, STOP FAILED on node-a: the service may still run there/);
    run.pair.killServices('a');
    const t1 = Date.now();
    const cleanup = await run.pair.twinbeat('a', 'cleanup', GROUP);
    assert.is(cleanup.code, 0, cleanup.output);
    const { servedAt } = await gapTo(run, t1, 3000);
    report('standby without a relay (block)', { 'stop failure to cleanup (the operator)': t1 - t0, 'cleanup to node-b serving': servedAt - t1 });
    assertNeverBoth(run);
    });
  });

  test('SIGTERM, relay: node-a gives up what it can, node-b resets it and serves within stop limit + pulse + 1 s', async () => {
    await scenario(start([], true), async (run) => {
    const t0 = Date.now();
    run.a.kill('SIGTERM');
    await run.b.waitFor(/Resetting node-a: it cannot stop/, STOP_LIMIT_MS + 2000);
    const { servedAt, gapMs } = await gapTo(run, t0, STOP_LIMIT_MS + PULSE_MS + 3000);
    report('SIGTERM with the relay', { 'signal to node-b serving': servedAt - t0, 'client gap': gapMs });
    assert.ok(servedAt - t0 <= STOP_LIMIT_MS + PULSE_MS + 1000, `node-b served ${servedAt - t0} ms after SIGTERM`);
    assert.match(await status(run, 'b'), /held by node-b/);
    assertNeverBoth(run);
    });
  });

  test('SIGTERM, no relay, on_stop_failure handover: node-a exits, node-b serves within the stop limit + 1 s', async () => {
    await scenario(start(['on_stop_failure handover'], false), async (run) => {
    const t0 = Date.now();
    run.a.kill('SIGTERM');
    const { servedAt, gapMs } = await gapTo(run, t0, STOP_LIMIT_MS + 3000);
    const code = await Promise.race([run.a.exited, sleep(3000).then(() => 'still running')]);
    report('SIGTERM without a relay (handover)', { 'signal to node-b serving': servedAt - t0, 'client gap': gapMs });
    assert.ok(servedAt - t0 <= STOP_LIMIT_MS + 1000, `node-b served ${servedAt - t0} ms after SIGTERM`);
    assert.is(code, 0, 'node-a exited 0');
    assert.match(await status(run, 'b'), /held by node-b/);
    assertNeverBoth(run);
    });
  });

  test('start-up with a leftover that will not stop, relay: node-a joins within initdead, asks to be reset, node-b serves within stop limit + pulse + 1 s of the failure', async () => {
    await scenario(startWithLeftover([], true), async (run) => {
    const joinedMs = await joinsWhileReleasing(run);
    await run.a.waitFor(/left by a previous run failed to stop: hangsvc: .*asking node-b to reset this node/, STOP_LIMIT_MS + 3000);
    const failedAt = Date.now();
    await run.b.waitFor(/Resetting node-a: it cannot stop/, 2000);
    const servedAt = await answeredBy(run, 'node-b', run.t0, STOP_LIMIT_MS + PULSE_MS + 6000);
    report('start-up with a stuck leftover, relay', { 'start to node-a joined': joinedMs, 'start to node-b serving': servedAt - run.t0, 'failure to node-b serving': servedAt - failedAt });
    assert.ok(servedAt - failedAt <= PULSE_MS + 1000, `node-b served ${servedAt - failedAt} ms after node-a gave up its leftover`);
    assert.match(await status(run, 'b'), /held by node-b/);
    assertNeverBoth(run);
    });
  });

  test('start-up with a leftover that will not stop, no relay (block): node-a joins within initdead; only that group is kept from starting; node-b is told and says so', async () => {
    await scenario(startWithLeftover([], false), async (run) => {
    const joinedMs = await joinsWhileReleasing(run);
    await run.a.waitFor(/left by a previous run failed to stop: hangsvc: .*\(on_stop_failure block\); stop the service by hand, then run `twinbeat cleanup/, STOP_LIMIT_MS + 3000);
    report('start-up with a stuck leftover, no relay', { 'start to node-a joined': joinedMs });
    const b = await status(run, 'b');
    assert.match(b, /node-a: up/);
    assert.match(b, /STOP FAILED on node-a: the service may still run there/);
    await sleep(1000);
    assert.not.ok(holdsNow(run.holdsA) || holdsNow(run.holdsB), 'nobody holds the VIP');
    assert.not.ok(run.b.lines.some((l) => /Taking over resource group/.test(l)));
    run.pair.killServices('a');
    const cleanup = await run.pair.twinbeat('a', 'cleanup', GROUP);
    assert.is(cleanup.code, 0, cleanup.output);
    await answeredBy(run, 'node-a', run.t0, 3000);
    assertNeverBoth(run);
    });
  });
}

test.run();
