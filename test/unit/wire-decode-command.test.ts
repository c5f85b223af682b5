import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFrame } from '../../src/wire';
import { CAPTURE_FILE, authWith, key } from '../helpers/wire-fixtures';

const dir = mkdtempSync(join(tmpdir(), 'twinbeat-decode-'));
writeFileSync(join(dir, 'authkeys'), 'auth 1\n1 md5 labkey\n2 sha256 rotated\n');
chmodSync(join(dir, 'authkeys'), 0o600);

const decode = (input: Buffer | string, ...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'decode', '--config-dir', dir, ...args], { input, encoding: 'utf8' });

test('the captured Heartbeat 3.0.6 frames (--jsonl): every one ok, exit 0', () => {
  const r = decode(readFileSync(CAPTURE_FILE), '--jsonl');
  assert.is(r.status, 0, r.stderr);
  assert.is((r.stdout.match(/^#\d+ \S+ ok \(netstring, key 1\)$/gm) ?? []).length, 168);
  assert.match(r.stdout, /t=status st=init .*src=node-b srcuuid=\(16 bytes [0-9a-f]{32}\)/);
  assert.match(r.stderr, /168 frames: 168 ok, 0 would be dropped/);
});

test('a serial stream with noise: each frame and its verdict, a replay named, exit 1', () => {
  const auth = authWith(2, key(2, 'sha256', 'rotated'));
  const frame = encodeFrame([['t', 'status'], ['src', 'node-b'], ['seq', '1'], ['hg', '10']], auth);
  const forged = encodeFrame([['t', 'status'], ['src', 'node-b'], ['seq', '2'], ['hg', '10']], authWith(2, key(2, 'sha256', 'guess')));
  const r = decode(Buffer.concat([Buffer.from('\x07garbage'), frame, Buffer.from('~~'), frame, forged]));
  assert.is(r.status, 1);
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('#'));
  assert.equal(lines, ['#1 ok (classic, key 2)', '#2 replay: seq 1 of generation 10 from node-b on this path', '#3 bad-auth: auth field: digest does not match (classic)']);
  assert.match(r.stderr, /noise-bytes 10/);
});

test('no authkeys: the problem at file:line, exit 2', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'decode', '--config-dir', join(dir, 'nowhere')], { input: '', encoding: 'utf8' });
  assert.is(r.status, 2);
  assert.match(r.stderr, /authkeys/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
