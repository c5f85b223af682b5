// src/wire (frames) and src/links (bytes on paths) know nothing of each other: a link takes a
// FrameSplitter by its shape, and the agent joins the two. Neither reaches into the agent.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const importRe = /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]/gm;

for (const [dir, other] of [['wire', 'links'], ['links', 'wire']] as const) {
  const root = fileURLToPath(new URL(`../../src/${dir}/`, import.meta.url));
  for (const file of readdirSync(root).filter((f) => f.endsWith('.ts'))) {
    test(`src/${dir}/${file} imports nothing from src/${other}, src/agent or src/core`, () => {
      const text = readFileSync(join(root, file), 'utf8');
      for (const m of text.matchAll(importRe)) {
        const from = m[3]!;
        assert.not.match(from, new RegExp(`^\\.\\./(${other}|agent|core)\\b`), `${file}: imports ${from}`);
        if (from.startsWith('../')) assert.ok(m[2] && from === '../config/types', `${file}: only types from ../config/types, not ${from}`);
      }
    });
  }
}

test.run();
