import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadAuthkeys } from '../../src/config';
import { check, makeConfigDir } from '../helpers/config-dir';

test('auth N selects the key to send with; every listed key is kept for receiving', async () => {
  const { config, errors } = await check({ authkeys: 'auth 2\n1 md5 oldkey\n2 sha256 newkey # rotated\n3 sha1 other\n' });
  assert.equal(errors, []);
  assert.is(config?.auth.sendIndex, 2);
  assert.equal(config?.auth.keys.map((k) => [k.index, k.method, k.secret]), [[1, 'md5', 'oldkey'], [2, 'sha256', 'newkey'], [3, 'sha1', 'other']]);
});

test('crc is accepted with a warning that it authenticates nothing', async () => {
  const { config, warnings } = await check({ authkeys: 'auth 1\n1 crc\n' });
  assert.is(config?.auth.keys[0]?.method, 'crc');
  assert.equal(warnings, ['authkeys:2: warning: key 1: crc authenticates nothing (anyone on the path can forge heartbeats); use "1 sha256 SECRET"']);
});

test('mode must be exactly 0600, as Heartbeat demands', async () => {
  for (const mode of [0o644, 0o640, 0o400, 0o660]) {
    const { errors, config } = await check({ authkeysMode: mode });
    assert.is(config, undefined);
    assert.is(errors.length, 1);
    assert.match(errors[0] ?? '', new RegExp(`^authkeys: mode is 0${mode.toString(8)}, it must be 600 \\(read and write for root only\\): chmod 600 /.*/authkeys$`));
  }
});

test('errors name the line and what is right', async () => {
  const cases: [string, string][] = [
    ['1 sha256 k\n', 'authkeys: no "auth N" line: name the key to send with, e.g. "auth 1"'],
    ['auth 2\n1 sha256 k\n', 'authkeys:1: auth 2 selects key 2, which is not defined (defined: 1)'],
    ['auth one\n1 sha256 k\n', 'authkeys:1: expected "auth N" with N from 0 to 15, the key to send with'],
    ['auth 1\nauth 1\n1 sha256 k\n', 'authkeys:2: auth is already given at line 1'],
    ['auth 1\n1 rot13 k\n', 'authkeys:2: key 1: the second word is not a method; expected "1 METHOD KEY" with METHOD one of crc, md5, sha1, sha256 (sha256 recommended)'],
    ['auth 1\n1 md5\n', 'authkeys:2: key 1: md5 needs a secret: "1 md5 SECRET"'],
    ['auth 1\n1 sha1 two words\n', 'authkeys:2: key 1: the secret must be one word without spaces'],
    ['auth 1\n1 sha256 a\n1 sha256 b\n', 'authkeys:3: key 1 is defined twice'],
    ['auth 1\n16 sha256 a\n1 sha256 b\n', 'authkeys:2: expected "N METHOD KEY" (N from 0 to 15) or "auth N", found "16 sha256 <key hidden>"'],
  ];
  for (const [authkeys, expected] of cases) {
    const r = await check({ authkeys });
    assert.equal(r.errors, [expected], authkeys);
  }
});

test('loadAuthkeys reads only authkeys (for twinbeat decode)', async () => {
  const dir = makeConfigDir({ 'ha.cf': 'this is not read\n', authkeys: 'auth 1\n1 md5 labkey\n' });
  const { auth, diagnostics } = await loadAuthkeys(dir);
  assert.equal(diagnostics, []);
  assert.equal(auth?.keys.map((k) => [k.index, k.method, k.secret]), [[1, 'md5', 'labkey']]);
});

test.run();
