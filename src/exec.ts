// Runs an external program with a time limit and collects what it printed. Never throws and
// never rejects: a missing binary, a crash or a timeout all come back as a result, because a
// failing resource script must never stop the heartbeat.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

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

/** coreutils' stdbuf on PATH (looked up once), or undefined. */
let stdbufPath: string | null | undefined;
function findStdbuf(): string | undefined {
  if (stdbufPath === undefined) {
    stdbufPath = null;
    for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
      if (dir && existsSync(join(dir, 'stdbuf'))) {
        stdbufPath = join(dir, 'stdbuf');
        break;
      }
    }
  }
  return stdbufPath ?? undefined;
}

export interface ProbeOptions {
  /** How long to listen once the probe has said it sent (`sentLine` seen). */
  listenMs: number;
  /** What the program prints when it has started and sends (arping: `ARPING ...`). */
  sentLine: RegExp;
  /** Bound on the whole run: a probe that never says it sent fails (code null, not timed out). */
  limitMs: number;
}

/**
 * Runs a probe that prints a line as it sends and then listens for answers (`arping -D`), and
 * ends it `listenMs` after that line: the listening time counts from the send, not from the
 * spawn, because a busy machine can take longer to start arping (15 to 35 ms measured on a
 * loaded 2-core host) than a LAN takes to answer. Its output is made line-buffered with
 * coreutils' `stdbuf` so that the line arrives when printed; without stdbuf the time counts
 * from the spawn, as a plain time limit. The result is `timedOut` when the listening time ran
 * out (nothing else ended it), with what was printed so far.
 */
export function runProbe(file: string, args: string[], options: ProbeOptions): Promise<CommandResult> {
  const started = performance.now();
  const stdbuf = findStdbuf();
  return new Promise((resolve) => {
    let output = '';
    let settled = false;
    let listening: NodeJS.Timeout | undefined;
    const finish = (code: number | null, timedOut: boolean, extra = '') => {
      if (settled) return;
      settled = true;
      clearTimeout(listening);
      clearTimeout(limit);
      const text = (output + extra).trim();
      resolve({ ok: code === 0 && !timedOut, code, timedOut, output: text.slice(-OUTPUT_LIMIT), durationMs: Math.round(performance.now() - started) });
    };
    const child = spawn(stdbuf ?? file, stdbuf ? ['-oL', file, ...args] : args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const listen = () => {
      listening ??= setTimeout(() => {
        kill();
        finish(null, true);
      }, options.listenMs);
    };
    const limit = setTimeout(() => {
      kill();
      finish(null, false, `\n${file}: did not start probing within ${options.limitMs} ms`);
    }, options.limitMs);
    if (!stdbuf) listen();
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.length > 4 * OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT);
      if (options.sentLine.test(output)) listen();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (err) => finish(null, false, `\n${file}: ${err.message}`));
    child.on('close', (code) => finish(code, false));
  });
}
