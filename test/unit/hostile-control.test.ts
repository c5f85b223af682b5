// Issue 18, the control socket and its run directory: only the socket's own commands are
// dispatched (6), and the run directory is twinbeat's own, 0700, before the socket is made (10).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlSocket } from '../../src/control/server';
import { prepareRunDir, RunDirError } from '../../src/control/run-dir';
import { askAgent } from '../../src/control/client';

const scratch = () => mkdtempSync(join(tmpdir(), 'twinbeat-hostile-'));

test('6. inherited names are unknown commands: constructor, toString, __proto__, ...', async () => {
  const runDir = join(scratch(), 'run');
  const socket = new ControlSocket(runDir, {
    status: () => 'fine',
    cleanup: (r) => {
      throw new Error(`no resource group ${String(r.group)}`);
    },
  });
  await socket.start();
  try {
    // A handler's error quoting the request reaches the operator's terminal escaped.
    assert.equal(await askAgent(runDir, { command: 'cleanup', group: '\u001b]0;owned\u0007' }), { ok: false, error: 'no resource group \\x1b]0;owned\\x07' });
    for (const command of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf']) {
      assert.equal(await askAgent(runDir, { command }), { ok: false, error: `unknown command "${command}" (known: status, cleanup)` }, command);
    }
    const long = await askAgent(runDir, { command: `\u001b[2J${'x'.repeat(3000)}` });
    assert.is(long.ok, false);
    assert.match(!long.ok ? long.error : '', /^unknown command "\\x1b\[2Jx+\.\.\.\(2940 more characters\)" \(known: status, cleanup\)$/);
    assert.equal(await askAgent(runDir, { command: 42 as unknown as string }), { ok: false, error: 'unknown command "42" (known: status, cleanup)' });
    assert.equal(await askAgent(runDir, { command: 'status' }), { ok: true, result: 'fine' });
  } finally {
    await socket.stop();
  }
});

test('10. a run directory left at 0777 is set to 0700 before the socket is made', async () => {
  const runDir = join(scratch(), 'run');
  mkdirSync(runDir);
  chmodSync(runDir, 0o777);
  const socket = new ControlSocket(runDir, { status: () => 'fine' });
  const note = await socket.start();
  try {
    assert.is(statSync(runDir).mode & 0o7777, 0o700);
    assert.is(note, `run directory ${runDir} had mode 0777: set to 0700 so that no other user can reach its control socket`);
    assert.equal(await askAgent(runDir, { command: 'status' }), { ok: true, result: 'fine' });
  } finally {
    await socket.stop();
  }
  // Created when missing, with its parents, at 0700; nothing to say then.
  const fresh = join(scratch(), 'a', 'b');
  assert.is(await prepareRunDir(fresh), undefined);
  assert.is(statSync(fresh).mode & 0o7777, 0o700);
});

test('10. a run directory owned by another user is refused, and no socket is made in it', async () => {
  const runDir = join(scratch(), 'run');
  mkdirSync(runDir, { mode: 0o700 });
  const me = process.geteuid?.() ?? 0;
  // As root the directory is handed to another user; otherwise the check is asked for another uid.
  const other = me === 0 ? 1000 : me + 1;
  if (me === 0) chownSync(runDir, other, other);
  const error = await prepareRunDir(runDir, me === 0 ? 0 : other).then(() => undefined, (err: unknown) => err);
  assert.instance(error, RunDirError);
  assert.match((error as Error).message, new RegExp(`^run directory ${runDir} is owned by uid ${me === 0 ? other : me}, not by uid ${me === 0 ? 0 : other} that twinbeat runs as: another user could replace its control socket`));
  if (me === 0) {
    const socket = new ControlSocket(runDir, { status: () => 'fine' });
    await socket.start().then(() => assert.unreachable('started in a directory another user owns'), (err: unknown) => assert.instance(err, RunDirError));
    assert.not.ok(existsSync(socket.path));
  }
});

test.run();
