// Runs an external program with a time limit and collects what it printed. Never throws and
// never rejects: a missing binary, a crash or a timeout all come back as a result, because a
// failing resource script must never stop the heartbeat.
import { spawn } from 'node:child_process';

export interface CommandResult {
  ok: boolean;
  /** Exit code; null when killed by a signal or never started. */
  code: number | null;
  timedOut: boolean;
  /** stdout and stderr interleaved, trimmed, at most OUTPUT_LIMIT characters (the end is kept). */
  output: string;
  durationMs: number;
}

export interface CommandOptions {
  timeoutMs: number;
  env?: Record<string, string>;
  /** Called with the child's pid once it started, e.g. to kill it early. */
  onSpawn?: (kill: () => void) => void;
  /**
   * At the time limit, answer at once with what was printed so far instead of waiting for the
   * killed process to close its output (a duplicate-address probe's end is its limit, not a fault).
   */
  answerAtTimeout?: boolean;
}

const OUTPUT_LIMIT = 4000;
/**
 * A process the script left behind in a session of its own (a daemon started without closing
 * its output) can hold the pipes open after the script ended or was killed: the result is not
 * held back for it longer than this.
 */
const PIPE_GRACE_MS = 500;

export function runCommand(file: string, args: string[], options: CommandOptions): Promise<CommandResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let output = '';
    let timedOut = false;
    let settled = false;
    const finish = (code: number | null, extra = '') => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(grace);
      const text = (output + extra).trim();
      resolve({
        ok: code === 0 && !timedOut,
        code,
        timedOut,
        output: text.length > OUTPUT_LIMIT ? text.slice(-OUTPUT_LIMIT) : text,
        durationMs: Math.round(performance.now() - started),
      });
    };
    const child = spawn(file, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
      // Its own process group, so a timeout ends whatever the script started too.
      detached: true,
    });
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    let grace: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
      if (options.answerAtTimeout) return finish(null);
      // Bounded even if something outside the group keeps the output open.
      grace = setTimeout(() => finish(null, `\n${file}: killed after ${options.timeoutMs} ms`), PIPE_GRACE_MS);
    }, options.timeoutMs);
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.length > 4 * OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (err) => finish(null, `\n${file}: ${err.message}`));
    child.on('close', (code) => finish(code, timedOut ? `\n${file}: killed after ${options.timeoutMs} ms` : ''));
    // The script itself ended: what is left holding its output does not make it hang.
    child.on('exit', (code) => {
      if (!timedOut && !settled) grace = setTimeout(() => finish(code), PIPE_GRACE_MS);
    });
    options.onSpawn?.(killGroup);
  });
}
