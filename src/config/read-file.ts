// Reads a file that configures twinbeat (ha.cf, haresources, authkeys, the MQTT password and
// certificates) so that no such file can hang or swamp the agent: a FIFO would block the read
// for good (and SIGHUP with it), /dev/zero or /dev/urandom never end, and a 50 MB file costs
// gigabytes once split into lines. So: only regular files (after following symlinks), opened
// without blocking, and never more than a limit far above any real configuration.
import { constants, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';

/** 1 MiB: the largest real ha.cf seen is a few KB. */
export const MAX_FILE_BYTES = 1 << 20;
const CHUNK_BYTES = 64 * 1024;

export type FileRead =
  | { ok: true; bytes: Buffer; text: string; stats: Stats }
  /** `problem` reads after the file's name: "is a FIFO (named pipe), not a regular file"; `code` is the system's error code, if one. */
  | { ok: false; problem: string; code?: string };

/** What a non-regular file is, in words. */
export function fileKind(s: Stats): string {
  if (s.isDirectory()) return 'a directory';
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  return 'not a plain file';
}

const notRegular = (s: Stats) => `is ${fileKind(s)}, not a regular file: it must be a plain file`;
const unreadable = (err: unknown): { ok: false; problem: string; code?: string } => {
  const code = (err as NodeJS.ErrnoException).code;
  return { ok: false, problem: `cannot be read (${code ?? String(err)})`, ...(code ? { code } : {}) };
};
const tooLarge = (limit: number) => `is larger than ${limit} bytes (${limit >> 10} KiB), far more than any configuration: is it the right file?`;

/** Reads `path` as UTF-8 (invalid bytes become U+FFFD, which the parsers then refuse in a value). */
export async function readBoundedFile(path: string, limit = MAX_FILE_BYTES): Promise<FileRead> {
  let before: Stats;
  try {
    // stat opens nothing: a FIFO or a device is refused before it could block or act.
    before = await stat(path);
  } catch (err) {
    return unreadable(err);
  }
  if (!before.isFile()) return { ok: false, problem: notRegular(before) };
  if (before.size > limit) return { ok: false, problem: tooLarge(limit) };
  let handle;
  try {
    // O_NONBLOCK: if the path was swapped for a FIFO since the stat, open returns at once.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    return unreadable(err);
  }
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) return { ok: false, problem: notRegular(opened) };
    // Read to the end, but never more than one byte past the limit: a file that grew since the
    // stat (or a /proc file, whose size says 0) stays bounded too.
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, limit + 1 - length));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      length += bytesRead;
      if (length > limit) return { ok: false, problem: tooLarge(limit) };
    }
    const bytes = Buffer.concat(chunks, length);
    return { ok: true, bytes, text: bytes.toString('utf8'), stats: opened };
  } catch (err) {
    return unreadable(err);
  } finally {
    await handle.close();
  }
}
