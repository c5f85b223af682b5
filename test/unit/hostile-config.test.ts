// Issue 18, the configuration reader against hostile files: each case the issue reproduced
// (numbered as there) gives a clear file:line error, fast and with bounded memory, and never
// prints a key or a raw control byte.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { formatDiagnostic, loadConfig } from '../../src/config';
import { coreConfigFrom } from '../../src/core';
import { BASE_HA_CF, check, fakeMachine, makeConfigDir, withLine } from '../helpers/config-dir';

/** Loads `dir` as check-config would, timing it; lines without the directory. */
async function load(dir: string, node = 'alpha') {
  const started = performance.now();
  const result = await loadConfig(dir, { node, machine: fakeMachine() });
  const ms = performance.now() - started;
  const lines = result.diagnostics.map((d) => formatDiagnostic(d).replaceAll(`${dir}/`, ''));
  return { config: result.config, lines, errors: lines.filter((l) => !l.includes(': warning: ')), ms };
}

/** No C0/C1 control character, DEL or bidirectional override in what would reach a terminal. */
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function replaceWith(dir: string, name: string, make: (path: string) => void): void {
  rmSync(join(dir, name), { force: true });
  make(join(dir, name));
}

test('1. a FIFO as ha.cf, haresources or authkeys is refused at once, not read', async () => {
  for (const name of ['ha.cf', 'haresources', 'authkeys']) {
    const dir = makeConfigDir();
    replaceWith(dir, name, (path) => execFileSync('mkfifo', [path]));
    const { config, errors, ms } = await load(dir);
    assert.is(config, undefined);
    assert.ok(errors.some((e) => e.startsWith(`${name}: is a FIFO (named pipe), not a regular file: it must be a plain file;`)), errors.join('\n'));
    assert.ok(ms < 1000, `${name}: ${ms} ms`);
  }
});

test('1. a directory, a device or a socket-like path is refused, with what it is', async () => {
  const dir = makeConfigDir();
  replaceWith(dir, 'haresources', (path) => symlinkSync('/dev/null', path));
  replaceWith(dir, 'ha.cf', (path) => symlinkSync('/tmp', path));
  const { errors } = await load(dir);
  assert.ok(errors.some((e) => e.startsWith('haresources: is a character device, not a regular file')), errors.join('\n'));
  assert.ok(errors.some((e) => e.startsWith('ha.cf: is a directory, not a regular file')), errors.join('\n'));
});

test('2. reads are bounded: /dev/zero, /dev/urandom, a 50 MB file, 1 MiB and one byte', async () => {
  const rssBefore = process.memoryUsage().rss;
  const dir = makeConfigDir();
  replaceWith(dir, 'ha.cf', (path) => symlinkSync('/dev/zero', path));
  replaceWith(dir, 'haresources', (path) => symlinkSync('/dev/urandom', path));
  let r = await load(dir);
  assert.ok(r.errors.some((e) => e.startsWith('ha.cf: is a character device')), r.errors.join('\n'));
  assert.ok(r.errors.some((e) => e.startsWith('haresources: is a character device')), r.errors.join('\n'));
  assert.ok(r.ms < 1000, `${r.ms} ms`);

  const big = makeConfigDir();
  writeFileSync(join(big, 'ha.cf'), 'keepalive 2\n'.repeat(50 * 1024 * 1024 / 12));
  r = await load(big);
  assert.ok(r.errors.some((e) => e === 'ha.cf: is larger than 1048576 bytes (1024 KiB), far more than any configuration: is it the right file?; it names the nodes, the heartbeat paths and the timings'), r.errors.join('\n'));
  assert.ok(r.ms < 1000, `${r.ms} ms`);

  const edge = makeConfigDir();
  truncateSync(join(edge, 'haresources'), 1024 * 1024 + 1);
  r = await load(edge);
  assert.ok(r.errors.some((e) => e.startsWith('haresources: is larger than 1048576 bytes')), r.errors.join('\n'));
  // At the limit the file is read (and its NUL bytes refused line by line, not as a whole).
  truncateSync(join(edge, 'haresources'), 1024 * 1024);
  r = await load(edge);
  assert.not.ok(r.errors.some((e) => e.includes('larger than')), r.errors.join('\n'));
  // Just under the limit, one line repeated: a hundred messages and a count, not 87,000 lines.
  const repeated = makeConfigDir({ 'ha.cf': `${BASE_HA_CF}${'keepalive 2\n'.repeat((1024 * 1024 - 200) / 12)}` });
  r = await load(repeated);
  assert.is(r.lines.length, 101);
  assert.match(r.lines[100] ?? '', /^ha\.cf:110: warning: 87264 more problems \(0 errors\) from here on, not shown: mend the ones above first$/);
  // 87,000 lines are real work (about 0.4 s alone, check-config included); the bound leaves room
  // for a loaded CI machine and still catches a read or a message list without a limit.
  assert.ok(r.ms < 3000, `${r.ms} ms`);
  const grown = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;
  assert.ok(grown < 100, `RSS grew ${grown.toFixed(0)} MB`);
});

