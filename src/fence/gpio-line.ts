// The little of onoff's Gpio the relay needs, and the factory that opens a real one. onoff is
// imported only when a relay is opened: it loads a native addon (epoll) that a build host or
// a node with an external or manual device never needs.
import type { Level } from './relay-settings';

export interface GpioLine {
  writeSync(level: Level): void;
  readSync(): Level;
}

/** Opens sysfs GPIO `number` as an output already at `initialLevel` (no glitch to the other level). */
export type GpioFactory = (number: number, initialLevel: Level) => Promise<GpioLine>;

export const onoffGpioFactory: GpioFactory = async (number, initialLevel) => {
  const { Gpio } = await import('onoff');
  // Direction "high"/"low" sets output and level in one write. activeLow false: twinbeat
  // computes the physical level itself (relay-settings.ts), whatever active_low held before.
  return new Gpio(number, initialLevel === 1 ? 'high' : 'low', 'none', { activeLow: false });
};
