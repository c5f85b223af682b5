// A relay on a GPIO line switches the target's power. At start the line is driven to the
// level that keeps the target powered, before anything else can happen. A reset cuts the
// power for `pulse`, then restores it; after each edge the line is read back, and a level
// that is not what was written fails the reset (a relay we cannot drive resets nobody).
import type { Logger } from '../log';
import type { FenceOutcome, ResetDevice } from './device';
import { onoffGpioFactory, type GpioFactory, type GpioLine } from './gpio-line';
import { levelFor, stateOf, type Level, type PowerState, type RelaySettings } from './relay-settings';
import { DEFAULT_SYSFS_ROOT, resolveGpioLine, type ResolvedLine } from './sysfs';

export interface GpioRelayOptions {
  log: Logger;
  sysfsRoot?: string;
  gpioFactory?: GpioFactory;
  /** Waits out the pulse; injectable so a test can observe it. */
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class GpioRelay implements ResetDevice {
  readonly type = 'gpio-relay' as const;
  readonly target: string;
  private line: GpioLine | undefined;
  private resolved: ResolvedLine | undefined;
  private openError: string | undefined = 'not started';
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly settings: RelaySettings,
    private readonly options: GpioRelayOptions,
  ) {
    this.target = settings.target;
    this.sleep = options.sleep ?? realSleep;
  }

  async start(): Promise<void> {
    await this.open();
    if (this.line) {
      this.options.log.log('info', `Reset device for ${this.target}: ${this.where()} driven to level ${this.level('powered')}, which keeps ${this.target} powered (${this.wiringText()})`);
    } else {
      this.options.log.log('ERROR', `Reset device for ${this.target}: ${this.openError}; ${this.target} cannot be reset until it opens`);
    }
  }

  /** Opens the line at the powered level; on failure remembers why, for health() and the next try. */
  private async open(): Promise<GpioLine | undefined> {
    if (this.line) return this.line;
    try {
      this.resolved = await resolveGpioLine(this.settings.chipLabels, this.settings.offset, this.options.sysfsRoot ?? DEFAULT_SYSFS_ROOT);
      const factory = this.options.gpioFactory ?? onoffGpioFactory;
      const line = await factory(this.resolved.number, this.level('powered'));
      line.writeSync(this.level('powered'));
      const read = line.readSync();
      if (read !== this.level('powered')) throw new Error(`wrote level ${this.level('powered')} but read back ${read}`);
      this.line = line;
      this.openError = undefined;
    } catch (err) {
      this.openError = `relay line (${this.settings.named}) cannot be opened: ${err instanceof Error ? err.message : String(err)}`;
    }
    return this.line;
  }

  private level(state: PowerState): Level {
    return levelFor(state, this.settings);
  }

  private where(): string {
    return this.resolved ? `${this.settings.named} = ${this.resolved.path}` : this.settings.named;
  }

  private wiringText(): string {
    return `wiring ${this.settings.wiring === 'nc' ? 'nc: energised cuts power' : 'no: energised powers'}, ${this.settings.activeLow ? 'active low' : 'active high'}`;
  }

  /** Writes the level for `state`, reads it back; an outcome that says which edge failed. */
  private drive(line: GpioLine, state: PowerState): FenceOutcome {
    const want = this.level(state);
    try {
      line.writeSync(want);
      const read = line.readSync();
      if (read !== want) return { ok: false, detail: `${this.where()}: wrote level ${want} (${state}) but read back ${read}` };
      return { ok: true, detail: `${this.where()}: level ${want} (${state})` };
    } catch (err) {
      return { ok: false, detail: `${this.where()}: cannot set level ${want} (${state}): ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  private async withLine(act: (line: GpioLine) => Promise<FenceOutcome> | FenceOutcome): Promise<FenceOutcome> {
    const line = await this.open();
    if (!line) return { ok: false, detail: this.openError ?? 'relay line not open' };
    return act(line);
  }

  reset(): Promise<FenceOutcome> {
    return this.withLine(async (line) => {
      const cut = this.drive(line, 'cut');
      if (!cut.ok) {
        // Whatever the line did, try to leave the target powered rather than in an unknown state.
        this.drive(line, 'powered');
        return cut;
      }
      await this.sleep(this.settings.pulseMs);
      const powered = this.drive(line, 'powered');
      if (!powered.ok) return { ok: false, detail: `power was cut for ${this.settings.pulseMs} ms, but restoring it failed: ${powered.detail}` };
      return { ok: true, detail: `${this.where()}: power cut for ${this.settings.pulseMs} ms, then restored` };
    });
  }

  off(): Promise<FenceOutcome> {
    return this.withLine((line) => this.drive(line, 'cut'));
  }

  on(): Promise<FenceOutcome> {
    return this.withLine((line) => this.drive(line, 'powered'));
  }

  status(): Promise<FenceOutcome> {
    return this.withLine((line) => {
      const level = line.readSync();
      return { ok: true, detail: `${this.where()}: level ${level}, ${this.target} ${stateOf(level, this.settings)}` };
    });
  }

  health(): FenceOutcome {
    return this.openError ? { ok: false, detail: this.openError } : { ok: true, detail: `${this.where()} open` };
  }

  describe(): string {
    return `gpio-relay for ${this.target}: ${this.where()}, ${this.wiringText()}, pulse ${this.settings.pulseMs} ms`;
  }

  stop(): void {
    // The line is left exported and driven at the powered level: unexporting would make it an
    // input, and a floating relay input could cut the peer's power while twinbeat is down.
    this.line = undefined;
    this.openError = 'stopped';
  }
}
