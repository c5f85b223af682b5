// The README is the guide and docs/ holds the depth (issue 21): every relative link in README.md
// and docs/*.md must reach a file that exists and, with a #fragment, a heading of that file (as
// GitHub makes anchors of headings); every docs/*.md must be linked from the README; and the
// README stays short enough to read in ten minutes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const docs = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => join(root, 'docs', f));
const pages = [join(root, 'README.md'), ...docs];

/** The text outside fenced code blocks, line by line (a link in a code block is not a link). */
function prose(text: string): string[] {
  let fenced = false;
  return text.split('\n').map((line) => {
    if (line.startsWith('```')) fenced = !fenced;
    return fenced || line.startsWith('```') ? '' : line;
  });
}

/** GitHub's anchor of a heading: lower case, punctuation but `-` and `_` dropped, spaces as `-`, repeats numbered. */
function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of prose(readFileSync(file, 'utf8'))) {
    const m = /^#{1,6} (.*)$/.exec(line);
    if (!m) continue;
    const base = m[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N}_\- ]/gu, '').replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

function links(file: string): { target: string; line: number }[] {
  const out: { target: string; line: number }[] = [];
  prose(readFileSync(file, 'utf8')).forEach((line, i) => {
    for (const m of line.matchAll(/\]\(([^)\s]+)\)/g)) out.push({ target: m[1]!, line: i + 1 });
  });
  return out;
}

test('there is a docs/ folder with an architecture note', () => {
  assert.ok(docs.some((f) => f.endsWith('/architecture.md')));
});

for (const page of pages) {
  const name = relative(root, page);
  test(`${name}: every relative link resolves to a file and heading`, () => {
    for (const { target, line } of links(page)) {
      if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
      const [path, fragment] = target.split('#') as [string, string | undefined];
      const file = path === '' ? page : join(dirname(page), path);
      assert.ok(existsSync(file), `${name}:${line}: ${target}: no such file ${relative(root, file)}`);
      if (fragment !== undefined) {
        assert.ok(file.endsWith('.md'), `${name}:${line}: ${target}: an anchor into a file that is not markdown`);
        assert.ok(anchors(file).has(fragment), `${name}:${line}: ${target}: no heading with the anchor #${fragment} in ${relative(root, file)}`);
      }
    }
  });
}

test('every docs/*.md is linked from README.md', () => {
  const linked = new Set(links(pages[0]!).map(({ target }) => join(root, target.split('#')[0]!)));
  for (const doc of docs) assert.ok(linked.has(doc), `README.md does not link to ${relative(root, doc)}`);
});

test('README.md is a guide: under 350 lines', () => {
  const lines = readFileSync(pages[0]!, 'utf8').split('\n').length;
  assert.ok(lines < 350, `README.md has ${lines} lines; move the depth to docs/`);
});

test.run();
