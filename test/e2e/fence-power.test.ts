// The reset device for real (issue 7): the agents drive a relay through onoff on a fake sysfs,
// and a power simulator turns the relay into power loss and reboot of the other node. One shot
// when both paths are cut, a takeover only after the pulse, a failing device that never leads
// to a takeover, and a manual device that waits for the operator.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { labUnavailable } from '../helpers/netns';
import type { Pair, PairSettings } from '../helpers/pair';
import { answeredBy, assertNeverBoth, holdsNow, servingPair, sleep, type ServingPair } from '../helpers/pair-scenario';
import { PowerSimulator, relayLine } from '../helpers/power';
import { skipWithReason } from '../helpers/skip';

const unavailable = labUnavailable(['ip', 'socat', 'arping', 'unshare']);

/** servingPair with the power simulator wired before the agents start. */
async function poweredPair(settings: Partial<PairSettings>, relays: ('a' | 'b')[]): Promise<ServingPair & { power: PowerSimulator }> {
  let power: PowerSimulator | undefined;
  try {
    const sp = await servingPair(settings, (pair) => {
      power = new PowerSimulator(pair);
      for (const node of relays) power.wireRelay(node);
    });
    return { ...sp, power: power! };
  } catch (err) {
    power?.stop();
    throw err;
  }
}

function cutBothPaths(pair: Pair): void {
  pair.lab.exec('a', ['ip', 'link', 'set', 'eth1', 'down']);
  pair.cable.cut();
}

if (unavailable) {
  skipWithReason(test, `reset device end-to-end: ${unavailable}`);
} else {
  test('both paths cut with node-a serving: one shot, node-a keeps serving, node-b is power-cycled and stands by', async () => {
    const sp = await poweredPair({ extra: [relayLine('node-a', 'node-b'), relayLine('node-b', 'node-a')] }, ['a', 'b']);
    try {
      cutBothPaths(sp.pair);
      await sp.a.waitFor(/Resetting node-b: node-b silent on every path for deadtime and this node runs the first group/, 3000);
      const shot = await waitForShot(sp.power, 'a', 3000);
      assert.ok(shot.restoredAt !== undefined, 'the power came back after the pulse');
      // node-b boots while the paths are still cut: with a device it neither shoots nor takes over.
      await sleep(2500);
      sp.pair.lab.exec('a', ['ip', 'link', 'set', 'eth1', 'up']);
      await sp.pair.cable.plug();
      const b2 = sp.pair.agents.b!;
      await b2.waitFor(/Link node-a:eth1 up\./, 10_000);
      await sleep(2000);
      assert.is(sp.power.shots.length, 1, `exactly one shot: ${JSON.stringify(sp.power.shots)}`);
      assert.is(sp.power.shots[0]!.by, 'a');
      assert.ok(holdsNow(sp.holdsA) && !holdsNow(sp.holdsB), 'node-a serves, node-b stands by');
      assert.not.ok(b2.lines.some((l) => /Resetting node-a/.test(l)), 'the rebooted node-b never shoots');
      assertNeverBoth(sp);
    } catch (err) {
      const tail = (name: string, lines: string[] | undefined) => `--- ${name}\n${(lines ?? []).slice(-25).join('\n')}`;
      console.log(tail('node-a', sp.pair.agents.a?.lines), '\n', tail('node-b (last start)', sp.pair.agents.b?.lines), '\n', JSON.stringify(sp.power.shots));
      throw err;
    } finally {
      sp.pair.dispose();
      sp.power.stop();
    }
  });

  test('node-a killed -9 with both paths cut: node-b shoots it and takes over only after the pulse', async () => {
    const sp = await poweredPair({ extra: [relayLine('node-b', 'node-a', '800ms')] }, ['b']);
    try {
      cutBothPaths(sp.pair);
      sp.a.kill('SIGKILL');
      const shot = await waitForShot(sp.power, 'b', 5000);
      await sp.b.waitFor(/Reset of node-a succeeded/, 5000);
      const served = await answeredBy(sp, 'node-b', shot.cutAt, 5000);
      assert.ok(shot.restoredAt !== undefined && shot.restoredAt - shot.cutAt >= 700, `pulse ${shot.restoredAt! - shot.cutAt} ms`);
      assert.ok(served >= shot.restoredAt!, `node-b answered ${served - shot.restoredAt!} ms after the power came back, not before`);
      assert.is(sp.power.shots.length, 1);
    } finally {
      sp.pair.dispose();
      sp.power.stop();
    }
  });

  test('a reset device that fails (external command exits 1): node-b never takes over and keeps retrying', async () => {
    const failing = join('/tmp', `twinbeat-failing-pdu-${process.pid}`);
    writeFileSync(failing, '#!/bin/sh\necho "outlet for $2 not found"\nexit 1\n');
    chmodSync(failing, 0o755);
    const { pair, b, holdsB } = await servingPair({ extra: [`stonith_host node-b external target=node-a command=${failing}`] });
    try {
      pair.powerOff('a');
      await b.waitFor(/Reset of node-a failed .*outlet for node-a not found.* \(attempt 1\): not taking over; retrying/, 5000);
      await b.waitFor(/\(attempt 2\): not taking over/, 10_000);
      assert.not.ok(holdsNow(holdsB), 'node-b never holds the VIP');
      assert.not.ok(b.lines.some((l) => /Taking over resource group/.test(l)));
    } finally {
      pair.dispose();
      rmSync(failing, { force: true });
    }
  });

  test('manual device: node-b asks for the operator and takes over only after fence-confirm', async () => {
    const { pair, b, client } = await servingPair({ extra: ['stonith_host node-b manual target=node-a'] });
    try {
      pair.powerOff('a');
      await b.waitFor(/Operator intervention required to reset node-a/, 5000);
      await sleep(1500);
      assert.not.ok(b.lines.some((l) => /Taking over resource group/.test(l)), 'no takeover before the confirmation');
      const confirm = await pair.twinbeat('b', 'fence-confirm', 'node-a');
      assert.is(confirm.code, 0, confirm.output);
      await client.waitFor(/"answer":"node-b"/, 5000);
      await b.waitFor(/Reset of node-a succeeded/, 1000);
    } finally {
      pair.dispose();
    }
  });
}

async function waitForShot(power: PowerSimulator, by: 'a' | 'b', limitMs: number) {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const shot = power.shots.find((s) => s.by === by && s.restoredAt !== undefined);
    if (shot) return shot;
    if (Date.now() > deadline) throw new Error(`no completed shot by node-${by} within ${limitMs} ms: ${JSON.stringify(power.shots)}`);
    await sleep(20);
  }
}

test.run();
