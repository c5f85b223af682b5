// A frame's fields in order, as bytes: Heartbeat's string fields (type 0) and binary ones
// (type 1, such as `srcuuid`). Order matters: the auth digest covers the fields as they came.
export interface WireField {
  name: string;
  /** 0 string, 1 binary: Heartbeat's netstring type numbers. */
  type: 0 | 1;
  value: Buffer;
}

/** Heartbeat's field names are short words; anything else in a name is a broken frame. */
export const FIELD_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export const stringField = (name: string, value: string): WireField => ({ name, type: 0, value: Buffer.from(value) });

/**
 * The bytes Heartbeat's inner digest covers: every field but `auth`, in order, as classic text
 * lines: `name=value\n`, or `(1)name=BASE64\n` for a binary field.
 */
export function digestText(fields: readonly WireField[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of fields) {
    if (f.name === 'auth') continue;
    if (f.type === 1) parts.push(Buffer.from(`(1)${f.name}=${f.value.toString('base64')}\n`));
    else parts.push(Buffer.from(`${f.name}=`), f.value, NEWLINE);
  }
  return Buffer.concat(parts);
}

const NEWLINE = Buffer.from('\n');

/** The string fields as name/value pairs (binary ones left out), for reading a message. */
export function textFields(fields: readonly WireField[]): [string, string][] {
  return fields.filter((f) => f.type === 0).map((f) => [f.name, f.value.toString('utf8')]);
}
