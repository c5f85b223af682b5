// ha.cf mqtt_* directives: one case per directive, the relations between them, and the
// coverage check for this part of the directive table (config-hacf.test.ts skips mqtt_*).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { formatDiagnostic, loadConfig, type Config } from '../../src/config';
import { mqttDirectives } from '../../src/config/directives/mqtt';
import { summarize } from '../../src/commands/check-config';
import { BASE_HA_CF, fakeMachine, makeConfigDir } from '../helpers/config-dir';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
/** Files every case can name, with their modes. */
const FILES: Record<string, { content: string; mode: number }> = {
  'mqtt-password': { content: 'pa55word\n', mode: 0o600 },
  'mqtt-password-open': { content: 'pa55word\n', mode: 0o644 },
  'ca.pem': { content: PEM, mode: 0o644 },
  'node.crt': { content: PEM, mode: 0o644 },
  'node.key': { content: PEM, mode: 0o600 },
  'node-open.key': { content: PEM, mode: 0o644 },
};

interface Checked {
  config?: Config;
  errors: string[];
  warnings: string[];
}

/** BASE_HA_CF plus `lines` (the first is line 10), loaded from a directory holding FILES; `DIR` stands for it. */
async function checkLines(...lines: string[]): Promise<Checked> {
  const extra = Object.fromEntries(Object.entries(FILES).map(([name, f]) => [name, f.content]));
  const dir = makeConfigDir({ 'ha.cf': `${BASE_HA_CF}${lines.join('\n')}\n`, extra });
  for (const [name, f] of Object.entries(FILES)) chmodSync(join(dir, name), f.mode);
  const result = await loadConfig(dir, { node: 'alpha', machine: fakeMachine() });
  const text = result.diagnostics.map((d) => formatDiagnostic(d).replace(`${dir}/`, '').replaceAll(dir, 'DIR'));
  return {
    ...(result.config ? { config: result.config } : {}),
    errors: text.filter((l) => !l.includes(': warning: ')),
    warnings: text.filter((l) => l.includes(': warning: ')),
  };
}

const BROKER = 'mqtt_broker mqtt://broker.example:1883';

interface Case {
  lines: string[];
  errors?: string[];
  warning?: RegExp;
  effect?: (config: Config) => void;
}

