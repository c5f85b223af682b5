// systemd's notify protocol: what is sent when, with a recording stand-in for systemd-notify,
// and once with the real tool against a notify socket made by socat.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSystemdNotifier, statusLine } from '../../src/report/systemd-notify';
import { skipWithReason } from '../helpers/skip';

const dir = mkdtempSync(join(tmpdir(), 'twinbeat-notify-'));
const record = join(dir, 'sent');
const fake = join(dir, 'fake-notify');
writeFileSync(fake, `#!/bin/sh\necho "$*" >> ${record}\n`);
chmodSync(fake, 0o755);
const logger = { log: () => {} };
const sent = () => (existsSync(record) ? readFileSync(record, 'utf8').trim().split('\n') : []);
const settle = () => new Promise((r) => setTimeout(r, 150));

test('without NOTIFY_SOCKET (not under systemd) nothing is sent', async () => {
  const n = createSystemdNotifier({ env: {}, logger, command: fake });
  n.ready('active');
  n.heartbeat(0);
  await settle();
  assert.is(n.enabled, false);
  assert.equal(sent(), []);
});

test('READY with the status, STATUS on change only, WATCHDOG at half its interval from heartbeats, STOPPING on SIGTERM', async () => {
  rmSync(record, { force: true });
  const n = createSystemdNotifier({ env: { NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '2000000' }, logger, command: fake });
  n.ready('standby, node-a holds 192.0.2.50');
  await settle();
  n.status('standby, node-a holds 192.0.2.50');
  n.status('active, holds 192.0.2.50');
  await settle();
  for (const t of [0, 400, 900, 1000, 1500, 2000]) n.heartbeat(t);
  await settle();
  n.stopping('stopping (SIGTERM): handing the groups to node-b');
  await settle();
  assert.equal(sent(), [
    '--ready --status=standby, node-a holds 192.0.2.50',
    '--status=active, holds 192.0.2.50',
    'WATCHDOG=1',
    'WATCHDOG=1',
    'WATCHDOG=1',
    'STOPPING=1 --status=stopping (SIGTERM): handing the groups to node-b',
  ]);
});

test('the status line names what this node holds and what the peer holds', () => {
  assert.is(statusLine('active', [{ id: '192.0.2.50', holder: 'node-a' }], 'node-a'), 'active, holds 192.0.2.50');
  assert.is(statusLine('standby', [{ id: '192.0.2.50', holder: 'node-a' }], 'node-b'), 'standby, node-a holds 192.0.2.50');
  assert.is(statusLine('waiting', [{ id: '192.0.2.50', holder: null }], 'node-b'), 'waiting');
});

const realTool = spawnSync('systemd-notify', ['--version']).status === 0 && spawnSync('socat', ['-V']).status === 0;
if (realTool) {
  test('the real systemd-notify delivers READY=1 and STATUS= to the notify socket', async () => {
    const socket = join(dir, 'notify.sock');
    const out = join(dir, 'received');
    const socat = spawn('sh', ['-c', `exec socat -u UNIX-RECV:${socket} STDOUT > ${out}`]);
    try {
      for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 10));
      createSystemdNotifier({ env: { NOTIFY_SOCKET: socket }, logger }).ready('active, holds 192.0.2.50');
      let text = '';
      for (let i = 0; i < 200 && !text.includes('STATUS='); i++) {
        await new Promise((r) => setTimeout(r, 10));
        text = existsSync(out) ? readFileSync(out, 'utf8') : '';
      }
      assert.match(text, /READY=1\nSTATUS=active, holds 192\.0\.2\.50/);
    } finally {
      socat.kill('SIGKILL');
    }
  });
} else {
  skipWithReason(test, 'systemd-notify: the real tool against a socat notify socket needs systemd-notify and socat (apt-get install systemd socat)');
}

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
