// The agent shell with the real core: two agents in one process over the loopback network,
// resources that only record what they were asked (test/helpers/inprocess-pair.ts). Checks
// that the shell feeds events and carries out effects as the core's contract says.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InProcessPair, PAIR_HA_CF, until } from '../helpers/inprocess-pair';
import type { StatusSnapshot } from '../../src/snapshot';

const DEADTIME = 250;

async function runningPair(haCf?: string) {
  const pair = new InProcessPair(haCf ? { haCf } : {});
  const alpha = await pair.start('alpha');
  const beta = await pair.start('beta');
  await until('alpha holds the group', () => alpha.running());
  await until('beta hears alpha', () => beta.agent.snapshot().peer.state === 'up');
  return { pair, alpha, beta };
}

test('both start: the home node acquires its group, left to right; the peer stands by', async () => {
  const { pair, alpha, beta } = await runningPair();
  await until('beta sees alpha as holder', () => beta.agent.snapshot().groups[0]?.holder === 'alpha');
  assert.equal(pair.calls, ['alpha start vip', 'alpha start web']);
  assert.is(alpha.agent.snapshot().role, 'active');
  assert.is(beta.agent.snapshot().role, 'standby');
  assert.ok(alpha.log.some((l) => l.includes('Link beta:eth1 up.')), alpha.log.join('\n'));
  await pair.dispose();
});

test('the active node dies: the peer takes over after deadtime, and says why', async () => {
  const { pair, beta } = await runningPair();
  const died = Date.now();
  await pair.powerOff('alpha');
  await until('beta runs the group', () => beta.running());
  const elapsed = Date.now() - died;
  assert.ok(elapsed >= DEADTIME - 60, `not before deadtime (${elapsed} ms)`);
  assert.ok(elapsed < DEADTIME + 400, `soon after deadtime (${elapsed} ms)`);
  assert.ok(beta.log.some((l) => /node alpha: is dead/.test(l)), beta.log.join('\n'));
  assert.ok(beta.log.some((l) => /Taking over resource group 192\.0\.2\.50\/24\/eth0/.test(l)), beta.log.join('\n'));
  assert.ok(pair.network.delivered['ucast eth1 198.51.100.2']! > 0 && pair.network.delivered['serial /dev/ttyS1']! > 0);
  assert.is(pair.lan.doubleHolder, false);
  await pair.dispose();
});

test('the snapshots order a node\'s state and its peer\'s verdict by message numbers (what the fleet view weighs)', async () => {
  const { pair, alpha, beta } = await runningPair();
  await until('beta sees alpha as holder', () => beta.agent.snapshot().groups[0]?.holder === 'alpha');
  const lastState = alpha.agent.snapshot();
  assert.ok(lastState.seq > 0, 'a state carries the number of its node\'s last message');
  await pair.powerOff('alpha');
  await until('beta declares alpha dead', () => beta.agent.snapshot().peer.state === 'dead');
  const verdict = beta.agent.snapshot().peer;
  assert.is(verdict.generation, lastState.generation);
  assert.ok(verdict.lastSeq! >= lastState.seq, `the verdict heard message ${verdict.lastSeq}, the state was made at ${lastState.seq}`);
  await pair.dispose();
});

test('one path cut: no takeover, only that path is dead; healed, it is up again', async () => {
  const { pair, beta } = await runningPair();
  pair.network.cutPath('ucast eth1 198.51.100.2');
  await until('beta sees eth1 dead', () => beta.agent.snapshot().paths[0]?.state === 'dead');
  assert.ok(beta.log.some((l) => l.includes('Link alpha:eth1 dead.')), beta.log.join('\n'));
  await new Promise((r) => setTimeout(r, 2 * DEADTIME));
  assert.is(beta.running(), false);
  assert.is(beta.agent.snapshot().peer.state, 'up');
  pair.network.healPath('ucast eth1 198.51.100.2');
  await until('beta sees eth1 up again', () => beta.agent.snapshot().paths[0]?.state === 'up');
  await pair.dispose();
});

