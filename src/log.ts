// Log lines a Heartbeat user recognises: `twinbeat[PID]: 2026/11/25_03:33:15 info: Link node2:eth1 up.`
// (Heartbeat writes `heartbeat[PID]: ... info: ...`). To stderr (journald under systemd), and
// also to `logfile` (info and above) and `debugfile` (everything) when ha.cf names them.
import { appendFile } from 'node:fs';
import { escapeControls } from './printable';

export type LogLevel = 'debug' | 'info' | 'warn' | 'ERROR' | 'CRIT';

export interface Logger {
  log(level: LogLevel, message: string): void;
}

export interface LogTargets {
  stderr: boolean;
  logfile?: string;
  debugfile?: string;
  /** Show debug lines on stderr too (ha.cf `debug` above 0). */
  debug: boolean;
  /** The clock, injectable for tests. */
  now?: () => Date;
}

const two = (n: number) => String(n).padStart(2, '0');

export function timestamp(d: Date): string {
  return `${d.getFullYear()}/${two(d.getMonth() + 1)}/${two(d.getDate())}_${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** One line, whatever the message holds: a control byte from a file or a peer is written escaped. */
export function formatLogLine(level: LogLevel, message: string, when: Date, pid = process.pid): string {
  return `twinbeat[${pid}]: ${timestamp(when)} ${level}: ${escapeControls(message)}\n`;
}

export function createLogger(targets: LogTargets): Logger {
  // A failing log file must not stop the heartbeat: report the first failure once on stderr.
  let fileFailed = false;
  const toFile = (path: string, line: string) =>
    appendFile(path, line, (err) => {
      if (err && !fileFailed) {
        fileFailed = true;
        process.stderr.write(formatLogLine('ERROR', `cannot write ${path}: ${err.message}`, new Date()));
      }
    });
  return {
    log(level, message) {
      const line = formatLogLine(level, message, targets.now?.() ?? new Date());
      if (targets.stderr && (level !== 'debug' || targets.debug)) process.stderr.write(line);
      if (targets.logfile && level !== 'debug') toFile(targets.logfile, line);
      if (targets.debugfile) toFile(targets.debugfile, line);
    },
  };
}
