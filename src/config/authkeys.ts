// Reads authkeys: `auth N` picks the key to send with; `N METHOD [KEY]` lines define keys.
import { Diagnostics } from './diagnostics';
import { meaningfulLines, splitWords } from './text';
import type { AuthConfig, AuthKey, AuthMethod, SourceLine } from './types';

const METHODS: readonly AuthMethod[] = ['crc', 'md5', 'sha1', 'sha256'];
/** Heartbeat keeps keys in a table of 16. */
const MAX_INDEX = 15;

function parseIndex(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n <= MAX_INDEX ? n : undefined;
}

/**
 * `mode`: the file's permission bits. Like Heartbeat, twinbeat refuses a key file that
 * anyone but its owner can read or write: exactly 0600.
 */
export function parseAuthkeys(content: string, file: string, mode: number, diag: Diagnostics): AuthConfig | undefined {
  const whole: SourceLine = { file, line: 0 };
  const permissions = mode & 0o777;
  if (permissions !== 0o600) {
    diag.error(
      whole,
      `mode is ${permissions.toString(8).padStart(4, '0')}, it must be 600 (read and write for root only): chmod 600 ${file}`,
    );
  }
  let send: { index: number; source: SourceLine } | undefined;
  let sawAuthLine = false;
  /** Indexes of key lines already reported as wrong: "key N is not defined" would repeat them. */
  const rejected = new Set<number>();
  const keys: AuthKey[] = [];
  for (const { line, text } of meaningfulLines(content)) {
    const source = { file, line };
    const words = splitWords(text);
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
      diag.error(source, `expected "N METHOD KEY" (N from 0 to ${MAX_INDEX}) or "auth N", found "${text}"`);
      continue;
    }
    const method = methodWord.toLowerCase() as AuthMethod;
    if (!METHODS.includes(method)) {
      rejected.add(index);
      diag.error(source, `key ${index}: method "${methodWord}" is not one of ${METHODS.join(', ')} (sha256 recommended)`);
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