test('3. times over a day are refused with file:line; a day is the most, and every derived timer fits Node', async () => {
  let r = await check(withLine('deadtime 99999999999999999999'));
  assert.equal(r.errors, ['ha.cf:10: deadtime 99999999999999999999: expected a duration of at most a day (86400 seconds)']);
  r = await check(withLine('keepalive 3000000'));
  assert.equal(r.errors, ['ha.cf:10: keepalive 3000000: expected a duration of at most a day (86400 seconds)']);
  r = await check(withLine('fence_delay 86400001ms'));
  assert.equal(r.errors, ['ha.cf:10: fence_delay 86400001ms: expected a duration of at most a day (86400 seconds)']);
  r = await check({ 'ha.cf': BASE_HA_CF.replace('keepalive 1', 'keepalive 43199').replace('deadtime 10', 'deadtime 86400') + 'monitor_interval 86400\nmonitor_timeout 86400\ndeadping 86400\n' });
  assert.equal(r.errors, []);
  const core = coreConfigFrom(r.config!) as unknown as Record<string, unknown>;
  const times = Object.entries({ ...r.config!.timing, ...core }).filter(([k, v]) => k.endsWith('Ms') && typeof v === 'number');
  assert.ok(times.length > 6, 'timings found');
  for (const [key, value] of times) assert.ok((value as number) <= 2 ** 31 - 1, `${key} = ${String(value)} is beyond Node's timer range`);
});

test('4. authkeys: another owner, mode 1600, both; each rule named', async () => {
  const dir = makeConfigDir();
  const keys = join(dir, 'authkeys');
  chmodSync(keys, 0o1600);
  let r = await load(dir);
  assert.equal(r.errors, [`authkeys: mode is 1600, it must be 600 (read and write for root only): chmod 600 authkeys`]);
  if (process.geteuid?.() === 0) {
    chownSync(keys, 1000, 1000);
    r = await load(dir);
    assert.equal(r.errors, [
      `authkeys: owned by uid 1000, it must be owned by root (the user twinbeat runs as), or another user could change it: chown 0 authkeys`,
      `authkeys: mode is 1600, it must be 600 (read and write for root only): chmod 600 authkeys`,
    ]);
    chmodSync(keys, 0o600);
    r = await load(dir);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0] ?? '', /^authkeys: owned by uid 1000/);
  }
  for (const mode of [0o2600, 0o4600, 0o700, 0o400]) {
    chmodSync(keys, mode);
    r = await load(dir);
    assert.ok(r.errors.some((e) => e.includes(`mode is ${mode.toString(8).padStart(4, '0')}, it must be 600`)), r.errors.join('\n'));
  }
});

test('4. the MQTT password file: regular, twinbeat\'s user, exactly 0600', async () => {
  const dir = makeConfigDir({ 'ha.cf': `${BASE_HA_CF}mqtt_broker mqtts://broker.example\nmqtt_username gw\nmqtt_password_file pw\n` });
  writeFileSync(join(dir, 'pw'), 'secret\n');
  chmodSync(join(dir, 'pw'), 0o1600);
  let r = await load(dir);
  assert.equal(r.errors, [`ha.cf:12: mqtt_password_file pw: mode is 1600, it must be 600 (read and write for root only): chmod 600 pw`]);
  rmSync(join(dir, 'pw'));
  execFileSync('mkfifo', [join(dir, 'pw')]);
  r = await load(dir);
  assert.equal(r.errors, [`ha.cf:12: mqtt_password_file pw: pw is a FIFO (named pipe), not a regular file: it should hold the broker password on one line, owned by root, mode 600`]);
  if (process.geteuid?.() === 0) {
    rmSync(join(dir, 'pw'));
    writeFileSync(join(dir, 'pw'), 'secret\n', { mode: 0o600 });
    chownSync(join(dir, 'pw'), 1000, 1000);
    r = await load(dir);
    assert.equal(r.errors, [`ha.cf:12: mqtt_password_file pw: owned by uid 1000, it must be owned by root (the user twinbeat runs as), or another user could change it: chown 0 pw`]);
  }
  const { readPasswordFile } = await import('../../src/mqtt/options');
  rmSync(join(dir, 'pw'));
  symlinkSync('/dev/zero', join(dir, 'pw'));
  await readPasswordFile(join(dir, 'pw')).then(
    () => assert.unreachable('a device is no password file'),
    (err: Error) => assert.match(err.message, /is a character device, not a regular file/),
  );
});

