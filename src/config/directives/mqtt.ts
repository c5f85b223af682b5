// The directives of fleet reporting over MQTT (src/report/mqtt.ts), and how they become the
// optional `mqtt` part of the Config. Files named here are resolved against the configuration
// directory when relative, and checked now, so that check-config finds a wrong mode before
// the agent does.
import { statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SHOWN_PATH_LENGTH, shown } from '../../printable';
import type { Diagnostics } from '../diagnostics';
import { fileKind } from '../read-file';
import { runningUid, secretFileProblems } from '../secret-file';
import type { HaCfDraft, Setting } from '../draft';
import type { MqttConfig, SourceLine } from '../types';
import { parseBoolean, parseDuration, type Parsed } from '../values';
import type { Directive, DirectiveContext } from './directive';
import { oneValue, record, valueDirective } from './helpers';

export const DEFAULT_MQTT_PREFIX = 'twinbeat';
export const DEFAULT_MQTT_INTERVAL_MS = 60_000;
/**
 * MQTT's keepalive: the broker sends a silent node's Last Will after 1.5 times this. Short, so
 * that a node that lost power shows `offline` in the fleet within seconds even when its peer
 * cannot say so (both lost); one PINGREQ of 2 bytes per idle interval costs nothing.
 */
export const DEFAULT_MQTT_KEEPALIVE_S = 10;
/** MQTT's keepalive field is 16 bits of seconds; more than an hour only hides a dead node. */
const MAX_MQTT_KEEPALIVE_S = 3600;
const BROKER_PROTOCOLS = ['mqtt:', 'mqtts:', 'ws:', 'wss:'];
const TLS_PROTOCOLS = ['mqtts:', 'wss:'];

export function parseBrokerUrl(text: string): Parsed<string> {
  const expected = 'a broker URL such as mqtt://broker.example:1883, mqtts://, ws:// or wss://';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, expected };
  }
  if (!BROKER_PROTOCOLS.includes(url.protocol) || url.hostname === '') return { ok: false, expected };
  // ha.cf is usually world-readable: a password in it would be readable by every local user.
  if (url.username !== '' || url.password !== '') {
    return { ok: false, expected: 'a URL without user:password@ (use mqtt_username and mqtt_password_file, mode 600)' };
  }
  return { ok: true, value: text };
}

