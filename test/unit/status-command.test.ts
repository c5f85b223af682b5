// `twinbeat status`, `standby`, `takeover` and `cleanup` against a control socket that answers like the agent.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { ControlSocket } from '../../src/control/server';
import { formatStatus } from '../../src/commands/status';
import type { StatusSnapshot } from '../../src/snapshot';

const SNAPSHOT: StatusSnapshot = {
  cluster: 'lab',
  node: 'node-a',
  role: 'active',
  peer: { node: 'node-b', state: 'up', generation: 7, lastHeardAgoMs: 120 },
  paths: [
    { id: 'ucast eth1 198.51.100.2', name: 'eth1', state: 'up', lastHeardAgoMs: 120 },
    { id: 'serial /dev/ttyS1', name: '/dev/ttyS1', state: 'dead', lastHeardAgoMs: 31_000 },
  ],
  groups: [{ id: '192.0.2.50', home: 'node-a', holder: 'node-a', state: 'held', failedOn: [] }],
  lastDecision: { at: '2026-11-25T03:40:12.000Z', text: 'Taking over resource group 192.0.2.50', reason: 'node-b was reset', kind: 'takeover', cause: 'peer-reset', code: 'take-from-reset-peer', group: '192.0.2.50', event: 'failover' },
  generation: 1795574571,
  seq: 40,
  version: '0.1.0',
  startedAt: '2026-11-25T03:37:00.000Z',
  uptimeS: 192,
  timestamp: '2026-11-25T03:40:12.000Z',
  counters: { 'bad auth': 3, replay: 0 },
};

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('a peer heard in a run that does not answer this node\'s challenge is shown as heard, not "never heard"', () => {
  const text = formatStatus({ ...SNAPSHOT, peer: { node: 'node-b', state: 'unknown', unansweredAgoMs: 300 } });
  assert.match(text, "node     node-b: unknown; a run of it that has not answered this node's challenge heard 300 ms ago (does it hear this node?)\n");
  assert.not.match(text, /node-b: .*never heard/);
});

test('the status table names each node, path, group and the last decision', () => {
  assert.is(
    formatStatus(SNAPSHOT),
    [
      'cluster  lab, twinbeat 0.1.0, generation 1795574571, up 3m12s',
      'node     node-a (this node): active',
      'node     node-b: up, heard 120 ms ago',
      'path     eth1 (ucast eth1 198.51.100.2): up, heard 120 ms ago',
      'path     /dev/ttyS1 (serial /dev/ttyS1): dead, heard 31 s ago',
      'group    192.0.2.50 (home node-a): held by node-a',
      'decision 2026-11-25T03:40:12.000Z: Taking over resource group 192.0.2.50, because node-b was reset',
      'counters bad auth 3',
      '',
    ].join('\n'),
  );
});

test('a peer that runs Heartbeat 3.0 (a pair being migrated) is said on its row', () => {
  assert.match(formatStatus({ ...SNAPSHOT, peer: { ...SNAPSHOT.peer, software: 'heartbeat' } }), /^node     node-b: up, heard 120 ms ago \(runs Heartbeat 3\.0\)$/m);
});

test('the reset device and its readiness get a row of their own', () => {
  const text = formatStatus({ ...SNAPSHOT, resetDevice: { description: 'gpio-relay chip pinctrl-rp1 line 26', ok: false, detail: 'cannot open /sys/class/gpio/gpio597: EACCES' } });
  assert.match(text, /^reset    gpio-relay chip pinctrl-rp1 line 26: NOT READY: cannot open \/sys\/class\/gpio\/gpio597: EACCES$/m);
  assert.match(formatStatus({ ...SNAPSHOT, resetDevice: { description: 'external /usr/local/sbin/pdu', ok: true, detail: '' } }), /^reset    external \/usr\/local\/sbin\/pdu: ready$/m);
});

test('a failed group says where it failed and that `twinbeat cleanup` clears it; failed on both, that it stays stopped', () => {
  const here = formatStatus({ ...SNAPSHOT, groups: [{ id: '192.0.2.50', home: 'node-a', holder: 'node-b', state: 'failed', failedOn: ['node-a'] }] });
  assert.match(here, /^group    192\.0\.2\.50 \(home node-a\): held by node-b, failed here, FAILED on node-a \(`twinbeat cleanup 192\.0\.2\.50` there to try again\)$/m);
  const both = formatStatus({ ...SNAPSHOT, groups: [{ id: '192.0.2.50', home: 'node-a', holder: null, state: 'failed', failedOn: ['node-a', 'node-b'] }] });
  assert.match(both, /^group    192\.0\.2\.50 \(home node-a\): held by nobody, failed here, FAILED on both nodes: stopped until `twinbeat cleanup 192\.0\.2\.50` on one of them$/m);
});

test('status, status --json, standby and takeover --force go through the control socket', async () => {
  const runDir = mkdtempSync(join(tmpdir(), 'twinbeat-status-'));
  const asked: unknown[] = [];
  const server = new ControlSocket(runDir, {
    status: () => SNAPSHOT,
    standby: (r) => (asked.push(r), 'Giving up all HA resources to node-b'),
    takeover: (r) => (asked.push(r), 'Taking over the resources of node-b'),
    cleanup: (r) => (asked.push(r), 'Cleanup of resource group 192.0.2.50: its failures here are forgotten; it may run here again'),
  });
  await server.start();
  try {
    const table = await cli(['status', '--run-dir', runDir]);
    assert.is(table.code, 0, table.stderr);
    assert.match(table.stdout, /^node +node-a \(this node\): active$/m);
    const json = await cli(['status', '--json', '--run-dir', runDir]);
    assert.equal(JSON.parse(json.stdout), SNAPSHOT);
    const standby = await cli(['standby', '--run-dir', runDir]);
    assert.equal([standby.code, standby.stdout], [0, 'Giving up all HA resources to node-b\n']);
    const takeover = await cli(['takeover', '--force', '--run-dir', runDir]);
    assert.is(takeover.code, 0);
    const cleanup = await cli(['cleanup', '192.0.2.50', '--run-dir', runDir]);
    assert.equal([cleanup.code, cleanup.stdout], [0, 'Cleanup of resource group 192.0.2.50: its failures here are forgotten; it may run here again\n']);
    const noGroup = await cli(['cleanup', '--run-dir', runDir]);
    assert.is(noGroup.code, 2);
    assert.match(noGroup.stderr, /usage: twinbeat cleanup GROUP/);
    assert.equal(asked, [{ command: 'standby' }, { command: 'takeover', force: true }, { command: 'cleanup', group: '192.0.2.50' }]);
  } finally {
    await server.stop();
  }
  const down = await cli(['status', '--run-dir', runDir]);
  assert.is(down.code, 1);
  assert.match(down.stderr, /twinbeat status: cannot reach the agent on .*: is twinbeat running\?/);
});

test.run();