test('5. names: NUL, bytes that are not UTF-8, slashes, "." and ".." are refused and shown escaped', async () => {
  let r = await check({ 'ha.cf': BASE_HA_CF.replace('node beta', 'node be\u0000ta') });
  assert.equal(r.errors.filter((e) => e.startsWith('ha.cf:9')), ['ha.cf:9: the line holds a control character (\\x00): configuration files are plain text; remove it']);
  const dir = makeConfigDir();
  writeFileSync(join(dir, 'ha.cf'), Buffer.concat([Buffer.from(BASE_HA_CF.replace('node beta\n', 'node be')), Buffer.from([0xff, 0xfe]), Buffer.from('ta\n')]));
  const bytes = await load(dir);
  assert.ok(bytes.errors.includes('ha.cf:9: the line holds bytes that are not UTF-8 text (or a U+FFFD): write the value in plain UTF-8'), bytes.errors.join('\n'));
  const refused: [string, RegExp][] = [
    ['node a/b', /^ha\.cf:10: node "a\/b" is not a node name: expected a host name/],
    ['node -x', /^ha\.cf:10: node "-x" is not a node name/],
    ['bcast ..', /^ha\.cf:10: bcast: "\.\." is not an interface name/],
    ['ucast . 198.51.100.2', /^ha\.cf:10: ucast: "\." is not an interface name/],
    ['track_interface ..', /^ha\.cf:10: track_interface: "\.\." is not an interface name/],
    ['stonith_host a/b manual target=beta', /^ha\.cf:10: stonith_host: "a\/b" is not a node name/],
    ['stonith_host * manual target=../x', /^ha\.cf:10: stonith_host manual: target "\.\.\/x" is not a node name/],
    ['ping_group a/b 192.0.2.254', /^ha\.cf:10: ping_group: "a\/b" is not a group name/],
  ];
  for (const [line, expected] of refused) {
    r = await check(withLine(line));
    assert.ok(r.errors.some((e) => expected.test(e)), `${line}: ${r.errors.join('\n')}`);
  }
  r = await check(withLine(`node ${'n'.repeat(10_000)}`));
  assert.ok(r.errors.every((e) => e.length < 400), r.errors.map((e) => e.length).join(' '));
  assert.ok(r.errors.some((e) => e.includes('...(9936 more characters)')), r.errors.join('\n'));
  const bad = await load(makeConfigDir(), 'al\u001b[2Jpha');
  assert.equal(bad.errors.length, 1);
  assert.match(bad.errors[0] ?? '', /this node's name "al\\x1b\[2jpha" \(--node\) is not a host name/);
  assert.is(bad.config, undefined);
});

test('7. a key is never printed, whatever the line looks like', async () => {
  const secret = 'Hunter2SecretValue';
  const lines = [`17 sha256 ${secret}`, `1 ${secret}`, secret, `${secret} sha256 x`, `auth ${secret}`, `1 sha256 ${secret} more`, `1 sha256 ${secret}\u0000`];
  for (const line of lines) {
    const r = await check({ authkeys: `auth 1\n${line}\n` });
    assert.ok(r.errors.length > 0, line);
    assert.not.ok(r.lines.some((l) => l.includes(secret) || l.includes('Hunter2')), `${line}: ${r.lines.join('\n')}`);
  }
  const r = await check({ authkeys: `auth 1\n17 sha256 ${secret}\n1 sha256 k\n` });
  assert.equal(r.errors, ['authkeys:2: expected "N METHOD KEY" (N from 0 to 15) or "auth N", found "17 sha256 <key hidden>"']);
});

test('8. random bytes as any file: no control byte reaches the messages raw', async () => {
  for (const name of ['authkeys', 'ha.cf', 'haresources']) {
    for (let round = 0; round < 5; round++) {
      const dir = makeConfigDir();
      writeFileSync(join(dir, name), randomBytes(64 * 1024));
      const r = await load(dir);
      assert.ok(r.errors.length > 0, name);
      for (const line of r.lines) assert.not.ok(RAW_CONTROL.test(line), `${name}: ${JSON.stringify(line)}`);
    }
  }
});

test('9. a resource is a plain script name: "..", ".", paths refused', async () => {
  for (const word of ['..', '.', '../bin/sh', '/bin/sh', 'a/b', '..::start']) {
    const r = await check({ haresources: `alpha 192.0.2.5 ${word}\n` });
    assert.ok(r.errors.some((e) => e.startsWith('haresources:1: resource ') && e.includes('is not a script name')), `${word}: ${r.errors.join('\n')}`);
  }
  const fine = await check({ haresources: 'alpha 192.0.2.5 httpd .hidden-but-plain apache2::/etc/apache2/x.conf\n' });
  assert.equal(fine.errors, []);
});

test.run();
