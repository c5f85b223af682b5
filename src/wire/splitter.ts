// Cuts the serial line's byte stream into frames. A serial line carries noise (a cable plugged
// in mid-frame, a terminal typed into, a baud mismatch), so the splitter looks for a frame
// start (`>>>` or `###`), cuts classic frames at their `<<<` line and netstring frames by their
// lengths, and starts over at the next frame start whenever a frame is broken. It never holds
// more than one frame's limit of bytes; the frames it returns are still to be decoded.
import { CLASSIC_END, CLASSIC_START } from './classic';
import { MAX_FRAME_BYTES } from './limits';
import { NETSTRING_START, netstringFrameLength } from './netstring';

const CLASSIC_TAIL = Buffer.concat([Buffer.from('\n'), CLASSIC_END]);
const LINE_CLASSIC = Buffer.concat([Buffer.from('\n'), CLASSIC_START]);
const LINE_NETSTRING = Buffer.concat([Buffer.from('\n'), NETSTRING_START]);

export interface SplitterCounters {
  'noise-bytes': number;
  'too-long': number;
  'broken-frames': number;
}

export function createFrameSplitter(maxBytes = MAX_FRAME_BYTES) {
  let pending: Buffer = Buffer.alloc(0);
  const counts: SplitterCounters = { 'noise-bytes': 0, 'too-long': 0, 'broken-frames': 0 };

  /** Drops `n` bytes from the front, counting what is not a separator (NUL, CR, LF) as noise. */
  function skip(n: number, asNoise: boolean) {
    if (asNoise) for (let i = 0; i < n; i++) if (pending[i] !== 0 && pending[i] !== 0x0a && pending[i] !== 0x0d) counts['noise-bytes']++;
    pending = pending.subarray(n);
  }

  function firstStart(from: number): number {
    const a = pending.indexOf(CLASSIC_START, from);
    const b = pending.indexOf(NETSTRING_START, from);
    return a < 0 ? b : b < 0 ? a : Math.min(a, b);
  }

  /** A new frame starting on a line of its own inside a classic frame means the first was cut short. */
  function nextLineStart(from: number): number {
    const a = pending.indexOf(LINE_CLASSIC, from);
    const b = pending.indexOf(LINE_NETSTRING, from);
    const at = a < 0 ? b : b < 0 ? a : Math.min(a, b);
    return at < 0 ? -1 : at + 1;
  }

  /** Takes one frame off the front if complete; false when more bytes are needed. */
  function takeFrame(out: Buffer[]): boolean {
    const start = firstStart(0);
    if (start < 0) {
      // Keep a possible partial start marker; everything before it is noise.
      skip(Math.max(0, pending.length - (CLASSIC_START.length - 1)), true);
      return false;
    }
    skip(start, true);
    let end: number;
    if (pending.subarray(0, 4).equals(CLASSIC_START)) {
      const tail = pending.indexOf(CLASSIC_TAIL, CLASSIC_START.length - 1);
      const restart = nextLineStart(CLASSIC_START.length - 1);
      if (restart >= 0 && (tail < 0 || restart < tail)) {
        counts['broken-frames']++;
        skip(restart, false);
        return true;
      }
      if (tail < 0) return tooLongOrWait();
      end = tail + CLASSIC_TAIL.length;
    } else {
      const length = netstringFrameLength(pending);
      if (length === 'short') return tooLongOrWait();
      if (typeof length !== 'number') {
        counts['broken-frames']++;
        skip(NETSTRING_START.length, false);
        return true;
      }
      end = length;
    }
    if (end > maxBytes) counts['too-long']++;
    else out.push(Buffer.from(pending.subarray(0, end)));
    skip(end, false);
    return true;
  }

  function tooLongOrWait(): boolean {
    if (pending.length <= maxBytes) return false;
    counts['too-long']++;
    skip(CLASSIC_START.length, false);
    return true;
  }

  return {
    push(chunk: Buffer): Buffer[] {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const out: Buffer[] = [];
      // Each round consumes at least one byte, so this ends; the bound is a second guard.
      for (let round = 0; round <= pending.length + 1 && takeFrame(out); round++);
      if (pending.length > maxBytes) skip(pending.length - maxBytes, true);
      // Hold a copy, not a view of the caller's (possibly large, reused) read buffer.
      if (pending.byteOffset !== 0 || pending.buffer.byteLength !== pending.length) pending = Buffer.from(pending);
      return out;
    },
    counters(): Record<string, number> {
      return { ...counts, 'buffered-bytes': pending.length };
    },
  };
}
