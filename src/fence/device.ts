// What every reset device (gpio-relay, external, manual) offers the rest of twinbeat. The
// devices only act and report; deciding when to shoot is the core's job, and counting and
// logging each shot is the controller's (index.ts).
import type { ResetDeviceSpec } from '../config/types';

/** The result of one action; `detail` is what the log, status and the core's decision quote. */
export interface FenceOutcome {
  ok: boolean;
  detail: string;
}

export type FenceAction = 'reset' | 'off' | 'on' | 'status';

export interface ResetDevice {
  readonly type: ResetDeviceSpec['type'];
  /** The node this device powers. */
  readonly target: string;
  /** Prepares the device (a relay is driven to "powered"); never throws: see health(). */
  start(): Promise<void>;
  /** Power-cycles the target; ok only when the device could verify it (or a person confirmed it). */
  reset(): Promise<FenceOutcome>;
  off(): Promise<FenceOutcome>;
  on(): Promise<FenceOutcome>;
  status(): Promise<FenceOutcome>;
  /** Whether the device is usable now, e.g. "relay line cannot be opened: ...". */
  health(): FenceOutcome;
  /** One line for logs, check-config and `twinbeat boards`. */
  describe(): string;
  /** Releases what start() took, leaving the target powered. */
  stop(): void;
}

/** A device a person completes: a manual reset waits for `twinbeat fence-confirm NODE`. */
export interface ConfirmableDevice extends ResetDevice {
  /** Completes a waiting reset of `node`; throws when none is waiting. Returns what to tell the operator. */
  confirm(node: string): string;
}

export const isConfirmable = (d: ResetDevice): d is ConfirmableDevice => typeof (d as Partial<ConfirmableDevice>).confirm === 'function';
