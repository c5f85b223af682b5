import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';

const run = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { encoding: 'utf8' });

test('--version prints the version', () => {
  const r = run('--version');
  assert.is(r.status, 0);
  assert.match(r.stdout, /^twinbeat \S+\n$/);
});

test('an unknown command exits 2 with the usage', () => {
  const r = run('frobnicate');
  assert.is(r.status, 2);
  assert.match(r.stderr, /unknown command 'frobnicate'/);
  assert.match(r.stderr, /usage: twinbeat/);
});

test.run();
