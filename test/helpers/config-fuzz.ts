// Random and mutated ha.cf, haresources and authkeys through the configuration reader (the
// pure part: parsers and assemble, then the machine checks against a fake machine). For every
// case: nothing throws, every message is one escaped line of readable length that names a line
// of the file it is about, no key of authkeys appears in any message, and what is accepted keeps
// the rules (plain names, times of at most a day). Seeded: a failure names its seed and case.
import { readFileSync } from 'node:fs';
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import { assemble } from '../../src/config/assemble';
import { parseAuthkeys } from '../../src/config/authkeys';
import { Diagnostics, formatDiagnostic } from '../../src/config/diagnostics';
import { parseHaCf } from '../../src/config/hacf';
import { parseHaresources } from '../../src/config/haresources';
import { checkMachine } from '../../src/config/machine';
import { isInterfaceName, isNodeName, isScriptName, MAX_DURATION_MS } from '../../src/config/values';
import { makeRng, type Rng } from '../sim/prng';
import { BASE_HA_CF, fakeMachine } from './config-dir';

const DIR = '/fuzz';
const FILES = { hacf: `${DIR}/ha.cf`, haresources: `${DIR}/haresources`, authkeys: `${DIR}/authkeys` };
/** Every secret in the authkeys corpus starts with this; no message may hold it. */
const SECRET = 'Zq7SecretMark';
/** The longest message allowed: a few cut values and the hint about what is right. */
export const MAX_MESSAGE = 1200;
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const fixture = (name: string) => readFileSync(new URL(`../fixtures/tutorial/${name}`, import.meta.url), 'utf8');

const HA_CF_CORPUS = [
  BASE_HA_CF,
  fixture('ha.cf'),
  `keepalive 200ms\ndeadtime 2\nwarntime 1\ninitdead 10\nudpport 1694\nbaud 115200\nserial /dev/ttyUSB0\nbcast eth0 eth1\nmcast eth1 239.0.0.1 694 1 0\nucast eth1 2001:db8::2\nauto_failback off\nnode alpha beta\ncluster lab-pair\nstonith_host * gpio-relay target=beta board=rpi4 channel=1\nstonith_host beta external target=alpha command=/usr/local/sbin/reset timeout=30s\nping 192.0.2.254\nping_group gw 192.0.2.253 192.0.2.252\nrespawn hacluster /usr/lib/heartbeat/ipfail\ntrack_interface eth0 eth0:1\nmonitor_interval 5\nmonitor_timeout 2\nmonitor_failures 3\nfailover_on_monitor off\nenv FOO=bar\nmqtt_broker mqtt://broker.example:1883\nmqtt_prefix site/twinbeat\nmqtt_interval 30\nlogfile /var/log/ha-log\nlogfacility local0\ndebug 1\nhopfudge 1\ncrm off\n`,
];
const HARESOURCES_CORPUS = [
  'alpha 192.0.2.50/24/eth0 httpd\n',
  fixture('haresources'),
  'alpha IPaddr::192.0.2.50/24/eth0/192.0.2.255 Filesystem::/dev/sda1::/data::ext4 \\\n  httpd\nbeta IPv6addr::2001:db8::50/64/eth0 postfix # mail\n',
];
const AUTHKEYS_CORPUS = [
  `auth 1\n1 sha256 ${SECRET}One\n`,
  `auth 2\n1 md5 ${SECRET}Two # old\n2 sha256 ${SECRET}Three\n3 sha1 ${SECRET}Four\n`,
  `# keys\nauth 0\n0 crc\n1 sha256 ${SECRET}Five\n`,
];

/** Words a hostile or careless hand puts in a file: names, numbers at the edges, bytes that must not pass. */
const TOKENS = [
  'node', 'keepalive', 'deadtime', 'warntime', 'initdead', 'deadping', 'fence_delay', 'ucast', 'bcast', 'mcast', 'serial',
  'udpport', 'baud', 'auto_failback', 'stonith_host', 'ping', 'ping_group', 'track_interface', 'monitor_interval',
  'mqtt_broker', 'mqtt_password_file', 'mqtt_username', 'env', 'respawn', 'cluster', 'auth', 'sha256', 'md5', 'crc', 'sha1',
  'alpha', 'beta', 'ALPHA', 'eth0', 'eth1', 'lo', '192.0.2.50', '2001:db8::1', 'IPaddr::', 'IPaddr2::192.0.2.9/33', '::', '*',
  '0', '1', '15', '16', '-1', '1.5', '.5', '200ms', '86400', '86401', '99999999999999999999', '1e400', 'NaN', 'Infinity',
  '2147483648ms', '3000000', '65536', '.', '..', '/', '../..', 'a/b', '/dev/zero', '\\', '#', '=', 'target=', 'board=rpi4',
  'channel=99', 'constructor', '__proto__', 'toString', 'hasOwnProperty', '\u0000', '\u001b[2J', '\u001b]0;pwned\u0007', '\r',
  '\f', '\u00a0', '\ufffd', '\u202e', '\u2028', '\u0085', '\ud800', 'é', '名前', 'x'.repeat(300),
  '9'.repeat(400), 'a'.repeat(70), 'on', 'off', 'legacy', 'yes',
];

