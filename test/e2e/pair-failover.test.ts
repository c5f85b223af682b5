// The pair on namespaces with the built agent (issue 6, scenarios 1, 2, 5 and 6): start-up,
// power loss of the active node, graceful shutdown, and the home node's return. What the client
// sees (who answers on the VIP, its ARP entry) and what each node holds, sampled every 10 ms.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { labUnavailable, LAN } from '../helpers/netns';
import { events } from '../helpers/pair';
import { answeredBy, assertNeverBoth, holdsNow, servingPair, sleep, type ServingPair } from '../helpers/pair-scenario';
import { skipWithReason } from '../helpers/skip';
import type { StatusSnapshot } from '../../src/snapshot';

const unavailable = labUnavailable(['ip', 'socat', 'arping']);
const DEADTIME_MS = 500; // FAST

async function scenario(name: string, settings: Parameters<typeof servingPair>[0], body: (sp: ServingPair) => Promise<void>) {
  test(name, async () => {
    const sp = await servingPair(settings);
    try {
      await body(sp);
    } finally {
      sp.pair.dispose();
    }
  });
}

if (unavailable) {
  skipWithReason(test, `pair failover end-to-end: ${unavailable}`);
} else {
  scenario('1. both start: the home node holds the VIP, the other stands by', {}, async (sp) => {
    await sleep(500);
    assert.ok(holdsNow(sp.holdsA), 'node-a holds the VIP');
    assert.not.ok(holdsNow(sp.holdsB), 'node-b does not');
    const status = await sp.pair.twinbeat('b', 'status');
    assert.match(status.output, /node-b \(this node\): standby/);
    assert.match(status.output, /group +192\.0\.2\.50\/24\/eth0 \(home node-a\): held by node-a/);
    assertNeverBoth(sp);
  });

  scenario('2. power loss of the active: node-b serves within deadtime + 100 ms, and the client already has its MAC', {}, async (sp) => {
    await sleep(300);
    const lost = Date.now();
    sp.pair.powerOff('a');
    const served = await answeredBy(sp, 'node-b', lost, 5000);
    const gap = served - lost;
    console.log(`  power loss to node-b answering: ${gap} ms (deadtime ${DEADTIME_MS} ms)`);
    assert.ok(gap <= DEADTIME_MS + 100, `gap ${gap} ms > deadtime + 100 ms`);
    const neigh = sp.pair.lab.exec('client', ['ip', 'neigh', 'show', LAN.vip]);
    assert.match(neigh, new RegExp(`lladdr ${sp.pair.lab.mac('b', 'eth0')}`), `client ARP entry: ${neigh}`);
    await sp.b.waitFor(/node node-a: is dead/, 1000);
    assertNeverBoth(sp);
    // The takeover's trace (issue 23), in the log and in status --json, every step in its order.
    await sp.b.waitFor(/Takeover trace 192\.0\.2\.50\/24\/eth0 \(ms from the decision\): peer last heard -\d/, 2000);
    const json = await sp.pair.twinbeat('b', 'status', '--json');
    const trace = (JSON.parse(json.output.slice(json.output.indexOf('{'))) as StatusSnapshot).takeovers?.at(-1);
    assert.ok(trace, `no takeover trace in status --json:\n${json.output}`);
    const steps = trace.marks.map((m) => (m.step === 'resource-started' ? `started ${m.detail}` : m.step));
    const order = ['last-heard', 'silence-judged', 'decision', 'start-asked', 'vip-added', 'arp-sent', 'started 192.0.2.50/24/eth0', 'started websvc', 'group-held'];
    assert.equal(steps.filter((x) => order.includes(x)), order.filter((x) => steps.includes(x)), `steps out of order: ${steps.join(', ')}`);
    for (const step of [...order, 'probe-done']) assert.ok(steps.includes(step), `trace lacks ${step}: ${steps.join(', ')}`);
    // The duplicate-address probe may end before the decision (the early probe) but always before the VIP is added.
    assert.ok(steps.indexOf('probe-done') > steps.indexOf('last-heard') && steps.indexOf('probe-done') < steps.indexOf('vip-added'), `probe out of place: ${steps.join(', ')}`);
    const ms = trace.marks.map((m) => m.ms);
    assert.equal(ms, [...ms].sort((x, y) => x - y), `marks not in time order: ${ms.join(' ')}`);
    const lastHeard = trace.marks[0]!;
    assert.ok(lastHeard.ms <= -(DEADTIME_MS - 50), `peer last heard ${lastHeard.ms} ms before the decision (deadtime ${DEADTIME_MS})`);
    assert.ok(trace.decisionToVipMs !== undefined && trace.decisionToArpMs !== undefined && trace.decisionToArpMs >= trace.decisionToVipMs);
    console.log(`  trace: decision to VIP added ${trace.decisionToVipMs} ms, to first gratuitous ARP ${trace.decisionToArpMs} ms, to group held ${trace.decisionToEndMs} ms`);
  });

  scenario('5. SIGTERM of the active: node-b serves within 1 s (whatever the deadtime)', { deadtime: '5s', warntime: '3s', initdead: '10s' }, async (sp) => {
    await sleep(300);
    const asked = Date.now();
    sp.a.kill('SIGTERM');
    const served = await answeredBy(sp, 'node-b', asked, 3000);
    console.log(`  SIGTERM to node-b answering: ${served - asked} ms (deadtime 5 s)`);
    assert.ok(served - asked <= 1000, `graceful gap ${served - asked} ms`);
    assert.is(await sp.a.exited, 0, 'node-a exits 0');
    assert.ok(sp.a.lines.some((l) => /Giving up all HA resources/.test(l)));
    assertNeverBoth(sp);
  });

  scenario('6. auto_failback on: the home node returns and the VIP goes home, never on both', { autoFailback: 'on' }, async (sp) => {
    const lost = Date.now();
    sp.pair.powerOff('a');
    await answeredBy(sp, 'node-b', lost, 5000);
    await sleep(500);
    const back = Date.now();
    sp.pair.powerOn('a');
    await answeredBy(sp, 'node-a', back, 15_000);
    await sleep(300);
    assert.ok(holdsNow(sp.holdsA) && !holdsNow(sp.holdsB));
    await sp.b.waitFor(/auto_failback on: node-a is up; handing resource group/, 1000);
    assertNeverBoth(sp);
  });

  scenario('6. auto_failback off: the home node returns and the VIP stays where it is', { autoFailback: 'off' }, async (sp) => {
    const lost = Date.now();
    sp.pair.powerOff('a');
    await answeredBy(sp, 'node-b', lost, 5000);
    const a2 = sp.pair.powerOn('a');
    await a2.waitFor(/Link node-b:eth1 up\./, 10_000);
    await sleep(2000);
    assert.ok(holdsNow(sp.holdsB) && !holdsNow(sp.holdsA), 'node-b keeps the VIP');
    const last = events<{ t: number; answer: string | null }>(sp.client).slice(-6);
    assert.is(last.at(-1)?.answer, 'node-b', `the client's last answers: ${JSON.stringify(last)}\nnode-a:\n${a2.lines.slice(-8).join('\n')}\nnode-b:\n${sp.b.lines.slice(-8).join('\n')}`);
    assertNeverBoth(sp);
  });
}

test.run();
