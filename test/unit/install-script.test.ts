// firmware-scripts/install.sh in a scratch root: installs, is idempotent, never overwrites the
// user's files, makes authkeys 0600 with a random sha256 key, and --uninstall removes only what
// it installed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const work = mkdtempSync(join(tmpdir(), 'twinbeat-install-'));
const src = join(work, 'twinbeat-0.1.0');
const root = join(work, 'root');
mkdirSync(src);
for (const f of ['install.sh', 'twinbeat.service', '99-twinbeat-serial.rules', 'logrotate.twinbeat']) cpSync(join('firmware-scripts', f), join(src, f));
cpSync('firmware-scripts/example', join(src, 'example'), { recursive: true });
writeFileSync(join(src, 'twinbeat.js'), '// the bundle\n');
cpSync('README.md', join(src, 'README.md'));
cpSync('docs', join(src, 'docs'), { recursive: true });
mkdirSync(root);
const install = (...args: string[]) => execFileSync('sh', [join(src, 'install.sh'), '--prefix', root, ...args], { encoding: 'utf8' });

test('installs the bundle, the unit, the rules and a configuration with a random key', () => {
  const out = install();
  for (const f of ['opt/twinbeat/twinbeat.js', 'etc/systemd/system/twinbeat.service', 'etc/udev/rules.d/99-twinbeat-serial.rules', 'etc/logrotate.d/twinbeat', 'etc/ha.d/ha.cf', 'etc/ha.d/haresources']) {
    assert.ok(existsSync(join(root, f)), f);
  }
  const keys = join(root, 'etc/ha.d/authkeys');
  assert.is(statSync(keys).mode & 0o777, 0o600);
  assert.match(readFileSync(keys, 'utf8'), /^auth 1\n1 sha256 [0-9a-f]{64}\n$/);
  assert.match(out, /Next:/);
  // The unit's Documentation= and the README's links reach installed files.
  const unit = readFileSync(join(root, 'etc/systemd/system/twinbeat.service'), 'utf8');
  const documented = /^Documentation=file:\/\/(\S+)$/m.exec(unit)?.[1];
  assert.ok(documented && existsSync(join(root, documented)), `Documentation=${documented} is installed`);
  const readme = readFileSync(join(root, 'opt/twinbeat/README.md'), 'utf8');
  for (const [, link] of readme.matchAll(/\]\((docs\/[^)#]+)/g)) assert.ok(existsSync(join(root, 'opt/twinbeat', link!)), link);
});

test('again: idempotent, and the user\'s files stay as they are', () => {
  const hacf = join(root, 'etc/ha.d/ha.cf');
  writeFileSync(hacf, 'keepalive 2\n# mine\n');
  const key = readFileSync(join(root, 'etc/ha.d/authkeys'), 'utf8');
  const out = install();
  assert.is(readFileSync(hacf, 'utf8'), 'keepalive 2\n# mine\n');
  assert.is(readFileSync(join(root, 'etc/ha.d/authkeys'), 'utf8'), key);
  assert.not.match(out, /created/);
});

test('--uninstall removes what it installed and keeps /etc/ha.d', () => {
  writeFileSync(join(root, 'etc/systemd/system/other.service'), '[Unit]\n');
  install('--uninstall');
  assert.not.ok(existsSync(join(root, 'opt/twinbeat')));
  assert.not.ok(existsSync(join(root, 'etc/systemd/system/twinbeat.service')));
  assert.not.ok(existsSync(join(root, 'etc/udev/rules.d/99-twinbeat-serial.rules')));
  assert.ok(existsSync(join(root, 'etc/systemd/system/other.service')), 'nothing else');
  assert.ok(existsSync(join(root, 'etc/ha.d/ha.cf')) && existsSync(join(root, 'etc/ha.d/authkeys')), 'the configuration is kept');
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
