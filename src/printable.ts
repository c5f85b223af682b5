// What twinbeat prints of text it did not write itself (a configuration value, a command name
// from the control socket, a line of a hostile file) goes through here, so that no control byte
// reaches a terminal or a log raw (an ESC could rewrite the screen, a NUL or CR hide the rest of
// a line) and a 1 MB value does not become a 1 MB error message.

/** C0 controls, DEL, C1 controls, the line/paragraph separators and the bidirectional overrides. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_ONE = new RegExp(UNSAFE.source);

/** A value longer than this is cut in messages: enough to recognise it, short enough to read. */
export const SHOWN_LENGTH = 64;
/** A path is cut later than a word: a device's by-id name is long, and a path is best seen whole. */
export const SHOWN_PATH_LENGTH = 256;

function escapeOne(char: string): string {
  const code = char.charCodeAt(0);
  if (char === '\t') return '\\t';
  if (char === '\n') return '\\n';
  if (char === '\r') return '\\r';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every unsafe character written as an escape (`\x1b`, `\x00`, `\u202e`). */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

/** The first character of `text` that `escapeControls` would rewrite, as its escape; undefined if none. */
export function firstControl(text: string): string | undefined {
  const match = UNSAFE_ONE.exec(text);
  return match ? escapeOne(match[0]) : undefined;
}

/**
 * A value as a message shows it: escaped, and cut to `max` characters with the number left
 * out said, so that the reader knows it was cut.
 */
export function shown(value: string, max = SHOWN_LENGTH): string {
  let cut = value.length > max ? value.slice(0, max) : value;
  // Never half of a surrogate pair: it would print as a replacement character.
  if (cut.length < value.length && /[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  const rest = value.length - cut.length;
  return `${escapeControls(cut)}${rest > 0 ? `...(${rest} more characters)` : ''}`;
}