type Mutation = (rng: Rng, text: string) => string;

const lines = (text: string) => text.split('\n');
const pickIndex = (rng: Rng, items: readonly unknown[]) => rng.int(0, Math.max(0, items.length - 1));
const randomText = (rng: Rng, n: number) => String.fromCharCode(...Array.from({ length: n }, () => (rng.chance(0.8) ? rng.int(0, 127) : rng.int(0, 0xffff))));

const MUTATIONS: Mutation[] = [
  // Lines: dropped, doubled, swapped, joined, cut in the middle.
  (rng, t) => lines(t).filter((_, i, all) => i !== pickIndex(rng, all)).join('\n'),
  (rng, t) => { const l = lines(t); const i = pickIndex(rng, l); l.splice(i, 0, l[i] ?? ''); return l.join('\n'); },
  (rng, t) => { const l = lines(t); const i = pickIndex(rng, l); const j = pickIndex(rng, l); [l[i], l[j]] = [l[j] ?? '', l[i] ?? '']; return l.join('\n'); },
  (rng, t) => { const at = t.indexOf('\n', rng.int(0, t.length)); return at < 0 ? t : t.slice(0, at) + ' ' + t.slice(at + 1); },
  (rng, t) => t.slice(0, rng.int(0, t.length)),
  // Words: one replaced, one added, a line of tokens appended.
  (rng, t) => {
    const l = lines(t);
    const i = pickIndex(rng, l);
    const words = (l[i] ?? '').split(' ');
    words[pickIndex(rng, words)] = rng.pick(TOKENS);
    l[i] = words.join(' ');
    return l.join('\n');
  },
  (rng, t) => { const l = lines(t); const i = pickIndex(rng, l); l[i] = `${l[i] ?? ''} ${rng.pick(TOKENS)}`; return l.join('\n'); },
  (rng, t) => `${t}\n${Array.from({ length: rng.int(1, 6) }, () => rng.pick(TOKENS)).join(rng.pick([' ', '\t', '  ', '\u00a0']))}\n`,
  // Characters: random ones inserted, one changed, the whole in another case.
  (rng, t) => { const at = rng.int(0, t.length); return t.slice(0, at) + randomText(rng, rng.int(1, 12)) + t.slice(at); },
  (rng, t) => { const at = rng.int(0, Math.max(0, t.length - 1)); return t.slice(0, at) + String.fromCharCode(rng.int(0, 0x2100)) + t.slice(at + 1); },
  (rng, t) => (rng.chance(0.5) ? t.toUpperCase() : t.replaceAll('\n', '\r\n')),
  // A key moved where a method or an index goes: "1 SECRET", "SECRET", "sha256 SECRET".
  (rng, t) => t.replace(/^(\d+) (\w+) (\S+)/m, (_m, i: string, m: string, k: string) => rng.pick([`${i} ${k}`, k, `${m} ${k}`, `${k} ${m} ${i}`, `${i} ${m} ${k} ${k}`, `auth ${k}`])),
];

function mutate(rng: Rng, text: string): string {
  let out = text;
  for (let n = rng.int(1, 4); n > 0; n--) out = rng.pick(MUTATIONS)(rng, out);
  return out;
}

/** Wholly random: lines of tokens, or characters. */
function random(rng: Rng): string {
  if (rng.chance(0.5)) return randomText(rng, rng.int(0, 400));
  return Array.from({ length: rng.int(0, 12) }, () => Array.from({ length: rng.int(0, 5) }, () => rng.pick(TOKENS)).join(' ')).join('\n');
}

function generate(rng: Rng, corpus: readonly string[]): string {
  const roll = rng.next();
  if (roll < 0.1) return rng.pick(corpus);
  if (roll < 0.85) return mutate(rng, rng.pick(corpus));
  return random(rng);
}

export interface FuzzTally {
  cases: number;
  valid: number;
  diagnostics: number;
  longestMessage: number;
  ms: number;
  /** Peak resident set of the process, MB (the reader's share is the growth over the start). */
  peakRssMb: number;
  startRssMb: number;
}

