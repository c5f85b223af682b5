import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../src/exec';
import { ScriptDriver } from '../../src/resources/script';
import { checkGroup, startGroup, stopGroup } from '../../src/resources/group';
import type { ActionResult, ManagedResource } from '../../src/resources/resource';

function scriptDirs() {
  const root = mkdtempSync(join(tmpdir(), 'twinbeat-res-'));
  mkdirSync(join(root, 'etc', 'resource.d'), { recursive: true });
  mkdirSync(join(root, 'init.d'));
  return { configDir: join(root, 'etc'), initDir: join(root, 'init.d'), log: join(root, 'calls.log') };
}

function writeScript(path: string, body: string) {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

test('runCommand: output, exit code, timeout kills the whole process group, a missing binary', async () => {
  const ok = await runCommand('sh', ['-c', 'echo out; echo err >&2; exit 0'], { timeoutMs: 5000 });
  assert.equal([ok.ok, ok.code, ok.output], [true, 0, 'out\nerr']);
  const failed = await runCommand('sh', ['-c', 'exit 3'], { timeoutMs: 5000 });
  assert.equal([failed.ok, failed.code], [false, 3]);
  const started = Date.now();
  const slow = await runCommand('sh', ['-c', 'sleep 5 & sleep 5; echo never'], { timeoutMs: 200 });
  assert.ok(slow.timedOut && !slow.ok);
  assert.ok(Date.now() - started < 2000, 'the timeout ended the script and its child');
  assert.match(slow.output, /killed after 200 ms/);
  // A daemon left in a session of its own, holding the output open, holds neither a finished
  // script nor one killed at its limit for longer than a moment (then it is ended by its pid).
  const daemon = await runCommand('sh', ['-c', 'setsid sleep 30 & echo $!; exit 0'], { timeoutMs: 5000 });
  assert.equal([daemon.ok, daemon.code], [true, 0]);
  process.kill(Number(daemon.output), 'SIGKILL');
  const held = Date.now();
  const hung = await runCommand('sh', ['-c', 'setsid sleep 30 & echo $!; sleep 30'], { timeoutMs: 200 });
  assert.ok(hung.timedOut && !hung.ok);
  assert.ok(Date.now() - held < 2000, `bounded: ${Date.now() - held} ms`);
  process.kill(Number(hung.output.split('\n')[0]), 'SIGKILL');
  const missing = await runCommand('/nonexistent/tool', [], { timeoutMs: 1000 });
  assert.equal([missing.ok, missing.code], [false, null]);
  assert.match(missing.output, /ENOENT/);
});

test('script: resource.d first, then the init directory; arguments then the action; HA_ env', async () => {
  const dirs = scriptDirs();
  writeScript(join(dirs.initDir, 'web'), `echo "init $*" >> ${dirs.log}`);
  const web = new ScriptDriver({ kind: 'script', raw: 'web', name: 'web', args: [] }, { ...dirs, timeoutMs: 5000, env: {} });
  assert.ok((await web.start()).ok);
  writeScript(join(dirs.configDir, 'resource.d', 'web'), `echo "rd $* $HA_MODE" >> ${dirs.log}`);
  const withArgs = new ScriptDriver({ kind: 'script', raw: 'web::a1::a2', name: 'web', args: ['a1', 'a2'] }, { ...dirs, timeoutMs: 5000, env: { HA_MODE: 'test' } });
  assert.ok((await withArgs.stop()).ok);
  assert.equal(readFileSync(dirs.log, 'utf8').split('\n'), ['init start', 'rd a1 a2 stop test', '']);
});

test('script: status exit 0 is running, 3 is stopped; a failure carries the output; not found says where it looked', async () => {
  const dirs = scriptDirs();
  writeScript(join(dirs.initDir, 'db'), 'case "$1" in status) exit 3;; start) echo "no disk"; exit 1;; esac');
  const db = new ScriptDriver({ kind: 'script', raw: 'db', name: 'db', args: [] }, { ...dirs, timeoutMs: 5000, env: {} });
  assert.is((await db.status()).ok, false);
  const start = await db.start();
  assert.is(start.ok, false);
  assert.match(start.detail, /db start: exit 1: no disk$/);
  const ghost = new ScriptDriver({ kind: 'script', raw: 'ghost', name: 'ghost', args: [] }, { ...dirs, timeoutMs: 5000, env: {} });
  const r = await ghost.start();
  assert.is(r.ok, false);
  assert.match(r.detail, /resource script ghost not found \(looked in .*resource\.d\/ghost and .*init\.d\/ghost\)/);
});

function fakeResource(name: string, calls: string[], failOn?: 'start' | 'stop'): ManagedResource {
  const act = async (action: 'start' | 'stop' | 'status'): Promise<ActionResult> => {
    calls.push(`${action} ${name}`);
    return { ok: action !== failOn, detail: '', durationMs: 0 };
  };
  return { name, start: () => act('start'), stop: () => act('stop'), status: () => act('status') };
}

test('group: starts left to right, stops right to left', async () => {
  const calls: string[] = [];
  const group = ['vip', 'fs', 'web'].map((n) => fakeResource(n, calls));
  assert.ok((await startGroup(group)).ok);
  assert.ok((await stopGroup(group)).ok);
  assert.equal(calls, ['start vip', 'start fs', 'start web', 'stop web', 'stop fs', 'stop vip']);
});

test('group: a failed start stops what was started, in reverse, and names the failure', async () => {
  const calls: string[] = [];
  const group = [fakeResource('vip', calls), fakeResource('fs', calls), fakeResource('web', calls, 'start'), fakeResource('never', calls)];
  const outcome = await startGroup(group);
  assert.is(outcome.ok, false);
  assert.is(outcome.failed, 'web');
  assert.equal(calls, ['start vip', 'start fs', 'start web', 'stop fs', 'stop vip']);
});

test('group check: every resource in order, the first not running is the answer', async () => {
  const calls: string[] = [];
  assert.equal(await checkGroup([fakeResource('vip', calls), fakeResource('web', calls)], 1000), { ok: true, detail: '2 resource(s) running' });
  const broken: ManagedResource = { ...fakeResource('fs', calls), status: async () => (calls.push('status fs'), { ok: false, detail: 'not mounted', durationMs: 0 }) };
  assert.equal(await checkGroup([fakeResource('vip', calls), broken, fakeResource('web', calls)], 1000), { ok: false, detail: 'fs: not mounted' });
  assert.equal(calls, ['status vip', 'status web', 'status vip', 'status fs']);
});

test('group check: a status script that hangs is killed at monitor_timeout and counts as a failure', async () => {
  const dirs = scriptDirs();
  writeScript(join(dirs.initDir, 'slowd'), 'sleep 5');
  const driver = new ScriptDriver({ kind: 'script', raw: 'slowd', name: 'slowd', args: [] }, { configDir: dirs.configDir, initDir: dirs.initDir, timeoutMs: 60_000, env: {} });
  const started = Date.now();
  const result = await checkGroup([driver], 300);
  assert.ok(Date.now() - started < 2000, `${Date.now() - started} ms`);
  assert.is(result.ok, false);
  assert.match(result.detail, /^slowd: .*slowd status: timed out after 300 ms/);
});

test('group: a failed stop goes on releasing the rest and reports the first failure', async () => {
  const calls: string[] = [];
  const outcome = await stopGroup([fakeResource('vip', calls), fakeResource('fs', calls, 'stop'), fakeResource('web', calls)]);
  assert.equal([outcome.ok, outcome.failed], [false, 'fs']);
  assert.equal(calls, ['stop web', 'stop fs', 'stop vip']);
});

test.run();
