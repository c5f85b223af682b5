// Heartbeat's netstring framing, what a Heartbeat 3.0.6 node actually sends: a line `###`, then
// per field `LEN:(TYPE)name=value,`, then a line `%%%`, then `LEN:N DIGEST,`, the outer digest
// over everything from `###` through `%%%`. Only types 0 (string) and 1 (binary) occur between
// two v1 nodes; nested messages and lists are refused.
import { FIELD_NAME, type WireField } from './fields';
import { MAX_FIELDS, MAX_FRAME_BYTES } from './limits';

export const NETSTRING_START = Buffer.from('###\n');
export const NETSTRING_END = Buffer.from('%%%\n');

type Reason = 'no-terminator' | 'bad-field' | 'bad-framing';
export type NetstringParts =
  | { ok: true; fields: WireField[]; signedBytes: Buffer; outerAuth: string; length: number }
  | { ok: false; reason: Reason; detail: string };

type Item = { ok: true; data: Buffer; next: number } | { ok: false; reason: Reason; detail: string } | { ok: 'short' };

/** One `LEN:data,` at `at`; 'short' when the frame ends inside it. */
export function readNetstring(frame: Buffer, at: number): Item {
  let i = at;
  let len = 0;
  for (let digit = frame[i]; digit !== undefined && digit >= 0x30 && digit <= 0x39; digit = frame[i]) {
    len = len * 10 + (digit - 0x30);
    if (++i - at > 6 || len > MAX_FRAME_BYTES) return { ok: false, reason: 'bad-framing', detail: 'netstring length too long' };
  }
  if (i >= frame.length) return { ok: 'short' };
  if (i === at || frame[i] !== 0x3a) return { ok: false, reason: 'bad-framing', detail: `expected a netstring length at byte ${at}` };
  const start = i + 1;
  if (start + len >= frame.length) return { ok: 'short' };
  if (frame[start + len] !== 0x2c) return { ok: false, reason: 'bad-framing', detail: `netstring at byte ${at} does not end in ","` };
  return { ok: true, data: frame.subarray(start, start + len), next: start + len + 1 };
}

/**
 * Where a netstring frame that starts at 0 ends: its length, 'short' if more bytes are needed,
 * or why it is broken. The stream splitter uses this to cut frames without trusting the content.
 */
export function netstringFrameLength(frame: Buffer): number | 'short' | { reason: Reason; detail: string } {
  let at = NETSTRING_START.length;
  for (let n = 0; n <= MAX_FIELDS + 1; n++) {
    if (frame.length < at + NETSTRING_END.length) return 'short';
    if (frame.subarray(at, at + NETSTRING_END.length).equals(NETSTRING_END)) {
      const outer = readNetstring(frame, at + NETSTRING_END.length);
      if (outer.ok === 'short') return 'short';
      return outer.ok ? outer.next : { reason: outer.reason, detail: outer.detail };
    }
    const item = readNetstring(frame, at);
    if (item.ok === 'short') return 'short';
    if (!item.ok) return { reason: item.reason, detail: item.detail };
    at = item.next;
  }
  return { reason: 'bad-field', detail: `more than ${MAX_FIELDS} fields` };
}

export function decodeNetstring(frame: Buffer): NetstringParts {
  if (!frame.subarray(0, 4).equals(NETSTRING_START)) return { ok: false, reason: 'bad-framing', detail: 'does not start with ###' };
  const length = netstringFrameLength(frame);
  if (length === 'short') return { ok: false, reason: 'no-terminator', detail: 'frame ends before %%% and its digest' };
  if (typeof length !== 'number') return { ok: false, ...length };
  for (let i = length; i < frame.length; i++) {
    if (frame[i] !== 0 && frame[i] !== 0x0a) return { ok: false, reason: 'bad-framing', detail: 'bytes after the outer digest' };
  }
  const fields: WireField[] = [];
  const seen = new Set<string>();
  let at = NETSTRING_START.length;
  while (!frame.subarray(at, at + 4).equals(NETSTRING_END)) {
    const item = readNetstring(frame, at) as { ok: true; data: Buffer; next: number };
    at = item.next;
    const field = parseField(item.data);
    if (typeof field === 'string') return { ok: false, reason: 'bad-field', detail: field };
    if (seen.has(field.name)) return { ok: false, reason: 'bad-field', detail: `field ${field.name} repeated` };
    seen.add(field.name);
    fields.push(field);
  }
  const signedEnd = at + NETSTRING_END.length;
  const outer = readNetstring(frame, signedEnd) as { ok: true; data: Buffer };
  return { ok: true, fields, signedBytes: frame.subarray(0, signedEnd), outerAuth: outer.data.toString('latin1'), length };
}

/** `(TYPE)name=value` to a field, or why not. */
function parseField(data: Buffer): WireField | string {
  const close = data.indexOf(0x29); // ')'
  if (data[0] !== 0x28 || close < 2 || close > 4) return 'netstring field without (TYPE)';
  const type = data.toString('latin1', 1, close);
  if (type !== '0' && type !== '1') return `field type (${type}) is not used between two v1 nodes`;
  const eq = data.indexOf(0x3d, close); // '='
  if (eq < 0) return 'netstring field without name=value';
  const name = data.toString('latin1', close + 1, eq);
  if (!FIELD_NAME.test(name)) return `bad field name ${JSON.stringify(name.slice(0, 40))}`;
  return { name, type: type === '1' ? 1 : 0, value: Buffer.from(data.subarray(eq + 1)) };
}

/** Fields to a netstring frame with its outer digest (used by tests and the fuzzer: twinbeat sends classic). */
export function encodeNetstring(fields: readonly WireField[], outerSign: (signed: Buffer) => string): Buffer {
  const parts: Buffer[] = [NETSTRING_START];
  for (const f of fields) {
    const body = Buffer.concat([Buffer.from(`(${f.type})${f.name}=`), f.value]);
    parts.push(Buffer.from(`${body.length}:`), body, Buffer.from(','));
  }
  parts.push(NETSTRING_END);
  const signed = Buffer.concat(parts);
  const outer = Buffer.from(outerSign(signed));
  return Buffer.concat([signed, Buffer.from(`${outer.length}:`), outer, Buffer.from(',')]);
}
