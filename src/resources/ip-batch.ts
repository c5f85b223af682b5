// A long-lived `ip -force -batch -` for the commands of a takeover (`addr add`, `addr del`):
// one process started ahead of time, fed a line per command, instead of a fork and exec of
// iproute2 per command (3 ms each on an idle x64; more on an ARM board, and more again while
// the machine is busy). iproute2 prints nothing on stdout for these commands and writes each
// failure to stderr, followed by `Command failed -:LINE`; after each command a marker line is
// sent that always fails the same way (`link show dev` of a name that does not exist), so its
// failure line says that the command before it is done.
//
// The process may die (killed, out of memory, an argument iproute2 rejects by exiting): the
// command it was running and every later one then run the old way, one `ip` process each, and
// the log says so once. A takeover never waits on a dead batch.
import { spawn, type ChildProcess } from 'node:child_process';
import { runCommand, type CommandResult } from '../exec';

/** A name no interface has (a real one would answer on stdout and the marker would never come: the wait's limit covers it). */
const MARKER = 'twinbeat.mark';
/** Restarts after the batch died before it gives up on it for good (forks from then on). */
const MAX_RESTARTS = 3;
/** What one line can carry: no quoting, comment or line break for iproute2's batch parser to read differently. */
const PLAIN = /^[\w.:/+@%-]+$/;

interface Pending {
  line: number;
  failed: boolean;
  output: string[];
  started: number;
  resolve: (r: CommandResult) => void;
  timer: NodeJS.Timeout;
  args: string[];
  timeoutMs: number;
}

export interface IpRunner {
  /** Runs `ip ARGS...`; never rejects. */
  run(args: string[], timeoutMs: number): Promise<CommandResult>;
}

/** One `ip` process per command: what the batch falls back to. */
export class ForkingIp implements IpRunner {
  constructor(private readonly ipPath = 'ip') {}

  run(args: string[], timeoutMs: number): Promise<CommandResult> {
    return runCommand(this.ipPath, args, { timeoutMs });
  }
}

export class IpBatch implements IpRunner {
  private child: ChildProcess | undefined;
  private lines = 0;
  private partial = '';
  private readonly pending: Pending[] = [];
  private restarts = 0;
  private givenUp = false;
  private readonly fork: ForkingIp;

  constructor(
    private readonly ipPath = 'ip',
    /** Told once when the batch process is lost and commands fall back to a process each. */
    private readonly warn: (text: string) => void = () => undefined,
  ) {
    this.fork = new ForkingIp(ipPath);
  }

  /** Starts the process now, so that the first takeover does not pay for it. */
  start(): void {
    if (!this.child && !this.givenUp) this.spawnBatch();
  }

  /** True while a batch process is running (for tests and status). */
  get running(): boolean {
    return this.child !== undefined;
  }

  run(args: string[], timeoutMs: number): Promise<CommandResult> {
    // A batch line is an object and its arguments: no options. The family options are left out
    // (iproute2 reads the family from the address); a command with any other goes by fork.
    const line = args[0] === '-4' || args[0] === '-6' ? args.slice(1) : args;
    if (this.givenUp || line[0]?.startsWith('-') || !line.every((a) => PLAIN.test(a))) return this.fork.run(args, timeoutMs);
    if (!this.child) this.spawnBatch();
    const child = this.child;
    if (!child?.stdin?.writable) return this.fork.run(args, timeoutMs);
    return new Promise((resolve) => {
      const entry: Pending = {
        line: this.lines + 2,
        failed: false,
        output: [],
        started: performance.now(),
        resolve,
        args,
        timeoutMs,
        // No marker in time (a hung iproute2, or an interface that happens to have the marker's
        // name): the batch is not to be trusted; this command and the rest go by fork.
        timer: setTimeout(() => this.lose(`no answer within ${timeoutMs} ms`), timeoutMs),
      };
      this.pending.push(entry);
      this.lines += 2;
      child.stdin!.write(`${line.join(' ')}\nlink show dev ${MARKER}\n`);
    });
  }

  /** Ends the process (at agent exit; it also ends by itself when our end of its stdin closes). */
  stop(): void {
    this.givenUp = true;
    const child = this.child;
    this.child = undefined;
    child?.stdin?.end();
    child?.kill('SIGKILL');
    this.retryPending();
  }

  private spawnBatch(): void {
    let child: ChildProcess;
    try {
      child = spawn(this.ipPath, ['-force', '-batch', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    } catch (err) {
      this.giveUp(`cannot start ${this.ipPath} -batch: ${(err as Error).message}`);
      return;
    }
    this.child = child;
    this.lines = 0;
    this.partial = '';
    // Neither the process nor its pipes keep the agent alive.
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    (child.stderr as unknown as { unref?: () => void }).unref?.();
    child.stdin?.on('error', () => this.lost(child, 'its input closed'));
    child.on('error', (err) => this.lost(child, err.message));
    child.on('exit', (code, signal) => this.lost(child, `exited (${signal ?? `code ${code}`})`));
    child.stderr?.on('data', (chunk: Buffer) => this.read(chunk.toString('utf8')));
  }

  private read(text: string): void {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      const head = this.pending[0];
      if (!head) continue;
      const failed = /^Command failed -:(\d+)$/.exec(line);
      if (!failed) {
        if (!line.startsWith(`Device "${MARKER}"`)) head.output.push(line);
        continue;
      }
      const n = Number(failed[1]);
      if (n === head.line - 1) head.failed = true;
      else if (n === head.line) this.settle(head);
    }
  }

  private settle(entry: Pending): void {
    this.pending.shift();
    clearTimeout(entry.timer);
    const output = entry.output.join('\n').trim();
    entry.resolve({ ok: !entry.failed, code: entry.failed ? 1 : 0, timedOut: false, output, durationMs: Math.round(performance.now() - entry.started) });
  }

  private lost(child: ChildProcess, why: string): void {
    if (this.child !== child) return;
    this.lose(why);
  }

  /** The batch is gone or untrustworthy: end it, run what it owed by fork, start afresh next time (a few times). */
  private lose(why: string): void {
    const child = this.child;
    this.child = undefined;
    child?.kill('SIGKILL');
    if (this.givenUp) return;
    this.restarts += 1;
    if (this.restarts > MAX_RESTARTS) this.giveUp(`${this.ipPath} -batch ${why}, the ${MAX_RESTARTS + 1}th time: every ip command runs as a process of its own from now on`);
    else this.warn(`${this.ipPath} -batch ${why}: the commands it had not answered run as processes of their own; a new batch is started for the next`);
    this.retryPending();
  }

  private giveUp(why: string): void {
    this.givenUp = true;
    this.warn(why);
    this.retryPending();
  }

  private retryPending(): void {
    for (const entry of this.pending.splice(0)) {
      clearTimeout(entry.timer);
      void this.fork.run(entry.args, entry.timeoutMs).then(entry.resolve);
    }
  }
}
