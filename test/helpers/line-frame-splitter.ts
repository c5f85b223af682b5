// A stand-in for src/wire's stream splitter, for the link tests only: a frame is `>>>` up to
// and including the next `<<<\n`; bytes before a `>>>` are noise, skipped and counted; a frame
// longer than `limit` is dropped and the search starts again after its `>>>`.
import type { FrameBytes, FrameSplitter } from '../../src/links/link';

const START = Buffer.from('>>>');
const END = Buffer.from('<<<\n');

export class LineFrameSplitter implements FrameSplitter {
  private pending = Buffer.alloc(0);
  private noise = 0;
  private oversized = 0;

  constructor(private readonly limit = 4096) {}

  push(chunk: Buffer): FrameBytes[] {
    this.pending = Buffer.concat([this.pending, chunk]);
    const frames: FrameBytes[] = [];
    // Each pass consumes bytes, so the loop ends; the bound only documents that.
    for (let pass = 0; pass < 100_000; pass++) {
      const start = this.pending.indexOf(START);
      if (start < 0) {
        // Keep a tail that could be the beginning of `>>>`; the rest is noise.
        const keep = Math.min(this.pending.length, START.length - 1);
        this.noise += this.pending.length - keep;
        this.pending = this.pending.subarray(this.pending.length - keep);
        break;
      }
      this.noise += start;
      this.pending = this.pending.subarray(start);
      const end = this.pending.indexOf(END, START.length);
      if (end < 0) {
        if (this.pending.length > this.limit) {
          this.oversized += 1;
          this.pending = this.pending.subarray(START.length);
          continue;
        }
        break;
      }
      const frame = this.pending.subarray(0, end + END.length);
      this.pending = this.pending.subarray(end + END.length);
      if (frame.length > this.limit) this.oversized += 1;
      else frames.push(Buffer.from(frame));
    }
    this.pending = Buffer.from(this.pending);
    return frames;
  }

  counters(): Record<string, number> {
    return { 'noise-bytes': this.noise, 'oversized-frames': this.oversized };
  }
}
