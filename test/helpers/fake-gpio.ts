// A GPIO factory that opens nothing: it records every level written, with the time, and can
// be told to read back something else (a relay input that does not follow).
import type { GpioFactory } from '../../src/fence/gpio-line';
import type { Level } from '../../src/fence/relay-settings';
import type { Logger, LogLevel } from '../../src/log';

export interface FakeGpio {
  factory: GpioFactory;
  opened: { number: number; initialLevel: Level }[];
  writes: { level: Level; at: number }[];
  /** When set, readSync returns this instead of the last write. */
  stuckAt?: Level;
  /** When set, the factory throws this (the line cannot be opened). */
  openError?: string;
}

export function fakeGpio(): FakeGpio {
  const fake: FakeGpio = {
    opened: [],
    writes: [],
    factory: async (number, initialLevel) => {
      if (fake.openError) throw new Error(fake.openError);
      fake.opened.push({ number, initialLevel });
      let level = initialLevel;
      return {
        writeSync(l) {
          level = l;
          fake.writes.push({ level: l, at: performance.now() });
        },
        readSync: () => fake.stuckAt ?? level,
      };
    },
  };
  return fake;
}

export interface MemoryLog extends Logger {
  lines: string[];
}

export function memoryLog(): MemoryLog {
  const lines: string[] = [];
  return { lines, log: (level: LogLevel, message: string) => lines.push(`${level}: ${message}`) };
}
