// Issue 18 on a running agent (the real `twinbeat run`, one node on loopback, its peer never
// heard): SIGHUP with each hostile file keeps the running configuration, answers `status` at
// once, leaves memory bounded and never prints a key or a raw control byte; SIGTERM still ends
// it after a FIFO was met. And check-config exits 2 at once on the same files; `run` refuses a
// run directory another user owns before anything starts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { askAgent } from '../../src/control/client';
import { skipWithReason } from '../helpers/skip';
import { freeUdpPort } from '../helpers/udp-port';

const BUNDLE = 'build/twinbeat.js';
/** The built agent when there is one (CI builds first), else the source through tsx. */
const ENTRY = existsSync(BUNDLE) ? [BUNDLE] : ['--import', 'tsx', 'src/cli.ts'];
const SECRET = 'Hunter2SecretValue';
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

const goodHaCf = (port: number) => `keepalive 100ms\ndeadtime 1\ninitdead 2\nudpport ${port}\nucast lo 127.0.0.2\nauto_failback on\nnode alpha beta\n`;
const GOOD_HARESOURCES = '# no groups: the agent only watches its peer\n';
const GOOD_AUTHKEYS = 'auth 1\n1 sha256 e2e-hostile-key\n';

interface Files {
  dir: string;
  good: () => void;
}

function configDir(port: number): Files {
  const dir = mkdtempSync(join(tmpdir(), 'twinbeat-hostile-'));
  const good = () => {
    for (const name of ['ha.cf', 'haresources', 'authkeys']) rmSync(join(dir, name), { force: true });
    writeFileSync(join(dir, 'ha.cf'), goodHaCf(port));
    writeFileSync(join(dir, 'haresources'), GOOD_HARESOURCES);
    writeFileSync(join(dir, 'authkeys'), GOOD_AUTHKEYS, { mode: 0o600 });
    chmodSync(join(dir, 'authkeys'), 0o600);
  };
  good();
  return { dir, good };
}

/** Each hostile file the issue met, as a change to a good directory. */
const HOSTILE: [string, (dir: string) => void][] = [
  ['ha.cf is a FIFO', (d) => (rmSync(join(d, 'ha.cf')), execFileSync('mkfifo', [join(d, 'ha.cf')]))],
  ['ha.cf links to /dev/zero', (d) => (rmSync(join(d, 'ha.cf')), symlinkSync('/dev/zero', join(d, 'ha.cf')))],
  ['haresources links to /dev/urandom', (d) => (rmSync(join(d, 'haresources')), symlinkSync('/dev/urandom', join(d, 'haresources')))],
  ['ha.cf of 50 MB', (d) => writeFileSync(join(d, 'ha.cf'), 'keepalive 2\n'.repeat((50 * 1024 * 1024) / 12))],
  ['keepalive 3000000', (d) => writeFileSync(join(d, 'ha.cf'), readFileSync(join(d, 'ha.cf'), 'utf8').replace('keepalive 100ms', 'keepalive 3000000'))],
  ['deadtime 99999999999999999999', (d) => writeFileSync(join(d, 'ha.cf'), readFileSync(join(d, 'ha.cf'), 'utf8').replace('deadtime 1', 'deadtime 99999999999999999999'))],
  ['authkeys at mode 1600', (d) => chmodSync(join(d, 'authkeys'), 0o1600)],
  ['a node name with a NUL', (d) => writeFileSync(join(d, 'ha.cf'), readFileSync(join(d, 'ha.cf'), 'utf8').replace('node alpha beta', 'node alpha be\u0000ta'))],
  ['a key in a malformed authkeys line', (d) => writeFileSync(join(d, 'authkeys'), `auth 1\n17 sha256 ${SECRET}\n1 ${SECRET}\n`)],
  ['64 KB of random bytes as authkeys', (d) => writeFileSync(join(d, 'authkeys'), randomBytes(64 * 1024), { mode: 0o600 })],
  ['".." as a resource', (d) => writeFileSync(join(d, 'haresources'), 'alpha 192.0.2.5 ..\n')],
  ...(process.geteuid?.() === 0 ? [['authkeys owned by another user', (d: string) => chownSync(join(d, 'authkeys'), 1000, 1000)] as [string, (dir: string) => void]] : []),
];

