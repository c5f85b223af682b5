// The seed tutorial's files (../shared/seeds), copied byte for byte into test/fixtures/tutorial,
// inline comments and the non-breaking spaces of a web copy included, must validate.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadConfig } from '../../src/config';
import { fakeMachine } from '../helpers/config-dir';
import { skipWithReason } from '../helpers/skip';

const FIXTURE = 'test/fixtures/tutorial';
const BUNDLE = 'build/twinbeat.js';

function tutorialDir(authkeysMode = 0o600): string {
  const dir = mkdtempSync(join(tmpdir(), 'twinbeat-tutorial-'));
  cpSync(FIXTURE, dir, { recursive: true });
  chmodSync(join(dir, 'authkeys'), authkeysMode); // git keeps no modes but the run bit
  return dir;
}

const runCli = (entry: string[], ...args: string[]) =>
  spawnSync(process.execPath, [...entry, 'check-config', ...args], { encoding: 'utf8' });

test('the fixture really has the web copy\'s non-breaking spaces and inline comments', () => {
  const haCf = readFileSync(join(FIXTURE, 'ha.cf'), 'utf8');
  assert.ok(haCf.includes('keepalive 2\u00a0'));
  assert.ok(haCf.includes('# '));
});

test('the tutorial\'s three files read into the Config they describe', async () => {
  const { config, diagnostics } = await loadConfig(tutorialDir(), { node: 'node1.example.com', machine: fakeMachine() });
  assert.equal(diagnostics.filter((d) => d.severity === 'error'), []);
  assert.ok(config);
  assert.equal(config.nodes, ['node1.example.com', 'node2.example.com']);
  assert.equal(config.timing, { keepaliveMs: 2000, deadtimeMs: 30000, warntimeMs: 10000, initdeadMs: 120000, deadpingMs: 30000, fenceDelayMs: 60000 });
  assert.is(config.udpPort, 694);
  assert.equal(config.paths.map((p) => p.id), ['bcast eth1', 'ucast eth1 10.0.0.1']);
  assert.is(config.autoFailback, 'on');
  assert.equal(config.groups.map((g) => [g.home, g.id, g.resources.map((r) => r.raw)]), [['node1.example.com', '192.168.1.5', ['192.168.1.5', 'httpd']]]);
  assert.equal(config.auth.keys.map((k) => k.method), ['crc']);
  assert.is(config.logfile, '/var/log/ha-log');
  assert.is(config.logfacility, 'local0');
});

test("the tutorial's bare VIP: the interface whose subnet holds it here is the one whose carrier is tracked", async () => {
  const lanOfTheTutorial = fakeMachine({
    interfaces: { eth0: [{ address: '192.168.1.10', family: 4, prefixLength: 24 }], eth1: [{ address: '10.0.0.2', family: 4, prefixLength: 8 }] },
  });
  const here = await loadConfig(tutorialDir(), { node: 'node2.example.com', machine: lanOfTheTutorial });
  assert.equal(here.config?.trackInterfaces, ['eth0']);
  // On a build host without that subnet nothing is tracked (check-config warns about the VIP).
  const elsewhere = await loadConfig(tutorialDir(), { node: 'node2.example.com', machine: fakeMachine() });
  assert.equal(elsewhere.config?.trackInterfaces, []);
});

test('check-config (from source) exits 0 with a summary for the tutorial', () => {
  const r = runCli(['--import', 'tsx', 'src/cli.ts'], '--config-dir', tutorialDir(), '--node', 'node1.example.com');
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /is valid/);
  assert.match(r.stdout, /pair: +node1\.example\.com \(this node\) and node2\.example\.com/);
  assert.match(r.stdout, /timing: +keepalive 2s, warntime 10s, deadtime 30s, initdead 120s/);
  assert.match(r.stdout, /groups: +192\.168\.1\.5, home node1\.example\.com: VIP 192\.168\.1\.5 on the interface whose subnet holds it, script httpd/);
  assert.match(r.stdout, /auth: +sends with key 1 \(crc\)/);
  assert.match(r.stderr, /authkeys:2: warning: key 1: crc authenticates nothing/);
});

test('check-config exits 2 naming authkeys and 600 when authkeys is 0644', () => {
  const dir = tutorialDir(0o644);
  const r = runCli(['--import', 'tsx', 'src/cli.ts'], '--config-dir', dir, '--node', 'node1.example.com');
  assert.is(r.status, 2);
  assert.ok(r.stderr.split('\n').includes(`${dir}/authkeys: mode is 0644, it must be 600 (read and write for root only): chmod 600 ${dir}/authkeys`), r.stderr);
});

test('check-config --strict turns this machine\'s problems into errors', () => {
  const r = runCli(['--import', 'tsx', 'src/cli.ts'], '--config-dir', tutorialDir(), '--node', 'node1.example.com', '--strict');
  // This host has no interface in 192.168.1.0/24 for the tutorial's VIP, nor its httpd script.
  assert.is(r.status, 2);
  assert.match(r.stderr, /haresources:1: resource script httpd not found/);
});

if (existsSync(BUNDLE)) {
  test('the built bundle: exit 0 for the tutorial, 2 for authkeys 0644', () => {
    const ok = runCli([BUNDLE], '--config-dir', tutorialDir(), '--node', 'node1.example.com');
    assert.is(ok.status, 0, ok.stderr);
    const bad = runCli([BUNDLE], '--config-dir', tutorialDir(0o644), '--node', 'node1.example.com');
    assert.is(bad.status, 2);
    assert.match(bad.stderr, /authkeys: mode is 0644, it must be 600/);
  });
} else {
  skipWithReason(test, `${BUNDLE} is not built (run npm run build; .ci/run does)`);
}

test.run();
