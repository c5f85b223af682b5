// A null-modem cable for tests: socat joins two pseudo-terminals, each reachable by a stable
// link name, like the two ends of a crossover serial cable. Cut it (kill socat) and plug it back
// (start socat again with the same names), as the tests of the serial path need.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class SerialCable {
  readonly endA: string;
  readonly endB: string;
  private socat: ChildProcess | undefined;

  constructor(dir = mkdtempSync(join(tmpdir(), 'twinbeat-cable-'))) {
    this.endA = join(dir, 'ttyA');
    this.endB = join(dir, 'ttyB');
  }

  /** Starts socat and waits (bounded) until both ends exist. */
  async plug(): Promise<void> {
    if (this.socat) return;
    const child = spawn('socat', [`pty,raw,echo=0,link=${this.endA}`, `pty,raw,echo=0,link=${this.endB}`], { stdio: 'ignore' });
    this.socat = child;
    for (let i = 0; i < 200; i++) {
      if (existsSync(this.endA) && existsSync(this.endB)) return;
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    this.cut();
    throw new Error(`socat did not create ${this.endA} and ${this.endB}`);
  }

  /**
   * Kills socat: both ends vanish, like a cable pulled out. The link names go too: killed -9,
   * socat cannot remove them, and a name left pointing at /dev/pts/N would lead to whichever
   * pseudo-terminal gets that number next.
   */
  cut(): void {
    const child = this.socat;
    this.socat = undefined;
    if (child?.pid && child.exitCode === null) child.kill('SIGKILL');
    rmSync(this.endA, { force: true });
    rmSync(this.endB, { force: true });
  }
}