test('a heartbeat heard leaves the armed timer alone: one timer per deadline, not one per message (an idle agent\'s wake-ups)', async () => {
  const { pair, alpha, beta } = await runningPair();
  const accepted = () => [alpha, beta].reduce((sum, n) => sum + (n.agent.snapshot().counters['messages-accepted'] ?? 0), 0);
  const realSetTimeout = globalThis.setTimeout;
  let armed = 0;
  globalThis.setTimeout = ((fn: () => void, ms?: number) => {
    if (new Error().stack?.includes('scheduleTick')) armed++;
    return realSetTimeout(fn, ms);
  }) as typeof setTimeout;
  const heardBefore = accepted();
  try {
    await new Promise((r) => realSetTimeout(r, 1000));
  } finally {
    globalThis.setTimeout = realSetTimeout;
  }
  const heard = accepted() - heardBefore;
  try {
    // keepalive 50 ms: each agent's own sends, about 20 a second, are its deadlines; it hears
    // twice as many heartbeats (two paths), which move only the peer's deadlines, later than
    // the next send. Both agents run in this process: about 40 timers for about 80 messages
    // (a loaded machine adds a few: a timer that fires early is armed again). One timer per
    // message and per send would be more timers than messages.
    assert.ok(heard >= 40, `heard ${heard}`);
    assert.ok(armed < heard, `the timers were armed ${armed} times for ${heard} messages heard in a second`);
  } finally {
    await pair.dispose();
  }
});

test('graceful shutdown of the active: the peer takes over at once, before deadtime', async () => {
  const { pair, alpha, beta } = await runningPair();
  const asked = Date.now();
  alpha.agent.requestShutdown();
  await alpha.agent.exited;
  await until('beta runs the group', () => beta.running());
  assert.ok(Date.now() - asked < DEADTIME, `handover in ${Date.now() - asked} ms, less than deadtime`);
  assert.equal(pair.calls.slice(-4), ['alpha stop web', 'alpha stop vip', 'beta start vip', 'beta start web']);
  assert.is(pair.lan.doubleHolder, false);
  await pair.dispose();
});

test('standby hands the group over; takeover brings it back; never both at once', async () => {
  const { pair, alpha, beta } = await runningPair();
  alpha.agent.admin('standby');
  await until('beta runs the group', () => beta.running() && !alpha.running());
  assert.match(alpha.agent.admin('takeover'), /^Takeover: asking beta to release/);
  await until('alpha runs it again', () => alpha.running() && !beta.running());
  assert.is(pair.lan.doubleHolder, false);
  await pair.dispose();
});

test('the home node comes back (new generation): auto_failback on returns the group, no overlap', async () => {
  const { pair, beta } = await runningPair();
  await pair.powerOff('alpha');
  await until('beta runs the group', () => beta.running());
  const alpha = await pair.start('alpha');
  await until('alpha runs its group again', () => alpha.running() && !beta.running(), 5000);
  assert.is(pair.lan.doubleHolder, false);
  assert.is(pair.lan.answering(), 'alpha');
  await pair.dispose();
});

test('the service dies: restarted in place; dies again: the group moves and stays marked failed on alpha until cleanup', async () => {
  const { pair, alpha, beta } = await runningPair(`${PAIR_HA_CF}monitor_interval 1\n`);
  try {
    pair.calls.length = 0;
    alpha.killService();
    await until('alpha restarts it', () => pair.calls.join() === 'alpha stop web,alpha stop vip,alpha start vip,alpha start web', 2500);
    assert.ok(alpha.log.some((l) => l === 'ERROR: Resource group 192.0.2.50/24/eth0 failed its check: web: web is not running'), alpha.log.join('\n'));
    alpha.killService();
    await until('beta runs the group', () => beta.running() && !alpha.running(), 2500);
    assert.ok(alpha.log.some((l) => /Stopping resource group 192\.0\.2\.50\/24\/eth0: it failed its check again after a restart in place; handing it to beta/.test(l)));
    await until('beta knows it failed on alpha', () => beta.agent.snapshot().groups[0]?.failedOn.join() === 'alpha');
    assert.throws(() => alpha.agent.cleanup('192.0.2.99'), /no resource group 192\.0\.2\.99; the groups are: 192\.0\.2\.50\/24\/eth0/);
    assert.match(alpha.agent.cleanup('192.0.2.50/24/eth0'), /Cleanup of resource group 192\.0\.2\.50\/24\/eth0: its failures here are forgotten/);
    // auto_failback on: with the mark gone, beta hands the group back to its home node.
    await until('alpha runs its group again', () => alpha.running() && !beta.running(), 2500);
    assert.is(pair.lan.doubleHolder, false);
  } finally {
    await pair.dispose();
  }
});