function startAgent(files: Files): { child: ChildProcess; lines: string[]; runDir: string } {
  const scratch = mkdtempSync(join(tmpdir(), 'twinbeat-hostile-run-'));
  const runDir = join(scratch, 'run');
  const child = spawn(process.execPath, [...ENTRY, 'run', '--config-dir', files.dir, '--node', 'alpha', '--state-dir', join(scratch, 'state'), '--run-dir', runDir, '--init-dir', join(scratch, 'init.d')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let partial = '';
  const take = (chunk: Buffer) => {
    partial += chunk.toString('utf8');
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  return { child, lines, runDir };
}

async function waitForLine(lines: string[], pattern: RegExp, from: number, limitMs: number): Promise<string> {
  const until = Date.now() + limitMs;
  for (;;) {
    const found = lines.slice(from).find((l) => pattern.test(l));
    if (found) return found;
    if (Date.now() > until) throw new Error(`no line matching ${pattern} within ${limitMs} ms; got:\n${lines.slice(from).join('\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

if (process.geteuid?.() !== 0) {
  skipWithReason(test, 'hostile files on a running agent: needs root (the agent binds its UDP path to lo)');
} else {
  test('SIGHUP with each hostile file: the running configuration stays, status answers, memory stays bounded', async () => {
    const files = configDir(await freeUdpPort());
    const { child, lines, runDir } = startAgent(files);
    try {
      await waitForLine(lines, /Configuration validated\. Starting twinbeat/, 0, 15_000);
      // The socket comes up after the configuration is read: ask until it answers (bounded).
      let first = await askAgent(runDir, { command: 'status' });
      for (let tries = 0; !first.ok && tries < 50; tries++) {
        await new Promise((r) => setTimeout(r, 100));
        first = await askAgent(runDir, { command: 'status' });
      }
      assert.ok(first.ok, JSON.stringify(first));
      const startRss = rssMb(child.pid!);
      for (const [what, make] of HOSTILE) {
        files.good();
        make(files.dir);
        const from = lines.length;
        const sent = Date.now();
        child.kill('SIGHUP');
        await waitForLine(lines, /SIGHUP: the new configuration is not valid; keeping the running one/, from, 3000);
        const reloadMs = Date.now() - sent;
        const asked = Date.now();
        const status = await askAgent(runDir, { command: 'status' }, 2000);
        const answerMs = Date.now() - asked;
        assert.ok(status.ok, `${what}: ${JSON.stringify(status)}`);
        assert.is((status.ok ? (status.result as { node?: string }).node : undefined), 'alpha', what);
        assert.ok(reloadMs < 1000, `${what}: the reload took ${reloadMs} ms`);
        assert.ok(answerMs < 1000, `${what}: status took ${answerMs} ms`);
        const said = lines.slice(from);
        assert.not.ok(said.some((l) => l.includes(SECRET)), `${what}: a key in the log:\n${said.join('\n')}`);
        assert.not.ok(said.some((l) => RAW_CONTROL.test(l)), `${what}: a raw control byte in the log`);
        const rss = rssMb(child.pid!);
        assert.ok(rss < startRss + 64, `${what}: RSS ${rss.toFixed(0)} MB, it was ${startRss.toFixed(0)} MB`);
        console.log(`SIGHUP with ${what}: refused in ${reloadMs} ms, status in ${answerMs} ms, RSS ${rss.toFixed(0)} MB`);
      }
      files.good();
      const from = lines.length;
      child.kill('SIGHUP');
      await waitForLine(lines, /SIGHUP: nothing changed/, from, 3000);
      // The FIFO case hung the process for good before: SIGTERM must still end it.
      const stopped = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      const code = await Promise.race([stopped, new Promise<string>((r) => setTimeout(() => r('still running'), 10_000))]);
      assert.is(code, 0, `exit: ${String(code)}\n${lines.slice(-20).join('\n')}`);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  test('check-config exits 2 at once on each hostile file', () => {
    for (const [what, make] of HOSTILE) {
      const files = configDir(694);
      make(files.dir);
      const started = Date.now();
      const r = spawnSync(process.execPath, [...ENTRY, 'check-config', '--config-dir', files.dir, '--node', 'alpha'], { encoding: 'utf8', timeout: 10_000 });
      const ms = Date.now() - started;
      assert.is(r.status, 2, `${what}: ${r.stderr}`);
      assert.not.ok(r.stderr.includes(SECRET) || RAW_CONTROL.test(r.stderr), `${what}: ${JSON.stringify(r.stderr.slice(0, 500))}`);
      assert.not.ok(/\n\s+at /.test(r.stderr), `${what}: a stack trace:\n${r.stderr}`);
      // Node's own start-up is most of it; the bundle starts in a fraction of a second.
      assert.ok(ms < (ENTRY[0] === BUNDLE ? 1500 : 5000), `${what}: ${ms} ms`);
    }
  });

  test('run refuses a run directory another user owns, before anything starts', async () => {
    const files = configDir(await freeUdpPort());
    const scratch = mkdtempSync(join(tmpdir(), 'twinbeat-hostile-run-'));
    const runDir = join(scratch, 'run');
    mkdirSync(runDir, { mode: 0o700 });
    chownSync(runDir, 1000, 1000);
    const r = spawnSync(process.execPath, [...ENTRY, 'run', '--config-dir', files.dir, '--node', 'alpha', '--state-dir', join(scratch, 'state'), '--run-dir', runDir], { encoding: 'utf8', timeout: 10_000 });
    assert.is(r.status, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`twinbeat: not starting: run directory ${runDir} is owned by uid 1000, not by uid 0 that twinbeat runs as`));
    assert.not.ok(existsSync(join(scratch, 'state')), 'nothing was started: no generation written');
  });
}

test.run();
