// src/core must stay pure: no clock, timer or randomness in its text, and no dynamic import.
// What it may import (nothing but types from src/config/types) is in the one import rule,
// test/unit/import-rule.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const coreDir = fileURLToPath(new URL('../../src/core/', import.meta.url));
const files = readdirSync(coreDir).filter((f) => f.endsWith('.ts'));

test('src/core has files', () => {
  assert.ok(files.includes('index.ts') && files.includes('step.ts'));
});

for (const file of files) {
  const text = readFileSync(join(coreDir, file), 'utf8');
  test(`${file} loads nothing at run time`, () => {
    assert.not.match(text, /\brequire\(|\bimport\(/, `${file}: dynamic import`);
  });
  test(`${file} reads no clock, sets no timer, draws no random number`, () => {
    const code = text.replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
    for (const word of ['Date', 'performance', 'setTimeout', 'setInterval', 'setImmediate', 'Math.random', 'process', 'crypto']) {
      assert.not.ok(new RegExp(`\\b${word.replace('.', '\\.')}\\b`).test(code), `${file} uses ${word}`);
    }
  });
}

test.run();