test('the service dies twice on each node: the group stays stopped, said loudly and shown as failed on both; a cleanup brings it back', async () => {
  const { pair, alpha, beta } = await runningPair(`${PAIR_HA_CF}monitor_interval 1\n`);
  try {
    for (const [node, next] of [[alpha, beta], [beta, null]] as const) {
      node.killService();
      await until(`${node.name} restarts it`, () => node.log.some((l) => /Restarting resource group/.test(l)), 2500);
      await until(`${node.name} runs it again`, () => node.running(), 2500);
      node.killService();
      if (next) await until(`${next.name} runs it`, () => next.running(), 2500);
    }
    await until('beta gives up', () => beta.log.some((l) => /ERROR: Resource group 192\.0\.2\.50\/24\/eth0 stays stopped: it failed its checks here and it failed on alpha too/.test(l)), 2500);
    assert.is(alpha.running() || beta.running(), false, 'nobody runs it');
    const seen = beta.agent.snapshot();
    assert.equal([seen.role, seen.groups[0]?.holder, seen.groups[0]?.failedOn], ['failed', null, ['beta', 'alpha']]);
    alpha.agent.cleanup('192.0.2.50/24/eth0');
    await until('alpha runs it again', () => alpha.running() && !beta.running(), 3000);
    assert.is(pair.lan.doubleHolder, false);
  } finally {
    await pair.dispose();
  }
});

test("systemd's watchdog is fed from the heartbeat loop only: once per keepalive, and never after the loop stopped", async () => {
  const beats: number[] = [];
  const pair = new InProcessPair({ onHeartbeat: (node, now) => node === 'alpha' && beats.push(now) });
  const alpha = await pair.start('alpha');
  await pair.start('beta');
  try {
    await until('alpha holds the group', () => alpha.running());
    await new Promise((r) => setTimeout(r, 500));
    // Group starts, messages and ticks came in between: none of them fed it on its own. The early
    // heartbeats are the core's answers while the two join (the challenge, liveness.ts).
    const gaps = beats.slice(1).map((t, i) => t - beats[i]!);
    assert.ok(beats.length >= 8, `${beats.length} heartbeats in about 600 ms at keepalive 50 ms`);
    assert.ok(gaps.filter((g) => g < 40).length <= 2, `no feeding between heartbeats: ${gaps.join(' ')}`);
    const before = beats.length;
    await alpha.agent.halt();
    await new Promise((r) => setTimeout(r, 200));
    assert.is(beats.length, before, 'a stopped loop feeds nothing, so systemd would restart it');
  } finally {
    await pair.dispose();
  }
});

test('reporters hear of a change only, each time with the whole snapshot (counters included), not of every heartbeat', async () => {
  const reported: StatusSnapshot[] = [];
  const pair = new InProcessPair({ onSnapshot: (node, s) => node === 'beta' && reported.push(s) });
  await pair.start('alpha');
  const beta = await pair.start('beta');
  try {
    await until('beta sees alpha as holder', () => beta.agent.snapshot().groups[0]?.holder === 'alpha');
    await new Promise((r) => setTimeout(r, 300));
    const settled = reported.length;
    assert.ok(settled >= 1, 'the start is reported');
    assert.ok(reported.at(-1)!.counters['messages-accepted']! > 0, `the whole snapshot, counters included: ${JSON.stringify(reported.at(-1)!.counters)}`);
    assert.is(reported.at(-1)!.groups[0]?.holder, 'alpha');
    const heard = beta.agent.snapshot().counters['messages-accepted']!;
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(beta.agent.snapshot().counters['messages-accepted']! > heard + 5, 'heartbeats went on');
    assert.is(reported.length, settled, 'nothing reported while nothing changed');
    pair.network.cutPath('ucast eth1 198.51.100.2');
    await until('beta reports eth1 dead', () => reported.at(-1)?.paths[0]?.state === 'dead');
  } finally {
    await pair.dispose();
  }
});

test.run();
