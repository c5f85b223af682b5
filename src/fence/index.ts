// The reset device of this node, as the agent and the commands use it: built from ha.cf's
// stonith_host lines, it resets the peer when asked, logs every shot with why, counts them,
// and passes an operator's confirmation to a manual device.
import type { Config, ResetDeviceSpec } from '../config/types';
import { parseDuration } from '../config/values';
import type { Logger } from '../log';
import { isConfirmable, type FenceOutcome, type ResetDevice } from './device';
import { DEFAULT_EXTERNAL_TIMEOUT_MS, ExternalDevice, type RunCommand } from './external';
import type { GpioFactory } from './gpio-line';
import { GpioRelay } from './gpio-relay';
import { ManualDevice } from './manual';
import { relaySettingsFrom } from './relay-settings';

export type { FenceOutcome, ResetDevice } from './device';

export interface ResetDeviceOptions {
  log: Logger;
  /** Where sysfs is mounted (default /sys); tests point it at a fake tree. */
  sysfsRoot?: string;
  gpioFactory?: GpioFactory;
  exec?: RunCommand;
  /** Waits out a relay's pulse; injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
}

export interface ResetCounters {
  /** Every reset attempted, by the core or by hand. */
  shots: number;
  succeeded: number;
  failed: number;
  last?: { at: string; why: string; ok: boolean; detail: string };
}

export interface ResetController {
  readonly device: ResetDevice;
  /** Opens the device; for a relay, drives the line to "powered" first. Never throws. */
  start(): Promise<void>;
  /** Power-cycles the peer. `why` goes into the log; the agent's core logs its own reasons too. */
  resetPeer(why?: string): Promise<FenceOutcome>;
  /** Confirms a manual reset of `node` (twinbeat fence-confirm); throws when nothing waits. */
  confirm(node: string): string;
  describe(): string;
  counters(): ResetCounters;
  stop(): void;
}

/** The stonith_host line wired to this node (its own name, else `*`) that targets its peer. */
export function deviceSpecFor(config: Pick<Config, 'localNode' | 'peerNode' | 'resetDevices'>): ResetDeviceSpec | undefined {
  const mine = config.resetDevices.filter((d) => d.target === config.peerNode);
  return mine.find((d) => d.from === config.localNode) ?? mine.find((d) => d.from === '*');
}

export function deviceFromSpec(spec: ResetDeviceSpec, options: ResetDeviceOptions): ResetDevice {
  switch (spec.type) {
    case 'gpio-relay':
      return new GpioRelay(relaySettingsFrom(spec), {
        log: options.log,
        ...(options.sysfsRoot ? { sysfsRoot: options.sysfsRoot } : {}),
        ...(options.gpioFactory ? { gpioFactory: options.gpioFactory } : {}),
        ...(options.sleep ? { sleep: options.sleep } : {}),
      });
    case 'external': {
      const timeout = spec.params.timeout === undefined ? undefined : parseDuration(spec.params.timeout);
      return new ExternalDevice(
        { target: spec.target, command: spec.params.command ?? '', timeoutMs: timeout?.ok ? timeout.value : DEFAULT_EXTERNAL_TIMEOUT_MS },
        { log: options.log, ...(options.exec ? { exec: options.exec } : {}) },
      );
    }
    case 'manual':
      return new ManualDevice(spec.target, { log: options.log });
  }
}

/** This node's reset device, or undefined when no stonith_host line is wired to it. */
export function createResetDevice(config: Pick<Config, 'localNode' | 'peerNode' | 'resetDevices'>, options: ResetDeviceOptions): ResetController | undefined {
  const spec = deviceSpecFor(config);
  if (!spec) return undefined;
  const device = deviceFromSpec(spec, options);
  const log = options.log;
  const counts: ResetCounters = { shots: 0, succeeded: 0, failed: 0 };
  // One shot at a time: a second request while a reset runs (the operator's `fence` during the
  // core's shot) shares its result rather than cutting the power twice.
  let inFlight: Promise<FenceOutcome> | undefined;

  const shoot = async (why: string): Promise<FenceOutcome> => {
    counts.shots += 1;
    log.log('warn', `Resetting node ${device.target} with ${device.type} (shot ${counts.shots}): ${why}`);
    const outcome = await device.reset().catch((err: unknown) => ({ ok: false, detail: err instanceof Error ? err.message : String(err) }));
    if (outcome.ok) counts.succeeded += 1;
    else counts.failed += 1;
    counts.last = { at: new Date().toISOString(), why, ok: outcome.ok, detail: outcome.detail };
    if (outcome.ok) log.log('info', `node ${device.target} now reset: ${outcome.detail}`);
    else log.log('ERROR', `Reset of node ${device.target} FAILED: ${outcome.detail}`);
    return outcome;
  };

  return {
    device,
    start: () => device.start(),
    resetPeer(why = `${device.target} is silent on every path and must be reset before taking over`) {
      inFlight ??= shoot(why).finally(() => (inFlight = undefined));
      return inFlight;
    },
    confirm(node) {
      if (!isConfirmable(device)) throw new Error(`the reset device for ${device.target} is ${device.type}: it needs no confirmation`);
      return device.confirm(node);
    },
    describe: () => device.describe(),
    counters: () => ({ ...counts, ...(counts.last ? { last: { ...counts.last } } : {}) }),
    stop: () => device.stop(),
  };
}
