// Decisions are data (src/core/decisions.ts): every code renders, exactly one decision per move
// of a group is a move event, and nothing outside the catalogue reads decision words back.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DECISION_CODES, decisionLine, makeDecision, type DecisionCode } from '../../src/core';
import type { DecisionFacts } from '../../src/core/decisions';
import { decisionSnapshot, eventOfDecision, eventOfLog } from '../../src/agent/events';

const FULL: DecisionFacts = {
  group: '192.0.2.50',
  groups: ['192.0.2.50', '192.0.2.60'],
  interfaces: ['eth0'],
  home: 'node-a',
  command: 'standby',
  detail: 'exit 1',
  ok: true,
  figures: { deadtimeMs: 1000, initdeadMs: 2000, delayMs: 500, deadpingMs: 3000, failedRetryMs: 60_000, attempt: 2, targets: 2, reachHere: 1, reachThere: 2, fromGeneration: 7, toGeneration: 3 },
};

test('every decision renders from its facts: no hole, a what, a kind and a cause', () => {
  for (const code of DECISION_CODES) {
    const d = makeDecision(code, 'node-b', FULL);
    const line = decisionLine(d);
    assert.not.match(line, /undefined|NaN|\[object/, `${code}: ${line}`);
    assert.ok(d.what.length > 0 && d.kind && d.cause, code);
    assert.is(d.code, code);
  }
});

test('the words: Heartbeat users read the same lines as before decisions became data', () => {
  const line = (code: DecisionCode, facts: DecisionFacts = {}) => decisionLine(makeDecision(code, 'node-a', facts));
  assert.is(line('take-from-dead-peer', { group: '192.0.2.50' }), 'Taking over resource group 192.0.2.50: node-a is dead and no reset device is configured');
  assert.is(line('takeover-peer-dead', { figures: { deadtimeMs: 1000 } }), 'Taking over: node-a silent on every path for deadtime (1000 ms) and no reset device is configured (Heartbeat v1 behaviour)');
  assert.is(line('reset-succeeded', { detail: 'relay' }), 'Reset of node-a succeeded (relay): taking over its groups');
  assert.is(line('reset-succeeded'), 'Reset of node-a succeeded: taking over its groups');
  assert.is(line('start-failed', { group: 'g', detail: 'httpd: exit 1', figures: { failedRetryMs: 60000 } }), 'Resource group g failed to start: httpd: exit 1: stopping what did start; not retrying here for 60000 ms');
  assert.is(line('reset-asked-for', { groups: ['g'], figures: { attempt: 1 } }), 'Resetting node-a: it cannot stop g and asked to be reset (on_stop_failure fence)');
  assert.is(line('reset-asked-for', { groups: [], figures: { attempt: 3 } }), 'Resetting node-a: it cannot stop a group and asked to be reset (on_stop_failure fence), attempt 3');
  assert.is(
    line('wait-fence-delay', { figures: { delayMs: 1500 }, stagger: true, stalled: false, asksReset: false }),
    'Not taking over yet: node-a is silent on every path; waiting 1500 ms (fence_delay + stagger) before resetting it, so that the node running the first group shoots first',
  );
});

/** Codes by the fleet event they are, for the moves of a group. */
const MOVES: Record<string, DecisionCode[]> = {
  failover: ['take-from-reset-peer', 'take-from-dead-peer', 'take-forced'],
  handover: [
    'take-from-leaving-peer',
    'take-from-heartbeat-standby',
    'standby-hand-over',
    'standby-hand-to-heartbeat',
    'failback',
    'hand-over-failed-start',
    'hand-over-failed-checks',
    'hand-over-carrier',
    'hand-over-ping',
    'stop-failed-hand-over',
  ],
  start: ['acquire'],
};

test('one move, one event: which decisions are the move events, by the rule in decisions.ts', () => {
  const isMove = (code: DecisionCode) => {
    const d = makeDecision(code, 'node-b', FULL);
    return (d.event === 'failover' || d.event === 'handover' || d.event === 'start') && d.kind !== 'keep';
  };
  const found: Record<string, DecisionCode[]> = {};
  for (const code of DECISION_CODES.filter(isMove)) (found[makeDecision(code, 'node-b', FULL).event!] ??= []).push(code);
  for (const kind of Object.keys(found)) found[kind]!.sort();
  assert.equal(found, Object.fromEntries(Object.entries(MOVES).map(([k, v]) => [k, [...v].sort()])));
  // The taker's word for a planned move the giver already reported is no event: one per move.
  assert.is(makeDecision('take-handed-over', 'node-b', FULL).event, undefined);
  // Nor the node-wide words that the per-group ones follow (two failover events per takeover, before).
  for (const code of ['takeover-peer-dead', 'takeover-not-heard-at-start', 'takeover-forced', 'standby', 'release-asked', 'shutting-down'] as const) {
    assert.is(makeDecision(code, 'node-b', FULL).event, undefined, code);
  }
  // A reset's success is a reset, not a failover: the groups taken after it are.
  assert.is(makeDecision('reset-succeeded', 'node-b', FULL).event, 'reset');
});

test('an event carries the decision as data: kind, group, cause, subject, figures', () => {
  const at = new Date('2026-11-28T03:00:00.000Z');
  const where = { cluster: 'lab', node: 'node-b' };
  const event = eventOfDecision(makeDecision('take-from-dead-peer', 'node-a', { group: '192.0.2.50' }), where, at);
  assert.equal(event, {
    type: 'failover',
    at: at.toISOString(),
    cluster: 'lab',
    node: 'node-b',
    text: 'Taking over resource group 192.0.2.50',
    reason: 'node-a is dead and no reset device is configured',
    subject: '192.0.2.50',
    kind: 'takeover',
    cause: 'peer-dead',
    group: '192.0.2.50',
  });
  const ping = eventOfDecision(makeDecision('hand-over-ping', 'node-a', { group: '192.0.2.50', figures: { targets: 2, reachHere: 0, reachThere: 2, deadpingMs: 3000 } }), where, at);
  assert.equal(ping?.figures, { targets: 2, reachHere: 0, reachThere: 2, deadpingMs: 3000 });
  assert.is(eventOfDecision(makeDecision('reset-at-once', 'node-a'), where, at)?.subject, 'node-a', 'a reset is about the peer');
  assert.is(eventOfDecision(makeDecision('takeover-refused', 'node-a'), where, at), undefined);
  const snapshot = decisionSnapshot(makeDecision('failback', 'node-a', { group: '192.0.2.50' }), at);
  assert.equal([snapshot.kind, snapshot.cause, snapshot.group, snapshot.event, snapshot.text], ['failback', 'auto-failback', '192.0.2.50', 'handover', 'auto_failback on']);
  assert.equal(eventOfLog('Link node-a:eth1 dead.', { event: 'path', subject: 'node-a:eth1' }, where, at)?.subject, 'node-a:eth1');
  assert.is(eventOfLog('Starting httpd: ok', undefined, where, at), undefined, 'a line the core did not mark is no event');
});

// --- nothing reads decision words back ---

const root = fileURLToPath(new URL('../../', import.meta.url));
const CATALOGUE = 'src/core/decisions.ts';
/**
 * Code that acts or judges on what the core decided: it must read fields, not words. (End-to-end
 * and field tests may expect log lines, as an operator reads them: that is the log's contract.)
 */
const READERS = ['src', 'test/sim'];

function sourceFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return path.endsWith('.ts') ? [path] : [];
  return readdirSync(path).flatMap((name) => sourceFiles(join(path, name)));
}

