// src/core must stay pure: no node: modules, no packages, nothing outside src/core except
// `import type` from src/config/types; and no clock, timer or randomness in its text.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const coreDir = fileURLToPath(new URL('../../src/core/', import.meta.url));
const files = readdirSync(coreDir).filter((f) => f.endsWith('.ts'));
const importRe = /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]/gm;

test('src/core has files', () => {
  assert.ok(files.includes('index.ts') && files.includes('step.ts'));
});

for (const file of files) {
  const text = readFileSync(join(coreDir, file), 'utf8');
  test(`${file} imports only src/core, or types from src/config/types`, () => {
    for (const m of text.matchAll(importRe)) {
      const isType = Boolean(m[2]);
      const from = m[3]!;
      if (from.startsWith('./')) continue;
      assert.ok(isType && from === '../config/types', `${file}: forbidden import '${from}'${isType ? ' (type)' : ''}`);
    }
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
