// test/run.mjs itself: a skipped suite is reported with its reason, and with CI=true it is a
// failure (CI has root and every tool, so a suite that skips there has stopped testing).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';

function runner(env: Record<string, string>) {
  const { CI: _ci, ...rest } = process.env;
  const r = spawnSync(process.execPath, ['test/run.mjs'], {
    encoding: 'utf8',
    env: { ...rest, TWINBEAT_TEST_ROOT: 'test/fixtures/runner', ...env },
    timeout: 60_000,
  });
  const lines = r.stdout.trimEnd().split('\n');
  return { status: r.status, last: lines.at(-1), stdout: r.stdout };
}

test('without CI=true a skip is counted, its reason printed, and the run passes', () => {
  const r = runner({});
  assert.is(r.last, '1 passed, 0 failed, 1 skipped', r.stdout);
  assert.match(r.stdout, /^skipped: test\/fixtures\/runner\/skips\.test\.ts: this fixture suite always skips$/m);
  assert.is(r.status, 0);
});

test('with CI=true a skip is a failure, with its reason', () => {
  const r = runner({ CI: 'true' });
  assert.is(r.last, '1 passed, 1 failed', r.stdout);
  assert.match(r.stdout, /^failed \(skipped with CI=true\): test\/fixtures\/runner\/skips\.test\.ts: this fixture suite always skips$/m);
  assert.is(r.status, 1);
});

test.run();