const CASES: Case[] = [
  { lines: [BROKER], effect: (c) => assert.equal(c.mqtt, { brokers: ['mqtt://broker.example:1883'], prefix: 'twinbeat', intervalMs: 60000, keepaliveS: 10, homeAssistant: false, commands: false }) },
  { lines: [BROKER, 'mqtt_broker wss://backup.example/mqtt'], effect: (c) => assert.equal(c.mqtt?.brokers, ['mqtt://broker.example:1883', 'wss://backup.example/mqtt']) },
  { lines: ['mqtt_broker http://broker.example'], errors: ['ha.cf:10: mqtt_broker http://broker.example: expected a broker URL such as mqtt://broker.example:1883, mqtts://, ws:// or wss://'] },
  { lines: ['mqtt_broker mqtt://u:p@broker.example'], errors: ['ha.cf:10: mqtt_broker mqtt://u:p@broker.example: expected a URL without user:password@ (use mqtt_username and mqtt_password_file, mode 600)'] },
  { lines: [BROKER, BROKER], errors: ['ha.cf:11: mqtt_broker mqtt://broker.example:1883 is already listed at line 10'] },
  { lines: [BROKER, 'mqtt_prefix site1/twinbeat'], effect: (c) => assert.is(c.mqtt?.prefix, 'site1/twinbeat') },
  { lines: [BROKER, 'mqtt_prefix fleet/+'], errors: ['ha.cf:11: mqtt_prefix fleet/+: expected topic levels without +, # or empty levels, not starting with $ (e.g. twinbeat or site1/twinbeat)'] },
  { lines: [BROKER, 'mqtt_username gw-0042'], effect: (c) => assert.is(c.mqtt?.username, 'gw-0042') },
  { lines: [BROKER, 'mqtt_username a b'], errors: ['ha.cf:11: mqtt_username takes one value, found 2: a b'] },
  { lines: [BROKER, 'mqtt_username gw', 'mqtt_password_file mqtt-password'], warning: /ha\.cf:12: warning: the MQTT password crosses the network in clear text/, effect: (c) => assert.is(c.mqtt?.passwordFile, `${c.dir}/mqtt-password`) },
  { lines: [BROKER, 'mqtt_username gw', 'mqtt_password_file mqtt-password-open'], errors: ['ha.cf:12: mqtt_password_file mqtt-password-open: mode is 0644, it must be 600 (read and write for root only): chmod 600 DIR/mqtt-password-open'] },
  { lines: [BROKER, 'mqtt_username gw', 'mqtt_password_file /nonexistent/pw'], errors: ['ha.cf:12: mqtt_password_file /nonexistent/pw: cannot read /nonexistent/pw (ENOENT): it should hold the broker password on one line, owned by root, mode 600'] },
  { lines: [BROKER, 'mqtt_password_file mqtt-password'], errors: ['ha.cf:11: mqtt_password_file needs mqtt_username (MQTT sends a password only with a user name)'] },
  { lines: ['mqtt_broker mqtts://broker.example', 'mqtt_ca ca.pem'], effect: (c) => assert.is(c.mqtt?.ca, `${c.dir}/ca.pem`) },
  { lines: [BROKER, 'mqtt_ca ca.pem'], warning: /ha\.cf:11: warning: mqtt_ca\/mqtt_cert\/mqtt_key are only used with mqtts:\/\/ or wss:\/\/ brokers/ },
  { lines: ['mqtt_broker mqtts://broker.example', 'mqtt_cert node.crt', 'mqtt_key node.key'], effect: (c) => assert.equal([c.mqtt?.cert, c.mqtt?.key], [`${c.dir}/node.crt`, `${c.dir}/node.key`]) },
  { lines: ['mqtt_broker mqtts://broker.example', 'mqtt_cert node.crt'], errors: ['ha.cf:11: mqtt_cert needs mqtt_key (the private key of the certificate)'] },
  { lines: ['mqtt_broker mqtts://broker.example', 'mqtt_cert node.crt', 'mqtt_key node-open.key'], warning: /ha\.cf:12: warning: mqtt_key node-open\.key: mode is 0644; a private key should be readable by root only/ },
  { lines: [BROKER, 'mqtt_interval 30'], effect: (c) => assert.is(c.mqtt?.intervalMs, 30000) },
  { lines: [BROKER, 'mqtt_interval 200ms'], errors: ['ha.cf:11: mqtt_interval 200ms: expected a duration of at least 1s, such as 60 (seconds)'] },
  { lines: [BROKER, 'mqtt_keepalive 5'], effect: (c) => assert.is(c.mqtt?.keepaliveS, 5) },
  { lines: [BROKER, 'mqtt_keepalive 1500ms'], errors: ['ha.cf:11: mqtt_keepalive 1500ms: expected whole seconds from 1 to 3600, such as 10'] },
  { lines: [BROKER, 'mqtt_keepalive 0'], errors: ['ha.cf:11: mqtt_keepalive 0: expected whole seconds from 1 to 3600, such as 10'] },
  { lines: [BROKER, 'mqtt_homeassistant on'], effect: (c) => assert.is(c.mqtt?.homeAssistant, true) },
  { lines: [BROKER, 'mqtt_homeassistant maybe'], errors: ['ha.cf:11: mqtt_homeassistant maybe: expected on or off (also yes/no, true/false)'] },
  { lines: [BROKER, 'mqtt_commands on'], effect: (c) => assert.is(c.mqtt?.commands, true) },
  { lines: ['mqtt_commands on'], warning: /ha\.cf:10: warning: mqtt_commands has no effect without an "mqtt_broker URL" line/, effect: (c) => assert.is(c.mqtt, undefined) },
];

for (const c of CASES) {
  test(`ha.cf: ${c.lines.join(' | ')}`, async () => {
    const result = await checkLines(...c.lines);
    if (c.errors) {
      assert.is(result.config, undefined, 'an error must leave no config');
      assert.equal(result.errors, c.errors);
      return;
    }
    assert.equal(result.errors, [], 'no errors expected');
    assert.ok(result.config);
    if (c.warning) assert.ok(result.warnings.some((w) => c.warning!.test(w)), `expected a warning ${c.warning}; got:\n${result.warnings.join('\n')}`);
    c.effect?.(result.config);
  });
}

test('without mqtt_broker there is no mqtt config (and MQTT.js is never loaded)', async () => {
  const { config, errors } = await checkLines();
  assert.equal(errors, []);
  assert.is(config?.mqtt, undefined);
});

test('check-config summarises the reporting in one line (and says when it is off)', async () => {
  const on = await loadConfig(makeConfigDir({ 'ha.cf': `${BASE_HA_CF}mqtt_broker mqtt://192.0.2.100:1883\nmqtt_broker mqtts://198.51.100.9:8883\nmqtt_homeassistant on\n` }), { node: 'alpha', machine: fakeMachine() });
  assert.match(summarize(on.config!), /^mqtt: {5}mqtt:\/\/192\.0\.2\.100:1883 then mqtts:\/\/198\.51\.100\.9:8883, topics twinbeat\/alpha-beta\/alpha\/\.\.\.; re-published every 60s, offline 15s after the connection goes silent \(mqtt_keepalive 10s\), Home Assistant discovery$/m);
  const off = await loadConfig(makeConfigDir(), { node: 'alpha', machine: fakeMachine() });
  assert.match(summarize(off.config!), /^mqtt: {5}off \(no mqtt_broker\)$/m);
});

test('every mqtt_* directive has a case above', () => {
  const covered = new Set(CASES.flatMap((c) => c.lines.map((l) => l.split(' ')[0])));
  assert.equal(mqttDirectives.map((d) => d.name).filter((name) => !covered.has(name)), []);
});

test.run();
