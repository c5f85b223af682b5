// Frames in, verified fields out; fields out, signed classic frames to send. Decoding never
// throws: anything that is not a frame signed with a listed key comes back as a DropReason.
import type { AuthConfig, AuthKey } from '../config/types';
import { sendingKey, sign, verify } from './auth';
import { CLASSIC_START, decodeClassic, encodeClassic } from './classic';
import { digestText, stringField, type WireField } from './fields';
import { MAX_FRAME_BYTES } from './limits';
import { decodeNetstring, NETSTRING_START } from './netstring';
import type { DropReason } from './reasons';

export type FrameFormat = 'classic' | 'netstring';

export type Decoded =
  | { ok: true; format: FrameFormat; fields: WireField[]; keyIndex: number }
  | { ok: false; reason: DropReason; detail: string; format?: FrameFormat; fields?: WireField[] };

const drop = (reason: DropReason, detail: string, more: Partial<Decoded> = {}): Decoded => ({ ok: false, reason, detail, ...more }) as Decoded;

export function decodeFrame(frame: Buffer, auth: AuthConfig): Decoded {
  try {
    return decodeUnsafe(frame, auth);
  } catch (err) {
    // Nothing above should throw; if it ever does, the frame is dropped, not the process.
    return drop('bad-framing', `decoder error: ${(err as Error).message}`);
  }
}

function decodeUnsafe(frame: Buffer, auth: AuthConfig): Decoded {
  if (frame.length > MAX_FRAME_BYTES) return drop('too-long', `${frame.length} bytes, the limit is ${MAX_FRAME_BYTES}`);
  const head = frame.subarray(0, 4);
  let format: FrameFormat;
  let fields: WireField[];
  if (head.equals(CLASSIC_START)) {
    format = 'classic';
    const parsed = decodeClassic(frame);
    if (!parsed.ok) return drop(parsed.reason, parsed.detail, { format });
    fields = parsed.fields;
  } else if (head.equals(NETSTRING_START)) {
    format = 'netstring';
    const parsed = decodeNetstring(frame);
    if (!parsed.ok) return drop(parsed.reason, parsed.detail, { format });
    fields = parsed.fields;
    const outer = verify(auth, parsed.outerAuth, parsed.signedBytes);
    if (!outer.ok) return drop(outer.reason, `outer digest: ${describe(outer.reason, parsed.outerAuth)}`, { format, fields });
  } else {
    return drop('bad-framing', 'starts with neither >>> nor ###');
  }
  const authField = fields.find((f) => f.name === 'auth');
  if (!authField) return drop('no-auth', 'no auth field', { format, fields });
  const authText = authField.value.toString('latin1');
  const inner = verify(auth, authText, digestText(fields));
  if (!inner.ok) return drop(inner.reason, `auth field: ${describe(inner.reason, authText)}`, { format, fields });
  return { ok: true, format, fields, keyIndex: inner.key.index };
}

function describe(reason: 'unknown-key' | 'bad-auth', text: string): string {
  const index = text.split(' ')[0] ?? '';
  return reason === 'unknown-key' ? `key ${index.slice(0, 4)} is not in authkeys` : 'digest does not match';
}

/** Signs `fields` (name/value pairs, no auth) with the `auth N` key as a classic frame. */
export function encodeFrame(pairs: readonly [string, string][], auth: AuthConfig, key: AuthKey = sendingKey(auth)): Buffer {
  const fields = pairs.map(([n, v]) => stringField(n, v));
  fields.push(stringField('auth', sign(key, digestText(fields))));
  return encodeClassic(fields);
}
