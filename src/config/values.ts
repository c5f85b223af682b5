// Parsers for the values that appear in Heartbeat's files. Each returns the value, or a
// string saying what a right value looks like (the caller adds file:line).
import { isIP } from 'node:net';

export type Parsed<T> = { ok: true; value: T } | { ok: false; expected: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(expected: string): Parsed<T> => ({ ok: false, expected });

/**
 * A duration as Heartbeat's cl_get_msec reads it: a bare number is seconds, `ms` means
 * milliseconds; twinbeat also accepts an explicit `s`. Fractions are allowed (`1.5`, `0.2s`).
 */
export function parseDuration(text: string): Parsed<number> {
  const match = /^(\d+(?:\.\d*)?|\.\d+)(ms|s)?$/.exec(text);
  if (!match) return bad('a duration such as 2 (seconds), 1.5s or 200ms');
  const amount = Number(match[1]);
  const ms = match[2] === 'ms' ? amount : amount * 1000;
  return ok(Math.round(ms));
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

/** A Linux interface name: 1 to 15 characters, no slash, colon or whitespace. */
export function isInterfaceName(text: string): boolean {
  return /^[A-Za-z0-9_.@-]{1,15}$/.test(text);
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
