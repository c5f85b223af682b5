#!/usr/bin/env node
// Runs every uvu suite (test/**/*.test.ts), each file in its own Node process so that one
// crash or leaked handle cannot hide the results of the others, and ends with one line:
// `N passed, N failed` (`, N skipped` when any were skipped, with the reasons above it).
//
// Usage: node test/run.mjs [filter]   (filter: substring of the file path)
// Files under test/e2e/ run one at a time (they build network namespaces); the rest two at once.
// With CI=true a skipped test is a failure, with its reason: CI has root and every tool
// (.ci/run installs them), so a suite that skips there has silently stopped testing anything.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// Where the suites are looked for (a test of this runner points it at test/fixtures/runner).
const testRoot = process.env.TWINBEAT_TEST_ROOT ? join(root, process.env.TWINBEAT_TEST_ROOT) : join(root, 'test');
const filter = process.argv[2] ?? '';
const FILE_TIMEOUT_MS = Number(process.env.TWINBEAT_TEST_TIMEOUT_MS ?? 300_000);

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    // Fixtures are data for the suites, never suites themselves.
    if (name === 'node_modules' || name === 'fixtures' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

// uvu's own summary of a file: "Total: N", "Passed: N", "Skipped: N".
function summaryOf(output) {
  const num = (label) => {
    const all = [...output.matchAll(new RegExp(`^\\s*${label}:\\s+(\\d+)`, 'gm'))];
    return all.length ? Number(all[all.length - 1][1]) : undefined;
  };
  return { total: num('Total'), passed: num('Passed'), skipped: num('Skipped') };
}

function runFile(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\nrunner: ${relative(root, file)} still running after ${FILE_TIMEOUT_MS} ms, killed\n`;
      child.kill('SIGKILL');
    }, FILE_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ file, code, signal, output });
    });
  });
}

async function runAll(files, concurrency) {
  const results = [];
  let next = 0;
  async function worker() {
    while (next < files.length) {
      const file = files[next++];
      const result = await runFile(file);
      process.stdout.write(`\n# ${relative(root, file)}\n${result.output.trimEnd()}\n`);
      results.push(result);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

const all = findTests(testRoot).filter((f) => relative(root, f).includes(filter));
// Alone, after the others: the end-to-end suites (namespaces, real timings) and the suites that
// measure timer jitter, which a CPU-bound suite running beside them would distort.
const serial = all.filter((f) => relative(root, f).startsWith('test/e2e/') || f.endsWith('-jitter.test.ts'));
const parallel = all.filter((f) => !serial.includes(f));
const results = [...(await runAll(parallel, 2)), ...(await runAll(serial, 1))];

let passed = 0;
let failed = 0;
let skipped = 0;
const skipReasons = [];
const broken = [];
for (const r of results) {
  const s = summaryOf(r.output);
  for (const m of r.output.matchAll(/^skip: (.*)$/gm)) skipReasons.push(`${relative(root, r.file)}: ${m[1]}`);
  if (s.total === undefined || s.passed === undefined) {
    // The file crashed or hung before uvu could summarise it: count it as one failure.
    failed += 1;
    broken.push(`${relative(root, r.file)} ended without a summary (exit ${r.code ?? r.signal})`);
    continue;
  }
  passed += s.passed;
  failed += s.total - s.passed;
  skipped += s.skipped ?? 0;
  if (r.code !== 0 && s.total === s.passed) {
    failed += 1;
    broken.push(`${relative(root, r.file)} exited ${r.code ?? r.signal} after its tests passed`);
  }
}

const skipsFail = process.env.CI === 'true' && skipped > 0;
process.stdout.write('\n');
for (const b of broken) process.stdout.write(`broken: ${b}\n`);
if (skipped > 0) for (const reason of skipReasons) process.stdout.write(`${skipsFail ? 'failed (skipped with CI=true)' : 'skipped'}: ${reason}\n`);
if (skipsFail) {
  process.stdout.write(`CI=true: ${skipped} skipped test(s) count as failed\n`);
  failed += skipped;
  skipped = 0;
}
process.stdout.write(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
process.exitCode = failed > 0 || all.length === 0 ? 1 : 0;
