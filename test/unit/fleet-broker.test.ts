// `twinbeat fleet --json` against a real mosquitto with two pairs reporting through the real
// reporter: one healthy, one with a node gone (Last Will) and a failover event.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { FleetView } from '../../src/fleet/view';
import { MqttReporter } from '../../src/report/mqtt';
import type { StatusSnapshot } from '../../src/snapshot';
import { skipWithReason } from '../helpers/skip';
import { Mosquitto, Watcher, mosquittoBinary, waitFor } from '../helpers/mosquitto';
import { clusterName, populateFleet } from '../helpers/fleet-population';
import { FAST, event, mqttConfig, snapshot } from './mqtt-fixtures';

const ROOT = resolve(import.meta.dirname, '../..');

function fleetJson(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'fleet', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/** `twinbeat fleet` drawing its live table; `output()` is everything it printed so far. */
function liveTable(url: string): { child: ReturnType<typeof spawn>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'fleet', '--broker', url], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  return { child, output: () => out };
}

function node(url: string, s: StatusSnapshot): MqttReporter {
  const r = new MqttReporter({ mqtt: mqttConfig(url), cluster: s.cluster, node: s.node, log: () => {}, tuning: FAST });
  r.start();
  r.publishState(s);
  return r;
}

if (!mosquittoBinary()) {
  skipWithReason(test, 'mosquitto is not installed (apt-get install mosquitto); the fleet view test needs it');
} else {
  test('fleet --json: a snapshot of two pairs', async () => {
    const broker = await Mosquitto.start();
    const reporters: MqttReporter[] = [];
    try {
      reporters.push(
        node(broker.url, snapshot({ cluster: 'gate-east' })),
        node(broker.url, snapshot({ cluster: 'gate-east', node: 'beta', role: 'standby' })),
        node(broker.url, snapshot({ cluster: 'gate-west', node: 'beta', role: 'active', peer: { node: 'alpha', state: 'dead' }, groups: [{ id: '192.0.2.50', home: 'alpha', holder: 'beta', state: 'held', failedOn: [] }] })),
      );
      const watcher = await Watcher.connect(broker.url, ['twinbeat/+/+/state']);
      await waitFor('three states', () => new Set(watcher.messages.map((m) => m.topic)).size === 3, 5000);
      await watcher.close();
      // gate-west's alpha died (its availability is what its Last Will leaves).
      const w = await Watcher.connect(broker.url, ['nothing']);
      await w.client.publishAsync('twinbeat/gate-west/alpha/availability', 'offline', { qos: 1, retain: true });
      await w.close();

      const result = await fleetJson(['--broker', broker.url, '--json', '--settle', '500']);
      assert.is(result.code, 0, result.stderr);
      const view = JSON.parse(result.stdout) as FleetView;
      assert.equal(view.pairs.map((p) => [p.cluster, p.flags]), [['gate-west', ['offline node']], ['gate-east', []]]);
      const west = view.pairs[0]!;
      assert.equal(west.nodes.map((n) => [n.node, n.availability, n.role]), [['alpha', 'offline', 'unknown'], ['beta', 'online', 'active']]);
      assert.is(west.groups[0]?.holder, 'beta');
      const east = view.pairs[1]!;
      assert.equal(east.nodes.map((n) => [n.node, n.availability, n.role]), [['alpha', 'online', 'active'], ['beta', 'online', 'standby']]);
      assert.is(east.groups[0]?.holder, 'alpha');
      assert.is(view.flagged, 1);
    } finally {
      await Promise.all(reporters.map((r) => r.stop()));
      await broker.stop();
    }
  });

  test('fleet: the live table shows a failover event as it happens', async () => {
    const broker = await Mosquitto.start();
    const alpha = node(broker.url, snapshot({ cluster: 'gate-east' }));
    const { child, output } = liveTable(broker.url);
    try {
      await waitFor('the first table', () => /gate-east\s+alpha\s+online\s+active/.test(output()), 10_000);
      alpha.publishEvent(event(0, { cluster: 'gate-east', type: 'failover', at: new Date().toISOString(), node: 'alpha', text: 'Taking over resource group 192.0.2.50' }));
      await waitFor('the failover in the table', () => /alpha 0s ago/.test(output()), 5000);
    } finally {
      child.kill('SIGTERM');
      await alpha.stop();
      await broker.stop();
    }
  });

  test('fleet --json: 1,000 pairs (4,000 retained messages) on a default mosquitto, every one with its roles', async () => {
    const broker = await Mosquitto.start();
    try {
      await populateFleet(broker.url, 1000);
      const started = Date.now();
      const result = await fleetJson(['--broker', broker.url, '--json']);
      assert.is(result.code, 0, result.stderr);
      const view = JSON.parse(result.stdout) as FleetView;
      process.stdout.write(`fleet --json: 1000 pairs in ${Date.now() - started} ms (with Node's start)\n`);
      assert.is(view.pairs.length, 1000);
      assert.equal([view.complete, view.incomplete, view.flagged], [true, 0, 0]);
      assert.equal(new Set(view.pairs.map((p) => p.cluster)), new Set(Array.from({ length: 1000 }, (_, i) => clusterName(i))));
      assert.ok(view.pairs.every((p) => p.nodes.map((n) => `${n.node}:${n.availability}:${n.role}`).join(' ') === 'alpha:online:active beta:online:standby' && p.groups[0]?.holder === 'alpha'));
    } finally {
      await broker.stop();
    }
  });

  test('fleet --json says when its picture is incomplete: an online node whose state never came', async () => {
    const broker = await Mosquitto.start();
    try {
      await populateFleet(broker.url, 3);
      // A state cleared (as a dropped message would leave it): the pair is listed, flagged, and the view not complete.
      const w = await Watcher.connect(broker.url, ['nothing']);
      await w.client.publishAsync(`twinbeat/${clusterName(1)}/beta/state`, '', { qos: 1, retain: true });
      await w.close();
      const result = await fleetJson(['--broker', broker.url, '--json']);
      const view = JSON.parse(result.stdout) as FleetView;
      assert.equal([view.pairs.length, view.complete, view.incomplete], [3, false, 1]);
      assert.match(result.stderr, /the picture is incomplete: 1 pair\(s\) lack a retained topic/);
      assert.equal([view.pairs[0]!.cluster, view.pairs[0]!.flags, view.pairs[0]!.missing], [clusterName(1), ['incomplete'], ['beta/state']]);
    } finally {
      await broker.stop();
    }
  });

  test('fleet: the live table loads again after the broker restarts (a clean session forgets the subscriptions)', async () => {
    const broker = await Mosquitto.start();
    const alpha = node(broker.url, snapshot({ cluster: 'gate-east' }));
    const { child, output } = liveTable(broker.url);
    try {
      await waitFor('the first table', () => /gate-east\s+alpha\s+online\s+active/.test(output()), 10_000);
      await broker.restart();
      const mark = output().length;
      // The reporter publishes its state again on its new connection; the view asks for gate-east's states again.
      alpha.publishState(snapshot({ cluster: 'gate-east', role: 'standby', groups: [] }));
      await waitFor('the table after the restart', () => /gate-east\s+alpha\s+online\s+standby/.test(output().slice(mark)), 10_000);
    } finally {
      child.kill('SIGTERM');
      await alpha.stop();
      await broker.stop();
    }
  });

  test('fleet: a wrong --broker is a usage error; an unreachable one exits 1', async () => {
    const bad = await fleetJson(['--broker', 'http://x', '--json']);
    assert.is(bad.code, 2);
    assert.match(bad.stderr, /--broker http:\/\/x: expected a broker URL/);
    const down = await fleetJson(['--broker', 'mqtt://127.0.0.1:1', '--json']);
    assert.is(down.code, 1);
    assert.match(down.stderr, /twinbeat fleet: cannot watch mqtt:\/\/127\.0\.0\.1:1: /);
  });
}

test.run();