/** A topic prefix: levels of printable characters without the wildcards + and #, none empty. */
export function parsePrefix(text: string): Parsed<string> {
  const levels = text.split('/');
  const fine = !text.startsWith('$') && levels.every((l) => l !== '' && !/[+#\s\u0000]/.test(l));
  return fine ? { ok: true, value: text } : { ok: false, expected: 'topic levels without +, # or empty levels, not starting with $ (e.g. twinbeat or site1/twinbeat)' };
}

const configDir = (ctx: DirectiveContext) => dirname(ctx.source.file);

/** A file directive: the path (relative to the configuration directory when not absolute) must be readable. */
function fileDirective(name: string, key: 'mqttPasswordFile' | 'mqttCa' | 'mqttCert' | 'mqttKey', what: string): Directive {
  return {
    name,
    handle(args, ctx) {
      const text = oneValue(name, args, ctx);
      if (text === undefined) return;
      const path = resolve(configDir(ctx), text);
      let stats: Stats;
      try {
        // A stat only (nothing is opened here): the file is read when connecting, bounded.
        stats = statSync(path);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? String(err);
        ctx.diag.error(ctx.source, `${name} ${shown(text)}: cannot read ${shown(path, SHOWN_PATH_LENGTH)} (${code}): it should hold ${what}`);
        return;
      }
      if (!stats.isFile()) {
        ctx.diag.error(ctx.source, `${name} ${shown(text)}: ${shown(path, SHOWN_PATH_LENGTH)} is ${fileKind(stats)}, not a regular file: it should hold ${what}`);
        return;
      }
      // The password is a secret like authkeys: refused unless only its owner, twinbeat's user, can read it.
      const problems = key === 'mqttPasswordFile' ? secretFileProblems(path, stats, runningUid()) : [];
      if (problems.length > 0) {
        for (const problem of problems) ctx.diag.error(ctx.source, `${name} ${shown(text)}: ${problem}`);
        return;
      }
      const mode = stats.mode & 0o777;
      if (key === 'mqttKey' && (mode & 0o077) !== 0) {
        ctx.diag.warning(ctx.source, `${name} ${shown(text)}: mode is ${mode.toString(8).padStart(4, '0')}; a private key should be readable by root only: chmod 600 ${path}`);
      }
      record(key, name, path, ctx);
    },
  };
}

const broker: Directive = {
  name: 'mqtt_broker',
  handle(args, ctx) {
    const text = oneValue('mqtt_broker', args, ctx);
    if (text === undefined) return;
    const parsed = parseBrokerUrl(text);
    if (!parsed.ok) {
      ctx.diag.error(ctx.source, `mqtt_broker ${shown(text)}: expected ${parsed.expected}`);
      return;
    }
    const brokers = (ctx.draft.mqttBrokers ??= []);
    const earlier = brokers.find((b) => b.value === parsed.value);
    if (earlier) {
      ctx.diag.error(ctx.source, `mqtt_broker ${shown(text)} is already listed at line ${earlier.source.line}`);
      return;
    }
    brokers.push({ value: parsed.value, source: ctx.source });
  },
};

const username = valueDirective('mqtt_username', 'mqttUsername', (text): Parsed<string> =>
  /^[\x21-\x7e]{1,256}$/.test(text) ? { ok: true, value: text } : { ok: false, expected: 'one word of printable characters' },
);

const interval = valueDirective('mqtt_interval', 'mqttIntervalMs', (text) => {
  const parsed = parseDuration(text);
  return parsed.ok && parsed.value < 1000 ? { ok: false, expected: 'a duration of at least 1s, such as 60 (seconds)' } : parsed;
});

const keepalive = valueDirective('mqtt_keepalive', 'mqttKeepaliveS', (text): Parsed<number> => {
  const parsed = parseDuration(text);
  const expected = `whole seconds from 1 to ${MAX_MQTT_KEEPALIVE_S}, such as 10`;
  // MQTT counts the keepalive in whole seconds; 1500ms would be silently rounded.
  if (!parsed.ok || parsed.value % 1000 !== 0) return { ok: false, expected };
  const seconds = parsed.value / 1000;
  return seconds >= 1 && seconds <= MAX_MQTT_KEEPALIVE_S ? { ok: true, value: seconds } : { ok: false, expected };
});

const onOff = (name: string, key: 'mqttHomeAssistant' | 'mqttCommands') => valueDirective(name, key, parseBoolean);

export const mqttDirectives: Directive[] = [
  broker,
  valueDirective('mqtt_prefix', 'mqttPrefix', parsePrefix),
  username,
  fileDirective('mqtt_password_file', 'mqttPasswordFile', 'the broker password on one line, owned by root, mode 600'),
  fileDirective('mqtt_ca', 'mqttCa', "the PEM certificate of the authority that signed the broker's certificate"),
  fileDirective('mqtt_cert', 'mqttCert', "this node's PEM client certificate"),
  fileDirective('mqtt_key', 'mqttKey', "the PEM private key of this node's client certificate"),
  interval,
  keepalive,
  onOff('mqtt_homeassistant', 'mqttHomeAssistant'),
  onOff('mqtt_commands', 'mqttCommands'),
];

const MQTT_SETTINGS = [
  ['mqtt_prefix', 'mqttPrefix'],
  ['mqtt_username', 'mqttUsername'],
  ['mqtt_password_file', 'mqttPasswordFile'],
  ['mqtt_ca', 'mqttCa'],
  ['mqtt_cert', 'mqttCert'],
  ['mqtt_key', 'mqttKey'],
  ['mqtt_interval', 'mqttIntervalMs'],
  ['mqtt_keepalive', 'mqttKeepaliveS'],
  ['mqtt_homeassistant', 'mqttHomeAssistant'],
  ['mqtt_commands', 'mqttCommands'],
] as const;

/**
 * The `mqtt` part of the Config, or undefined when no broker is named (then nothing loads
 * MQTT.js). Checks the relations between the mqtt_* lines.
 */
export function mqttConfigFrom(draft: HaCfDraft, file: string, diag: Diagnostics): MqttConfig | undefined {
  const brokers = draft.mqttBrokers ?? [];
  const set = MQTT_SETTINGS.filter(([, key]) => draft[key] !== undefined);
  if (brokers.length === 0) {
    for (const [name, key] of set) {
      diag.warning((draft[key] as Setting<unknown>).source, `${name} has no effect without an "mqtt_broker URL" line`);
    }
    return undefined;
  }
  const at = (s: Setting<unknown> | undefined): SourceLine => s?.source ?? { file, line: 0 };
  if (draft.mqttCert && !draft.mqttKey) diag.error(at(draft.mqttCert), 'mqtt_cert needs mqtt_key (the private key of the certificate)');
  if (draft.mqttKey && !draft.mqttCert) diag.error(at(draft.mqttKey), 'mqtt_key needs mqtt_cert (the certificate of the key)');
  if (draft.mqttPasswordFile && !draft.mqttUsername) {
    diag.error(at(draft.mqttPasswordFile), 'mqtt_password_file needs mqtt_username (MQTT sends a password only with a user name)');
  }
  const tlsFile = draft.mqttCa ?? draft.mqttCert ?? draft.mqttKey;
  if (tlsFile && !brokers.some((b) => TLS_PROTOCOLS.includes(new URL(b.value).protocol))) {
    diag.warning(tlsFile.source, 'mqtt_ca/mqtt_cert/mqtt_key are only used with mqtts:// or wss:// brokers, and every mqtt_broker here is plain');
  }
  if (draft.mqttPasswordFile && brokers.some((b) => !TLS_PROTOCOLS.includes(new URL(b.value).protocol))) {
    diag.warning(draft.mqttPasswordFile.source, 'the MQTT password crosses the network in clear text to the mqtt:// or ws:// brokers; prefer mqtts:// or wss://');
  }
  return {
    brokers: brokers.map((b) => b.value),
    prefix: draft.mqttPrefix?.value ?? DEFAULT_MQTT_PREFIX,
    ...(draft.mqttUsername ? { username: draft.mqttUsername.value } : {}),
    ...(draft.mqttPasswordFile ? { passwordFile: draft.mqttPasswordFile.value } : {}),
    ...(draft.mqttCa ? { ca: draft.mqttCa.value } : {}),
    ...(draft.mqttCert ? { cert: draft.mqttCert.value } : {}),
    ...(draft.mqttKey ? { key: draft.mqttKey.value } : {}),
    intervalMs: draft.mqttIntervalMs?.value ?? DEFAULT_MQTT_INTERVAL_MS,
    keepaliveS: draft.mqttKeepaliveS?.value ?? DEFAULT_MQTT_KEEPALIVE_S,
    homeAssistant: draft.mqttHomeAssistant?.value ?? false,
    commands: draft.mqttCommands?.value ?? false,
  };
}
