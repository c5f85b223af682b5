// Reads authkeys: `auth N` picks the key to send with; `N METHOD [KEY]` lines define keys.
import { Diagnostics } from './diagnostics';
import { meaningfulLines, splitWords, unreadableWords } from './text';
import type { AuthConfig, AuthKey, AuthMethod, SourceLine } from './types';

const METHODS: readonly AuthMethod[] = ['crc', 'md5', 'sha1', 'sha256'];
/** Heartbeat keeps keys in a table of 16. */
const MAX_INDEX = 15;

/**
 * A key line as an error may show it: the index and the method when they are what they should
 * be, and nothing else. A malformed line may be a key written in the wrong place ("1 Hunter2"
 * with the method left out), so any word that is not plainly an index or a method is hidden.
 */
export function redactedLine(words: string[]): string {
  const [first = '', second, ...rest] = words;
  const shownWords = [/^\d{1,3}$/.test(first) || first === 'auth' ? first : '<hidden>'];
  if (second !== undefined) shownWords.push((METHODS as readonly string[]).includes(second.toLowerCase()) ? second : '<hidden>');
  if (rest.length > 0) shownWords.push('<key hidden>');
  return shownWords.join(' ');
}

function parseIndex(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n <= MAX_INDEX ? n : undefined;
}

/** Reads the keys; the file's owner and mode are checked by its reader (secret-file.ts). */
export function parseAuthkeys(content: string, file: string, diag: Diagnostics): AuthConfig | undefined {
  let send: { index: number; source: SourceLine } | undefined;
  let sawAuthLine = false;
  /** Indexes of key lines already reported as wrong: "key N is not defined" would repeat them. */
  const rejected = new Set<number>();
  const keys: AuthKey[] = [];
  for (const { line, text } of meaningfulLines(content)) {
    const source = { file, line };
    const words = splitWords(text);
    const unreadable = unreadableWords(words);
    if (unreadable !== undefined) {
      diag.error(source, unreadable);
      continue;
    }
    if (words[0] === 'auth') {
      sawAuthLine = true;
      const index = words.length === 2 ? parseIndex(words[1] ?? '') : undefined;
      if (index === undefined) {
        diag.error(source, `expected "auth N" with N from 0 to ${MAX_INDEX}, the key to send with`);
      } else if (send) {
        diag.error(source, `auth is already given at line ${send.source.line}`);
      } else {
        send = { index, source };
      }
      continue;
    }
    const [indexWord = '', methodWord = '', ...secretWords] = words;
    const index = parseIndex(indexWord);
    if (index === undefined) {
      diag.error(source, `expected "N METHOD KEY" (N from 0 to ${MAX_INDEX}) or "auth N", found "${redactedLine(words)}"`);
      continue;
    }
    const method = methodWord.toLowerCase() as AuthMethod;
    if (!METHODS.includes(method)) {
      rejected.add(index);
      // Not echoed: a line without its method ("1 SECRET") has the key where the method goes.
      diag.error(source, `key ${index}: the second word is not a method; expected "${index} METHOD KEY" with METHOD one of ${METHODS.join(', ')} (sha256 recommended)`);
      continue;
    }
    if (method !== 'crc' && secretWords.length !== 1) {
      rejected.add(index);
      diag.error(
        source,
        secretWords.length === 0
          ? `key ${index}: ${method} needs a secret: "${index} ${method} SECRET"`
          : `key ${index}: the secret must be one word without spaces`,
      );
      continue;
    }
    if (keys.some((k) => k.index === index)) {
      diag.error(source, `key ${index} is defined twice`);
      continue;
    }
    if (method === 'crc') {
      diag.warning(source, `key ${index}: crc authenticates nothing (anyone on the path can forge heartbeats); use "${index} sha256 SECRET"`);
    }
    keys.push({ index, method, secret: method === 'crc' ? '' : (secretWords[0] ?? ''), source });
  }
  if (!send) {
    // A malformed auth line was reported where it stands; only a missing one is reported here.
    if (!sawAuthLine) diag.error({ file, line: 0 }, 'no "auth N" line: name the key to send with, e.g. "auth 1"');
    return undefined;
  }
  if (!keys.some((k) => k.index === send.index)) {
    if (rejected.has(send.index)) return undefined;
    const defined = keys.map((k) => k.index).join(', ') || 'none';
    diag.error(send.source, `auth ${send.index} selects key ${send.index}, which is not defined (defined: ${defined})`);
    return undefined;
  }
  return { sendIndex: send.index, keys };
}
