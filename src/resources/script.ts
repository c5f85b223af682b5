// A script resource: `NAME::arg1::arg2` in haresources runs `NAME arg1 arg2 start|stop|status`,
// found in the config dir's resource.d/ (Heartbeat's resource scripts) or else in the init
// directory (an LSB init script). Exit 0 is success; for status, exit 0 means running.
import { existsSync } from 'node:fs';
import { scriptCandidates } from '../config/machine';
import type { ResourceOp, ScriptResource } from '../config/types';
import { runCommand } from '../exec';
import type { ActionResult, ManagedResource } from './resource';

export interface ScriptOptions {
  configDir: string;
  initDir: string;
  /** The time limit of an operation that `limits` does not name. */
  timeoutMs: number;
  /** Each operation's own limit (resource_timeout); at the limit the script is killed with its process group. */
  limits?: Partial<Record<ResourceOp, number>>;
  /** Exported to the script (HA_* from `env` lines, HA_CURHOST, ...). */
  env: Record<string, string>;
}

export class ScriptDriver implements ManagedResource {
  readonly name: string;

  constructor(
    private readonly spec: ScriptResource,
    private readonly options: ScriptOptions,
  ) {
    this.name = spec.raw;
  }

  /** The script's path, looked up at each call: an operator may install it while we run. */
  path(): string | undefined {
    return scriptCandidates(this.spec.name, this.options.configDir, this.options.initDir).find((p) => existsSync(p));
  }

  private async call(action: ResourceOp, timeoutMs = this.options.limits?.[action] ?? this.options.timeoutMs): Promise<ActionResult> {
    const path = this.path();
    if (!path) {
      const looked = scriptCandidates(this.spec.name, this.options.configDir, this.options.initDir).join(' and ');
      return { ok: false, detail: `resource script ${this.spec.name} not found (looked in ${looked})`, durationMs: 0 };
    }
    const result = await runCommand(path, [...this.spec.args, action], { timeoutMs, env: this.options.env });
    const outcome = result.timedOut ? `timed out after ${timeoutMs} ms` : `exit ${result.code}`;
    return {
      ok: result.ok,
      detail: `${[path, ...this.spec.args, action].join(' ')}: ${outcome}${result.output ? `: ${result.output}` : ''}`,
      durationMs: result.durationMs,
      ...(result.timedOut ? { timedOut: true } : {}),
    };
  }

  start(): Promise<ActionResult> {
    return this.call('start');
  }

  stop(): Promise<ActionResult> {
    return this.call('stop');
  }

  /** A check's `timeoutMs` (what is left of monitor_timeout) never stretches the status limit. */
  status(timeoutMs?: number): Promise<ActionResult> {
    const limit = this.options.limits?.status ?? this.options.timeoutMs;
    return this.call('status', Math.min(limit, timeoutMs ?? limit));
  }
}
