// Heartbeat's classic framing, what twinbeat sends: a line `>>>`, one `name=value` line per
// field, a line `<<<`, then a NUL as Heartbeat sends it. Readable in `tcpdump -A` and on a
// serial terminal. A binary field, which twinbeat never sends, reads as `(1)name=BASE64`.
import { FIELD_NAME, type WireField } from './fields';
import { MAX_FIELDS } from './limits';

export const CLASSIC_START = Buffer.from('>>>\n');
export const CLASSIC_END = Buffer.from('<<<\n');

/** Fields (the auth field already among them) to a classic frame. */
export function encodeClassic(fields: readonly WireField[]): Buffer {
  const lines = ['>>>'];
  for (const f of fields) {
    const value = f.type === 1 ? f.value.toString('base64') : f.value.toString('utf8');
    // Our own values never hold a newline or NUL; one that did would forge a field.
    if (/[\n\0]/.test(value) || !FIELD_NAME.test(f.name)) throw new Error(`cannot send field ${JSON.stringify(f.name)}`);
    lines.push(`${f.type === 1 ? '(1)' : ''}${f.name}=${value}`);
  }
  lines.push('<<<', '\0');
  return Buffer.from(lines.join('\n'));
}

export type FieldsOrReason = { ok: true; fields: WireField[] } | { ok: false; reason: 'no-terminator' | 'bad-field' | 'bad-framing'; detail: string };

/** A classic frame's fields; the frame may end with NULs or line ends after `<<<`. */
export function decodeClassic(frame: Buffer): FieldsOrReason {
  if (!frame.subarray(0, 4).equals(CLASSIC_START)) return { ok: false, reason: 'bad-framing', detail: 'does not start with >>>' };
  let end = frame.length;
  while (end > 0 && (frame[end - 1] === 0 || frame[end - 1] === 0x0a || frame[end - 1] === 0x0d)) end--;
  const text = frame.toString('latin1', 4, end);
  const lines = text.split('\n');
  if (lines.pop() !== '<<<') return { ok: false, reason: 'no-terminator', detail: 'no <<< line at the end' };
  if (lines.length > MAX_FIELDS) return { ok: false, reason: 'bad-field', detail: `more than ${MAX_FIELDS} fields` };
  const fields: WireField[] = [];
  const seen = new Set<string>();
  for (const raw of lines) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const eq = line.indexOf('=');
    if (eq <= 0) return { ok: false, reason: 'bad-field', detail: `not name=value: ${JSON.stringify(line.slice(0, 40))}` };
    let name = line.slice(0, eq);
    let type: 0 | 1 = 0;
    if (name.startsWith('(1)')) {
      name = name.slice(3);
      type = 1;
    }
    if (!FIELD_NAME.test(name)) return { ok: false, reason: 'bad-field', detail: `bad field name ${JSON.stringify(name.slice(0, 40))}` };
    if (seen.has(name)) return { ok: false, reason: 'bad-field', detail: `field ${name} repeated` };
    seen.add(name);
    const valueText = line.slice(eq + 1);
    if (type === 1 && !/^[A-Za-z0-9+/]*={0,2}$/.test(valueText)) return { ok: false, reason: 'bad-field', detail: `field ${name} is not base64` };
    fields.push({ name, type, value: type === 1 ? Buffer.from(valueText, 'base64') : Buffer.from(valueText, 'latin1') });
  }
  return { ok: true, fields };
}
