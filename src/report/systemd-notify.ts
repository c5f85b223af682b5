// systemd's notify protocol for `Type=notify` and `WatchdogSec=`: READY=1 once the agent runs,
// STATUS= with the role, WATCHDOG=1 from the heartbeat loop. Node has no AF_UNIX datagram
// socket and the npm packages that add one are native addons without ARM prebuilds, so this
// runs systemd's own `systemd-notify` (the unit says NotifyAccess=all). Since systemd 246 that
// tool waits until PID 1 has taken the message ("barrier"), so a message from a process that
// exits at once is not lost. Each call is asynchronous and bounded: a slow PID 1 never delays a
// heartbeat, and a failure is logged once per kind of failure, never thrown.
import { execFile } from 'node:child_process';
import type { Logger } from '../log';

export interface SystemdNotifier {
  ready(status: string): void;
  status(text: string): void;
  /** SIGTERM: the agent is stopping (systemd shows "deactivating" with the reason, and waits). */
  stopping(status: string): void;
  /** Called on every heartbeat sent; pings the watchdog at half its interval. */
  heartbeat(now: number): void;
  readonly enabled: boolean;
}

const DISABLED: SystemdNotifier = { ready() {}, status() {}, stopping() {}, heartbeat() {}, enabled: false };

export interface NotifierOptions {
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** The tool; settable so tests can record what would be sent. */
  command?: string;
  timeoutMs?: number;
}

export function createSystemdNotifier(options: NotifierOptions): SystemdNotifier {
  const { env, logger } = options;
  if (!env.NOTIFY_SOCKET) return DISABLED;
  const command = options.command ?? 'systemd-notify';
  const timeoutMs = options.timeoutMs ?? 5000;
  // WATCHDOG_USEC is set by systemd when WatchdogSec= is on (and WATCHDOG_PID names us).
  const watchdogMs = Number(env.WATCHDOG_USEC ?? 0) / 1000;
  const watchdogForUs = !env.WATCHDOG_PID || Number(env.WATCHDOG_PID) === process.pid;
  let lastPing = -Infinity;
  let lastStatus = '';
  let failing = '';

  const send = (args: string[]) => {
    execFile(command, args, { timeout: timeoutMs, env }, (err) => {
      const why = err ? (err.code === 'ENOENT' ? `${command} not found` : err.message.split('\n')[0]!) : '';
      if (why && why !== failing) logger.log('warn', `systemd notify: ${why}`);
      else if (!why && failing) logger.log('info', 'systemd notify: working again');
      failing = why;
    });
  };

  return {
    enabled: true,
    ready(status) {
      lastStatus = status;
      send(['--ready', `--status=${status}`]);
    },
    stopping(status) {
      lastStatus = status;
      // A plain assignment: systemd-notify's --stopping flag is newer than Debian 12's systemd.
      send(['STOPPING=1', `--status=${status}`]);
    },
    status(text) {
      if (text === lastStatus) return;
      lastStatus = text;
      send([`--status=${text}`]);
    },
    heartbeat(now) {
      if (!(watchdogMs > 0) || !watchdogForUs || now - lastPing < watchdogMs / 2) return;
      lastPing = now;
      send(['WATCHDOG=1']);
    },
  };
}

/** The STATUS= line: `active, holds 192.0.2.50` / `standby, node-a holds 192.0.2.50`. */
export function statusLine(role: string, groups: { id: string; holder: string | null }[], self: string): string {
  const mine = groups.filter((g) => g.holder === self).map((g) => g.id);
  const theirs = groups.filter((g) => g.holder && g.holder !== self).map((g) => `${g.holder} holds ${g.id}`);
  return [role, mine.length ? `holds ${mine.join(' ')}` : '', ...theirs].filter(Boolean).join(', ');
}
