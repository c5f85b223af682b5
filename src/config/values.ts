// Parsers for the values that appear in Heartbeat's files. Each returns the value, or a
// string saying what a right value looks like (the caller adds file:line).
import { isIP } from 'node:net';

export type Parsed<T> = { ok: true; value: T } | { ok: false; expected: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(expected: string): Parsed<T> => ({ ok: false, expected });

/**
 * The longest time any directive may give: a day. No heartbeat, check or reset wait is
 * meaningfully longer, and every timer derived from these (fence_delay's 2 x deadtime, the
 * reset retries' 8 x deadtime) stays far inside Node's timer range of 2^31-1 ms (24.8 days),
 * past which Node fires the timer after 1 ms instead, in a loop.
 */
export const MAX_DURATION_MS = 86_400_000;

/**
 * A duration as Heartbeat's cl_get_msec reads it: a bare number is seconds, `ms` means
 * milliseconds; twinbeat also accepts an explicit `s`. Fractions are allowed (`1.5`, `0.2s`).
 */
export function parseDuration(text: string): Parsed<number> {
  const match = /^(\d+(?:\.\d*)?|\.\d+)(ms|s)?$/.exec(text);
  if (!match) return bad('a duration such as 2 (seconds), 1.5s or 200ms');
  const amount = Number(match[1]);
  const ms = Math.round(match[2] === 'ms' ? amount : amount * 1000);
  return ms <= MAX_DURATION_MS ? ok(ms) : bad('a duration of at most a day (86400 seconds)');
}

/** Heartbeat's cl_str_to_boolean: true/false, yes/no, on/off, y/n, 1/0, any case. */
export function parseBoolean(text: string): Parsed<boolean> {
  const word = text.toLowerCase();
  if (['true', 'yes', 'on', 'y', '1'].includes(word)) return ok(true);
  if (['false', 'no', 'off', 'n', '0'].includes(word)) return ok(false);
  return bad('on or off (also yes/no, true/false)');
}

export function parseInteger(text: string, min: number, max: number): Parsed<number> {
  if (!/^\d+$/.test(text)) return bad(`a whole number from ${min} to ${max}`);
  const n = Number(text);
  return n >= min && n <= max ? ok(n) : bad(`a whole number from ${min} to ${max}`);
}

/** The speeds Heartbeat's serial medium accepts. */
export const SERIAL_SPEEDS = [9600, 19200, 38400, 57600, 115200, 230400, 460800] as const;

export function parseBaud(text: string): Parsed<number> {
  const n = Number(text);
  return (SERIAL_SPEEDS as readonly number[]).includes(n) && /^\d+$/.test(text)
    ? ok(n)
    : bad(`one of ${SERIAL_SPEEDS.join(', ')}`);
}

/**
 * A Linux interface name, as the kernel's dev_valid_name takes it: 1 to 15 characters, no
 * slash, colon or whitespace, and not "." or ".." (twinbeat also keeps to letters, digits and
 * "_.@-"). `alias` admits the colon of an address label (eth0:1).
 */
export function isInterfaceName(text: string, alias = false): boolean {
  return (alias ? /^[A-Za-z0-9_.:@-]{1,15}$/ : /^[A-Za-z0-9_.@-]{1,15}$/).test(text) && text !== '.' && text !== '..';
}

/** What a node name may be: a host name as `uname -n` prints it. */
export const NODE_NAME_RULE = 'a host name as `uname -n` prints it: letters, digits, "-", "_" and ".", at most 64 characters, starting and ending with a letter or digit';

/**
 * A host name's characters (RFC 1123 labels, plus the "_" that systemd's hostnamectl
 * allows), at most 64: the kernel's limit on `uname -n`. A node name is sent in every
 * heartbeat and printed in every log line, so nothing else is taken.
 */
export function isNodeName(text: string): boolean {
  return /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9])?$/.test(text) && !text.includes('..');
}

/**
 * A resource script's name: a plain file name looked up in resource.d/ and the init
 * directory, so no "/" and not "." or "..", which would name a directory instead.
 */
export function isScriptName(text: string): boolean {
  return /^[A-Za-z0-9_.@+-]{1,255}$/.test(text) && text !== '.' && text !== '..';
}

export function ipFamily(text: string): 4 | 6 | undefined {
  const family = isIP(text);
  return family === 4 || family === 6 ? family : undefined;
}

export function isMulticastAddress(text: string): boolean {
  const family = ipFamily(text);
  if (family === 4) {
    const first = Number(text.split('.')[0]);
    return first >= 224 && first <= 239;
  }
  return family === 6 && text.toLowerCase().startsWith('ff');
}

export const SYSLOG_FACILITIES = [
  'auth', 'authpriv', 'cron', 'daemon', 'ftp', 'kern', 'lpr', 'mail', 'news', 'syslog', 'user', 'uucp',
  'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7', 'none',
] as const;

export function formatDuration(ms: number): string {
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
