// Line handling shared by the three Heartbeat files.
//
// Heartbeat's "whitespace" is space, tab, CR, LF and FF. twinbeat also treats a non-breaking
// space (U+00A0) as whitespace: a config copied from a web page brings them after every value
// (the seed tutorial's ha.cf does), and in Heartbeat they silently became part of the value.

import { firstControl } from '../printable';

const WHITESPACE_CLASS = '[ \\t\\r\\n\\f\\u00a0]';
const WORD_SEPARATOR = new RegExp(`${WHITESPACE_CLASS}+`);
const EDGE_WHITESPACE = new RegExp(`^${WHITESPACE_CLASS}+|${WHITESPACE_CLASS}+$`, 'g');

export interface NumberedLine {
  /** 1-based line number in the file. */
  line: number;
  /** The line with its comment removed and its edges trimmed; never empty. */
  text: string;
}

/**
 * Why a line's words cannot be taken as they are, or undefined when they can. A value holding
 * a control character (a NUL, an ESC) is never what the operator meant, and a U+FFFD stands for
 * bytes that were not UTF-8, so the value read is not the one in the file. Comments may hold
 * anything (an old file's Latin-1 comment is harmless): only the words are checked.
 */
export function unreadableWords(words: string[]): string | undefined {
  for (const word of words) {
    const control = firstControl(word);
    if (control !== undefined) return `the line holds a control character (${control}): configuration files are plain text; remove it`;
    if (word.includes('\ufffd')) return 'the line holds bytes that are not UTF-8 text (or a U+FFFD): write the value in plain UTF-8';
  }
  return undefined;
}

export function trimWhitespace(text: string): string {
  return text.replace(EDGE_WHITESPACE, '');
}

export function splitWords(text: string): string[] {
  const trimmed = trimWhitespace(text);
  return trimmed === '' ? [] : trimmed.split(WORD_SEPARATOR);
}

/**
 * ha.cf and authkeys: everything from the first `#` on a line is a comment (inline comments
 * work, as in Heartbeat), blank lines are skipped.
 */
export function meaningfulLines(content: string): NumberedLine[] {
  const out: NumberedLine[] = [];
  content.split('\n').forEach((raw, index) => {
    const hash = raw.indexOf('#');
    const text = trimWhitespace(hash >= 0 ? raw.slice(0, hash) : raw);
    if (text !== '') out.push({ line: index + 1, text });
  });
  return out;
}

/**
 * haresources: a line ending in a backslash continues on the next one (reported at the line
 * where it started). A word that begins with `#` starts a comment, so `#` inside a resource
 * argument is kept, as Heartbeat's resource scripts would see it.
 */
export function continuedLines(content: string): NumberedLine[] {
  const out: NumberedLine[] = [];
  let pending: { line: number; words: string[] } | undefined;
  content.split('\n').forEach((raw, index) => {
    let text = trimWhitespace(raw);
    const continues = text.endsWith('\\');
    if (continues) text = text.slice(0, -1);
    const words: string[] = [];
    for (const word of splitWords(text)) {
      if (word.startsWith('#')) break;
      words.push(word);
    }
    const current = pending ?? { line: index + 1, words: [] };
    current.words.push(...words);
    if (continues) {
      pending = current;
      return;
    }
    pending = undefined;
    if (current.words.length > 0) out.push({ line: current.line, text: current.words.join(' ') });
  });
  if (pending && pending.words.length > 0) out.push({ line: pending.line, text: pending.words.join(' ') });
  return out;
}
