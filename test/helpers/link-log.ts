// A LinkLog that keeps its lines, for asserting "one line per change of condition".
import type { LinkLog } from '../../src/links/link';

export class RecordingLog implements LinkLog {
  readonly lines: string[] = [];

  info(message: string): void {
    this.lines.push(`info: ${message}`);
  }

  warn(message: string): void {
    this.lines.push(`warn: ${message}`);
  }

  debug(message: string): void {
    this.lines.push(`debug: ${message}`);
  }

  /** The lines that contain `text`. */
  matching(text: string): string[] {
    return this.lines.filter((line) => line.includes(text));
  }
}

/** Polls `check` every 10 ms until it is true, at most `timeoutMs`; returns whether it became true. */
export async function eventually(check: () => boolean, timeoutMs = 3_000): Promise<boolean> {
  for (let waited = 0; waited <= timeoutMs; waited += 10) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return check();
}
