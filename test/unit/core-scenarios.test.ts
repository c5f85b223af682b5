// Runs every test/scenarios/*.txt script against the core and compares its effects, event by
// event, with the ones the script lists. One uvu test per script, named after the file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScript } from '../sim/script';

const dir = fileURLToPath(new URL('../scenarios/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();

test('there are scenario scripts', () => {
  assert.ok(files.length >= 20);
});

for (const file of files) {
  const text = readFileSync(join(dir, file), 'utf8');
  const title = text.split('\n')[0]!.replace(/^#\s*/, '');
  test(`${file}: ${title}`, () => {
    for (const s of runScript(text)) {
      assert.equal(s.actual, s.expected, `${file}:${s.line}: ${s.text}`);
    }
  });
}

test.run();
