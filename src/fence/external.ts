// A program that knows how to power the target, called the way cluster-glue calls its
// external STONITH plugins: `COMMAND reset|off|on|status NODE`, exit 0 for success. What it
// printed goes into the detail, so the log says why a reset failed. runCommand never throws,
// and a hung program is killed after the timeout (with everything it started).
import type { Logger } from '../log';
import { runCommand, type CommandResult } from '../exec';
import type { FenceAction, FenceOutcome, ResetDevice } from './device';

export const DEFAULT_EXTERNAL_TIMEOUT_MS = 30_000;

export interface ExternalSettings {
  target: string;
  command: string;
  timeoutMs: number;
}

export type RunCommand = typeof runCommand;

export interface ExternalOptions {
  log: Logger;
  exec?: RunCommand;
}

function outcomeOf(action: FenceAction, settings: ExternalSettings, r: CommandResult): FenceOutcome {
  const said = r.output ? `: ${r.output.replace(/\s*\n\s*/g, ' | ')}` : '';
  const call = `${settings.command} ${action} ${settings.target}`;
  if (r.ok) return { ok: true, detail: `${call} succeeded (${r.durationMs} ms)${said}` };
  const why = r.timedOut ? `timed out after ${settings.timeoutMs} ms` : r.code === null ? 'could not run or was killed' : `exited ${r.code}`;
  return { ok: false, detail: `${call} ${why}${said}` };
}

export class ExternalDevice implements ResetDevice {
  readonly type = 'external' as const;
  readonly target: string;
  private readonly exec: RunCommand;

  constructor(
    private readonly settings: ExternalSettings,
    options: ExternalOptions,
  ) {
    this.target = settings.target;
    this.exec = options.exec ?? runCommand;
  }

  private async run(action: FenceAction): Promise<FenceOutcome> {
    const result = await this.exec(this.settings.command, [action, this.target], { timeoutMs: this.settings.timeoutMs });
    return outcomeOf(action, this.settings, result);
  }

  async start(): Promise<void> {
    // Nothing to open: the program is run for each action, and check-config looks for it.
  }

  reset(): Promise<FenceOutcome> {
    return this.run('reset');
  }

  off(): Promise<FenceOutcome> {
    return this.run('off');
  }

  on(): Promise<FenceOutcome> {
    return this.run('on');
  }

  status(): Promise<FenceOutcome> {
    return this.run('status');
  }

  health(): FenceOutcome {
    return { ok: true, detail: `runs ${this.settings.command}` };
  }

  describe(): string {
    return `external for ${this.target}: ${this.settings.command} reset|off|on|status ${this.target} (timeout ${this.settings.timeoutMs} ms)`;
  }

  stop(): void {}
}