/** The fixed words a decision's line starts with (up to its first fact), e.g. `Taking over resource group`. */
function leads(): string[] {
  const words = new Set<string>();
  for (const code of DECISION_CODES) {
    const lead = decisionLine(makeDecision(code, '\u0000', { ...FULL, group: '\u0000', home: '\u0000', command: '\u0000' })).split('\u0000')[0]!.trim();
    if (lead.length >= 6) words.add(lead.replace(/[:(]$/, '').trim());
  }
  return [...words];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Where a phrase would be matched against text: in a regular expression, or a string compared or searched for. */
function matching(phrase: string): RegExp {
  const p = escape(phrase).replace(/ /g, '(?: |\\\\s\\+?)');
  return new RegExp(`/\\^?[^/\\n]*${p}|(?:startsWith|endsWith|includes|indexOf|RegExp)\\(\\s*['"\`]\\^?${p}|[=!]==?\\s*['"\`]${p}|['"\`]${p}[^'"\`]*['"\`]\\s*[=!]==?`);
}

function offences(files: { name: string; text: string }[]): string[] {
  const patterns = leads().map((phrase) => ({ phrase, re: matching(phrase) }));
  const found: string[] = [];
  for (const { name, text } of files) {
    text.split('\n').forEach((raw, i) => {
      const line = raw.replace(/^\s*(\/\/|\/\*\*?|\*).*$/, '').replace(/\s\/\/\s.*$/, '');
      const hit = patterns.find((p) => p.re.test(line));
      if (hit) found.push(`${name}:${i + 1}: "${hit.phrase}" in ${line.trim().slice(0, 120)}`);
    });
  }
  return found;
}

test('no decision text is parsed anywhere: no pattern or comparison in src/, the simulator or the field suite matches a decision line', () => {
  const phrases = leads();
  assert.ok(phrases.includes('Taking over resource group') && phrases.includes('Resetting'), phrases.join(' | '));
  const files = READERS.flatMap((r) => sourceFiles(join(root, r)))
    .map((file) => ({ name: relative(root, file), text: readFileSync(file, 'utf8') }))
    .filter((f) => f.name !== CATALOGUE);
  const found = offences(files);
  assert.equal(found, [], found.join('\n'));
});

test('the grep finds what it is for: patterns and comparisons on decision words are caught, log lines written are not', () => {
  const planted = [
    "const failover = /^Taking over resource group (\\S+)/.exec(text);",
    "if (/^Reset of /.test(decision.text)) return;",
    "if (!said.startsWith('Resetting')) return 1;",
    "const forced = /^Handing\\sresource group (\\S+)/.exec(text);",
    "if (text === `Keeping resource group ${g}`) return;",
  ];
  assert.is(offences(planted.map((text, i) => ({ name: `planted${i}`, text }))).length, planted.length);
  const written = ["log(st, 'info', `Taking over resource group ${g.id}`);", "startGiving(st, hb, 'foreign', `auto_failback on: ${peer} is its home`);"];
  assert.equal(offences(written.map((text, i) => ({ name: `written${i}`, text }))), []);
});

test.run();
