// The agent's small parts: Heartbeat-style log lines, the generation store, the control socket.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { createLogger, formatLogLine } from '../../src/log';
import { nextGeneration } from '../../src/generation';
import { ControlSocket } from '../../src/report/control-socket';
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
  assert.is(second, first + 1);
  assert.ok(first >= Math.floor(Date.now() / 1000) - 5, 'starts at least at the wall-clock seconds');
  assert.is(statSync(join(dir, 'generation')).mode & 0o777, 0o600);
  writeFileSync(join(dir, 'generation'), `${second + 1000}\n`);
  assert.is(await nextGeneration(dir), second + 1001);
});

test('a corrupt generation file is an error, not a silent reset', async () => {
  const dir = scratch();
  writeFileSync(join(dir, 'generation'), 'garbage');
  try {
    await nextGeneration(dir);
    assert.unreachable('should have thrown');
  } catch (err) {
    assert.match((err as Error).message, /does not hold a number/);
  }
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