/** Runs `cases` cases from `seed`; throws (an assertion with the seed and case) on the first broken rule. */
export function fuzzConfigReader(cases: number, seed: number): FuzzTally {
  const rng = makeRng(seed);
  const machine = fakeMachine();
  const tally: FuzzTally = { cases, valid: 0, diagnostics: 0, longestMessage: 0, ms: 0, peakRssMb: 0, startRssMb: process.memoryUsage().rss / 2 ** 20 };
  const started = performance.now();
  for (let n = 0; n < cases; n++) {
    const files = {
      [FILES.hacf]: generate(rng, HA_CF_CORPUS),
      [FILES.haresources]: generate(rng, HARESOURCES_CORPUS),
      [FILES.authkeys]: generate(rng, AUTHKEYS_CORPUS),
    };
    const where = () => `case ${n} of seed ${seed} (TWINBEAT_FUZZ_SEED=${seed}): ${JSON.stringify(files).slice(0, 2000)}`;
    const diag = new Diagnostics();
    let config;
    try {
      const draft = parseHaCf(files[FILES.hacf]!, FILES.hacf, diag);
      const groups = parseHaresources(files[FILES.haresources]!, FILES.haresources, draft.nodes.map((d) => d.value), diag);
      const auth = parseAuthkeys(files[FILES.authkeys]!, FILES.authkeys, diag);
      config = assemble({ dir: DIR, haCfFile: FILES.hacf, localNode: 'alpha', draft, groups, auth }, diag);
      if (config) for (const p of checkMachine(config, machine)) diag.warning(p.source, p.message);
    } catch (err) {
      throw new Error(`the reader threw (${(err as Error).stack ?? String(err)}) on ${where()}`);
    }
    for (const d of diag.list) {
      const line = formatDiagnostic(d);
      tally.longestMessage = Math.max(tally.longestMessage, line.length);
      if (line.length > MAX_MESSAGE) throw new Error(`a message of ${line.length} characters: ${line.slice(0, 300)}... on ${where()}`);
      if (RAW_CONTROL.test(line)) throw new Error(`a raw control character in ${JSON.stringify(line)} on ${where()}`);
      if (line.includes(SECRET)) throw new Error(`a key in ${JSON.stringify(line)} on ${where()}`);
      const text = files[d.file];
      if (text === undefined) throw new Error(`a message about ${d.file}, which is not one of the files, on ${where()}`);
      if (!(Number.isInteger(d.line) && d.line >= 0 && d.line <= text.split('\n').length)) throw new Error(`line ${d.line} is not a line of ${d.file} on ${where()}`);
    }
    tally.diagnostics += diag.list.length;
    if (config && !diag.hasErrors) {
      tally.valid++;
      const broken = [
        ...config.nodes.filter((node) => !isNodeName(node)).map((node) => `node ${node}`),
        ...config.paths.filter((p) => p.kind !== 'serial' && !isInterfaceName(p.iface)).map((p) => `interface of ${p.id}`),
        ...config.groups.flatMap((g) => g.resources).filter((r) => r.kind === 'script' && !isScriptName(r.name)).map((r) => `script ${r.raw}`),
        ...Object.entries(config.timing).filter(([, ms]) => !(ms >= 0 && ms <= 2 * MAX_DURATION_MS)).map(([k]) => k),
      ];
      if (broken.length > 0) throw new Error(`accepted ${broken.join(', ')} on ${where()}`);
    }
    if (n % 5000 === 0) tally.peakRssMb = Math.max(tally.peakRssMb, process.memoryUsage().rss / 2 ** 20);
  }
  tally.ms = performance.now() - started;
  tally.peakRssMb = Math.max(tally.peakRssMb, process.resourceUsage().maxRSS / 1024);
  return tally;
}

// Run as four shards of 25,000 cases (test/unit/config-fuzz-N.test.ts), each with its own seed,
// so that test/run.mjs spreads them over its workers: 100,000 cases in all, about 8 s a shard.
// TWINBEAT_FUZZ_CASES and TWINBEAT_FUZZ_SEED override the count and the seed to replay a failure.
export const CONFIG_SHARDS = 4;
const CASES = Number(process.env.TWINBEAT_FUZZ_CASES ?? 100_000 / CONFIG_SHARDS);

export function defineConfigFuzz(test: Test, shard: number): void {
  const seed = Number(process.env.TWINBEAT_FUZZ_SEED ?? 20261127 + shard);
  test(`shard ${shard} of ${CONFIG_SHARDS}: ${CASES.toLocaleString('en')} random and mutated configurations: no throw, escaped bounded messages, no key shown`, () => {
    const tally = fuzzConfigReader(CASES, seed);
    const grown = tally.peakRssMb - tally.startRssMb;
    console.log(`config fuzz: ${tally.cases} cases (seed ${seed}) in ${(tally.ms / 1000).toFixed(1)} s, ${tally.valid} valid, ${tally.diagnostics} messages (longest ${tally.longestMessage} characters), RSS ${tally.startRssMb.toFixed(0)} -> ${tally.peakRssMb.toFixed(0)} MB`);
    assert.ok(grown < 128, `RSS grew by ${grown.toFixed(0)} MB`);
    assert.ok(tally.ms < 45_000, `${tally.ms} ms for ${tally.cases} cases`);
    assert.ok(tally.valid > 0 && tally.diagnostics > tally.cases, 'both valid and broken configurations were read');
  });
}
