// The agent's small parts: Heartbeat-style log lines, the generation store, the control socket.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { createLogger, formatLogLine } from '../../src/log';
import { nextGeneration } from '../../src/agent/generation';
import { ControlSocket } from '../../src/control/server';
import { askAgent } from '../../src/control/client';

const scratch = () => mkdtempSync(join(tmpdir(), 'twinbeat-parts-'));

test('log lines look like Heartbeat\'s', () => {
  const when = new Date(2026, 10, 25, 3, 4, 5);
  assert.is(formatLogLine('info', 'Link node2:eth1 up.', when, 42), 'twinbeat[42]: 2026/11/25_03:04:05 info: Link node2:eth1 up.\n');
});

test('logfile gets info and above, debugfile everything', async () => {
  const dir = scratch();
  const logfile = join(dir, 'ha-log');
  const debugfile = join(dir, 'ha-debug');
  const log = createLogger({ stderr: false, logfile, debugfile, debug: false, now: () => new Date(2026, 0, 2, 3, 4, 5) });
  log.log('debug', 'detail');
  log.log('info', 'node node2: is dead');
  await new Promise((r) => setTimeout(r, 50));
  assert.match(readFileSync(logfile, 'utf8'), /^twinbeat\[\d+\]: 2026\/01\/02_03:04:05 info: node node2: is dead\n$/);
  assert.is(readFileSync(debugfile, 'utf8').split('\n').length, 3);
});

test('the generation grows at every start and never goes back', async () => {
  const dir = join(scratch(), 'state');
  const first = await nextGeneration(dir);
  const second = await nextGeneration(dir);
  assert.equal(first.problem, undefined);
  assert.is(second.generation, first.generation + 1);
  assert.ok(first.generation >= Math.floor(Date.now() / 1000) - 5, 'starts at least at the wall-clock seconds');
  assert.is(statSync(join(dir, 'generation')).mode & 0o777, 0o600);
  writeFileSync(join(dir, 'generation'), `${second.generation + 1000}\n`);
  assert.is((await nextGeneration(dir)).generation, second.generation + 1001);
});

test('a corrupt, oversized or FIFO generation file is said loudly, and the agent still gets a generation', async () => {
  const dir = scratch();
  writeFileSync(join(dir, 'generation'), 'garbage');
  const corrupt = await nextGeneration(dir, 1_767_225_600_000);
  assert.is(corrupt.generation, 1_767_225_600);
  assert.match(corrupt.problem ?? '', /does not hold a number \("garbage"\); counting from the clock/);
  writeFileSync(join(dir, 'generation'), '7'.repeat(10_000));
  assert.match((await nextGeneration(dir)).problem ?? '', /is larger than 4096 bytes/);
  const fifoDir = scratch();
  spawnSync('mkfifo', [join(fifoDir, 'generation')]);
  const fifo = await nextGeneration(fifoDir);
  assert.match(fifo.problem ?? '', /FIFO/, 'refused without blocking on the FIFO');
});

test('a generation that cannot be stored (full or read-only state directory) does not stop the start', async () => {
  // A directory where the temporary file must go: the write fails as ENOSPC or EROFS would (the
  // e2e suite fills a real tmpfs). Tests run as root, which writes through mode bits.
  const blocked = scratch();
  writeFileSync(join(blocked, 'generation'), '4\n');
  mkdirSync(join(blocked, 'generation.tmp'));
  const stuck = await nextGeneration(blocked, 0);
  assert.is(stuck.generation, 5);
  assert.match(stuck.problem ?? '', /generation 5 could not be stored in .*\(EISDIR\).*free the space or make/);
});

test('control socket: mode 0600, commands answered, errors answered, unknown commands named', async () => {
  const runDir = join(scratch(), 'run');
  const server = new ControlSocket(runDir, {
    status: () => ({ role: 'active' }),
    takeover: (r) => ({ forced: r.force === true }),
    broken: () => {
      throw new Error('no peer to ask');
    },
  });
  await server.start();
  try {
    assert.is(statSync(server.path).mode & 0o777, 0o600);
    assert.equal(await askAgent(runDir, { command: 'status' }), { ok: true, result: { role: 'active' } });
    assert.equal(await askAgent(runDir, { command: 'takeover', force: true }), { ok: true, result: { forced: true } });
    assert.equal(await askAgent(runDir, { command: 'broken' }), { ok: false, error: 'no peer to ask' });
    assert.equal(await askAgent(runDir, { command: 'reboot' }), { ok: false, error: 'unknown command "reboot" (known: status, takeover, broken)' });
    const garbage = await new Promise<string>((resolve) => {
      let answer = '';
      const s = createConnection(server.path, () => s.write('not json\n'));
      s.on('data', (d) => (answer += d));
      s.on('end', () => resolve(answer));
    });
    assert.is(garbage, '{"ok":false,"error":"request is not JSON"}\n');
  } finally {
    await server.stop();
  }
  const down = await askAgent(runDir, { command: 'status' });
  assert.is(down.ok, false);
  assert.match(!down.ok ? down.error : '', /cannot reach the agent on .*control\.sock: is twinbeat running\?/);
});

test('control socket: a stale socket file from a killed run does not block the start', async () => {
  const runDir = scratch();
  writeFileSync(join(runDir, 'control.sock'), '');
  const server = new ControlSocket(runDir, { status: () => 'ok' });
  await server.start();
  assert.equal(await askAgent(runDir, { command: 'status' }), { ok: true, result: 'ok' });
  await server.stop();
});

test.run();
