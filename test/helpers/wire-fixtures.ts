// Keys and captured frames shared by the wire tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuthConfig, AuthKey, AuthMethod } from '../../src/config/types';

export const CAPTURE_FILE = join(import.meta.dirname, '../fixtures/captures/heartbeat-3.0.6-md5.jsonl');

const source = { file: 'authkeys', line: 1 };

export function key(index: number, method: AuthMethod, secret = method === 'crc' ? '' : `secret-${index}`): AuthKey {
  return { index, method, secret, source };
}

export function authWith(sendIndex: number, ...keys: AuthKey[]): AuthConfig {
  return { sendIndex, keys };
}

/** The auth Heartbeat 3.0.6 used for the captures: `auth 1` / `1 md5 labkey`. */
export const LAB_AUTH = authWith(1, key(1, 'md5', 'labkey'));

export interface CapturedFrame {
  src: string;
  dst: string;
  payload: Buffer;
}

export function capturedFrames(): CapturedFrame[] {
  return readFileSync(CAPTURE_FILE, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const j = JSON.parse(line) as { src: string; dst: string; payload_b64: string };
      return { src: j.src, dst: j.dst, payload: Buffer.from(j.payload_b64, 'base64') };
    });
}
