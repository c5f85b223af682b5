// Who may import whom in src/: one rule for every folder, written once, here (docs/architecture.md
// shows the same table). A folder not in the rule fails the test: place it before using it.
// The rule must stay a layering (no two folders may use each other, directly or round about),
// so that the pure core sits at the bottom and the commands at the top.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Per part of src/: the parts it may import anything from (`uses`), and those it may take only
 * types from (`types`; a part may also be a single file, as `config/types`). `.` is the shared
 * top-level files (printable, log, version, backoff, exec, snapshot), `cli` is src/cli.ts, and
 * `../board` the board profiles' JSON at the repository's top.
 */
const RULE: Record<string, { uses: string[]; types?: string[]; pure?: true }> = {
  '.': { uses: ['.'] },
  config: { uses: ['.', '../board'] },
  core: { uses: [], types: ['config/types'], pure: true },
  wire: { uses: [], types: ['config/types', 'core'] },
  links: { uses: ['.'], types: ['config/types'] },
  health: { uses: ['.'], types: ['config/types'] },
  resources: { uses: ['.', 'config'] },
  control: { uses: ['.', 'config'] },
  mqtt: { uses: ['.', 'config'] },
  fence: { uses: ['.', 'config', 'control'] },
  report: { uses: ['.', 'mqtt'], types: ['config/types'] },
  fleet: { uses: ['.', 'mqtt'] },
  agent: { uses: ['.', 'config', 'core', 'wire', 'links', 'resources'] },
  commands: { uses: ['.', 'config', 'agent', 'control', 'fence', 'fleet', 'health', 'links', 'report', 'resources', 'wire'] },
  cli: { uses: ['.', 'commands'] },
};

const src = fileURLToPath(new URL('../../src/', import.meta.url));
const importRe = /^\s*(?:import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]/gm;
/** `await import('./commands/run')`: the lazy loads count as imports too. */
const dynamicRe = /\bimport\(\s*()['"]([^'"]+)['"]\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

/** The part of src/ a path (relative to src/, without extension) belongs to. */
function partOf(path: string): string {
  const [first, ...rest] = path.split(sep);
  if (first === '..') return `../${rest[0]}`;
  if (rest.length > 0) return first!;
  return first === 'cli' ? 'cli' : '.';
}

const covers = (entry: string, target: string) => target === entry || target.startsWith(`${entry}/`) || partOf(target) === entry;

const files = sourceFiles(src);

test('every part of src/ is in the rule', () => {
  const parts = new Set(files.map((f) => partOf(relative(src, f).replace(/\.ts$/, ''))));
  for (const part of parts) assert.ok(RULE[part], `src/${part} is in no rule: add it to RULE (and docs/architecture.md)`);
});

test('the rule is a layering: no cycle between parts', () => {
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (part: string, path: string[]) => {
    if (done.has(part)) return;
    assert.not.ok(visiting.has(part), `cycle: ${[...path, part].join(' -> ')}`);
    visiting.add(part);
    const rule = RULE[part];
    for (const next of [...(rule?.uses ?? []), ...(rule?.types ?? [])].map((e) => e.split('/')[0]!)) if (next !== part && RULE[next]) visit(next, [...path, part]);
    visiting.delete(part);
    done.add(part);
  };
  for (const part of Object.keys(RULE)) visit(part, []);
});

for (const file of files) {
  const from = relative(src, file);
  const part = partOf(from.replace(/\.ts$/, ''));
  const rule = RULE[part];
  test(`src/${from} imports only what the rule lets ${part === '.' ? 'the top-level files' : part} use`, () => {
    if (!rule) return; // reported by the first test
    const text = readFileSync(file, 'utf8');
    for (const m of [...text.matchAll(importRe), ...text.matchAll(dynamicRe)]) {
      const isType = Boolean(m[1]);
      const spec = m[2]!;
      if (!spec.startsWith('.')) {
        assert.not.ok(rule.pure, `${from}: imports '${spec}' (src/${part} uses no module, no package)`);
        continue;
      }
      const target = normalize(relative(src, join(dirname(file), spec))).replace(/\.(ts|json)$/, '');
      if (partOf(target) === part) continue;
      const allowed = rule.uses.some((e) => covers(e, target)) || (isType && (rule.types ?? []).some((e) => covers(e, target)));
      assert.ok(allowed, `${from}: ${isType ? 'type ' : ''}import of ${spec} (src/${target}) breaks the rule for ${part}`);
    }
    assert.not.match(text, /\brequire\(/, `${from}: require()`);
  });
}

test.run();
