// The digests Heartbeat puts in a frame, computed as Heartbeat computes them (see
// ../shared/reference/heartbeat-facts.md): `md5` and `sha1` are HMACs keyed with the key's text,
// `crc` is POSIX cksum's CRC-32 with no key (it only catches line noise; anyone can forge it),
// and `sha256`, twinbeat's own, is HMAC-SHA256 over the same bytes.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AuthConfig, AuthKey, AuthMethod } from '../config/types';

const CKSUM_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let bit = 0; bit < 8; bit++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    table[i] = c >>> 0;
  }
  return table;
})();

/** POSIX cksum's CRC without the length appended, as Heartbeat's crc auth uses it. */
export function cksumCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < bytes.length; i++) crc = ((crc << 8) ^ CKSUM_TABLE[((crc >>> 24) ^ bytes[i]!) & 0xff]!) >>> 0;
  return ~crc >>> 0;
}

const HMAC_OF: Record<Exclude<AuthMethod, 'crc'>, string> = { md5: 'md5', sha1: 'sha1', sha256: 'sha256' };

/** The digest text Heartbeat writes after `N `: lowercase hex (crc without leading zeros). */
export function digest(method: AuthMethod, secret: string, bytes: Uint8Array): string {
  if (method === 'crc') return cksumCrc(bytes).toString(16);
  return createHmac(HMAC_OF[method], secret).update(bytes).digest('hex');
}

/** `N DIGEST` with the sending key. */
export function sign(key: AuthKey, bytes: Uint8Array): string {
  return `${key.index} ${digest(key.method, key.secret, bytes)}`;
}

export type Verdict = { ok: true; key: AuthKey } | { ok: false; reason: 'unknown-key' | 'bad-auth' };

/** Checks `N DIGEST` against the listed key N (any listed key is accepted: keys can be rotated). */
export function verify(auth: AuthConfig, field: string, bytes: Uint8Array): Verdict {
  const match = /^(\d{1,2}) ([0-9a-f]{1,128})$/.exec(field);
  if (!match) return { ok: false, reason: 'bad-auth' };
  const key = auth.keys.find((k) => k.index === Number(match[1]));
  if (!key) return { ok: false, reason: 'unknown-key' };
  const expected = Buffer.from(digest(key.method, key.secret, bytes));
  const given = Buffer.from(match[2]!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'bad-auth' };
  return { ok: true, key };
}

export function sendingKey(auth: AuthConfig): AuthKey {
  const key = auth.keys.find((k) => k.index === auth.sendIndex);
  // loadAuthkeys refuses a file whose `auth N` names no key, so this is a programming error.
  if (!key) throw new Error(`authkeys: auth ${auth.sendIndex} names no key`);
  return key;
}
