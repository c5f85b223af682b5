// `twinbeat fence NODE`: asks before shooting, goes through the agent, follows the reset to its result.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlSocket } from '../../src/control/server';

const runDir = mkdtempSync(join(tmpdir(), 'twinbeat-fence-cmd-'));
const requests: unknown[] = [];
let decision = { text: 'Resetting node2', reason: 'operator request (twinbeat fence)', at: '', code: 'reset-by-operator' };
const socket = new ControlSocket(runDir, {
  fence: (request) => {
    requests.push(request);
    setTimeout(() => (decision = { text: 'Reset of node2 succeeded', reason: 'taking over its groups', at: '', code: 'reset-succeeded' }), 300);
    return { said: 'Resetting node2: operator request (twinbeat fence)', resetting: true };
  },
  status: () => ({ lastDecision: decision }),
});

function cli(...args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'fence', ...args, '--run-dir', runDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
}

test.before(async () => {
  await socket.start();
});
test.after(async () => {
  await socket.stop();
  rmSync(runDir, { recursive: true, force: true });
});

test('without --yes and without a terminal: nothing is reset', async () => {
  const r = await cli('node2');
  assert.is(r.code, 1);
  assert.match(r.out, /not resetting node2 \(not a terminal: add --yes to confirm\)/);
  assert.equal(requests, []);
});

test('with --yes: the agent is asked, and the command follows the reset to its result', async () => {
  const r = await cli('Node2', '--yes');
  assert.is(r.code, 0, r.out);
  assert.equal(requests, [{ command: 'fence', node: 'node2' }]);
  assert.match(r.out, /Resetting node2: operator request \(twinbeat fence\)\nReset of node2 succeeded: taking over its groups/);
});

test.run();
