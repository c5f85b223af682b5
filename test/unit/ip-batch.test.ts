// The long-lived `ip -batch` of the VIPs (issue 23): answers matched to commands by iproute2's
// failure lines, and a batch that dies or hangs never stops a takeover: its commands run as a
// process each, and the log says so. A fake `ip` stands in for iproute2: in batch mode it
// fails the marker line as iproute2 does, fails `addr add` of 192.0.2.99 ("exists"), exits on
// `addr add` of 192.0.2.66 (after logging it, as if it had died half-way), hangs on `addr add`
// of 192.0.2.77; run with arguments, it logs them and succeeds.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IpBatch } from '../../src/resources/ip-batch';

function fakeIp(): { path: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), 'twinbeat-ipbatch-'));
  const log = join(dir, 'calls.log');
  const path = join(dir, 'ip');
  writeFileSync(
    path,
    `#!/bin/sh
if [ "$1" != "-force" ]; then echo "fork: $*" >> ${log}; exit 0; fi
n=0
while IFS= read -r line; do
  n=$((n + 1))
  echo "batch: $line" >> ${log}
  case "$line" in
    "link show dev twinbeat.mark") echo 'Device "twinbeat.mark" does not exist.' >&2; echo "Command failed -:$n" >&2 ;;
    *192.0.2.99*) echo 'Error: ipv4: Address already assigned.' >&2; echo "Command failed -:$n" >&2 ;;
    *192.0.2.66*) exit 1 ;;
    *192.0.2.77*) exec sleep 30 ;;
  esac
done
`,
  );
  chmodSync(path, 0o755);
  return { path, log };
}

const calls = (log: string) => readFileSync(log, 'utf8').trim().split('\n');

test('ip -batch: one process for many commands, each answered with its own result', async () => {
  const { path, log } = fakeIp();
  const warnings: string[] = [];
  const batch = new IpBatch(path, (w) => warnings.push(w));
  batch.start();
  const [a, b, c] = await Promise.all([
    batch.run(['-4', 'addr', 'add', '192.0.2.50/24', 'dev', 'eth0', 'label', 'eth0:0'], 2000),
    batch.run(['-4', 'addr', 'add', '192.0.2.99/24', 'dev', 'eth0'], 2000),
    batch.run(['addr', 'del', '192.0.2.50/24', 'dev', 'eth0'], 2000),
  ]);
  assert.equal([a!.ok, b!.ok, c!.ok], [true, false, true]);
  assert.is(b!.output, 'Error: ipv4: Address already assigned.');
  assert.equal(calls(log), [
    'batch: addr add 192.0.2.50/24 dev eth0 label eth0:0',
    'batch: link show dev twinbeat.mark',
    'batch: addr add 192.0.2.99/24 dev eth0',
    'batch: link show dev twinbeat.mark',
    'batch: addr del 192.0.2.50/24 dev eth0',
    'batch: link show dev twinbeat.mark',
  ]);
  assert.equal(warnings, []);
  batch.stop();
});

test('ip -batch: a batch that dies runs its command and the next by fork, says so, and a new batch serves later', async () => {
  const { path, log } = fakeIp();
  const warnings: string[] = [];
  const batch = new IpBatch(path, (w) => warnings.push(w));
  const died = await batch.run(['addr', 'add', '192.0.2.66/24', 'dev', 'eth0'], 2000);
  assert.ok(died.ok, 'the command the batch died on ran by fork');
  assert.ok(calls(log).includes('fork: addr add 192.0.2.66/24 dev eth0'), calls(log).join('\n'));
  assert.is(warnings.length, 1);
  assert.match(warnings[0]!, /-batch exited \(code 1\): the commands it had not answered run as processes of their own/);
  const next = await batch.run(['addr', 'add', '192.0.2.51/24', 'dev', 'eth0'], 2000);
  assert.ok(next.ok);
  assert.ok(calls(log).includes('batch: addr add 192.0.2.51/24 dev eth0'), 'a new batch was started');
  batch.stop();
});

test('ip -batch: a batch that does not answer in time is ended and the command runs by fork; after repeated losses every command forks', async () => {
  const { path, log } = fakeIp();
  const warnings: string[] = [];
  const batch = new IpBatch(path, (w) => warnings.push(w));
  const started = Date.now();
  const hung = await batch.run(['addr', 'add', '192.0.2.77/24', 'dev', 'eth0'], 300);
  assert.ok(hung.ok && Date.now() - started < 2000);
  assert.ok(calls(log).includes('fork: addr add 192.0.2.77/24 dev eth0'));
  for (let i = 0; i < 3; i++) await batch.run(['addr', 'add', '192.0.2.66/24', 'dev', 'eth0'], 2000);
  assert.match(warnings.at(-1)!, /every ip command runs as a process of its own from now on/);
  const after = await batch.run(['addr', 'add', '192.0.2.52/24', 'dev', 'eth0'], 2000);
  assert.ok(after.ok);
  assert.ok(calls(log).includes('fork: addr add 192.0.2.52/24 dev eth0'));
  assert.not.ok(batch.running);
  batch.stop();
});

test('ip -batch: options other than the family, and arguments a batch line cannot carry, go by fork', async () => {
  const { path, log } = fakeIp();
  const batch = new IpBatch(path);
  await batch.run(['-o', 'addr', 'show'], 2000);
  await batch.run(['addr', 'add', '192.0.2.53/24', 'dev', 'eth0', 'label', 'my label'], 2000);
  assert.equal(calls(log), ['fork: -o addr show', 'fork: addr add 192.0.2.53/24 dev eth0 label my label']);
  batch.stop();
});

test.run();
