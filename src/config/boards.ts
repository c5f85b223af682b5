// Board profiles: which GPIO chip and line drive each relay channel, and which serial devices
// a board has. The profiles are data in board/*.json; they are imported here so that the
// bundle carries them (tsup inlines JSON) and no path to board/ is needed at run time.
import beagleboneBlack from '../../board/beaglebone-black.json';
import generic from '../../board/generic.json';
import raspberryPi4 from '../../board/raspberry-pi-4.json';
import raspberryPi5 from '../../board/raspberry-pi-5.json';

export interface BoardChannel {
  /** Line offset within the chip (the chip's own numbering, never the sysfs number). */
  line: number;
  /** Chip labels for this channel when it is not on the profile's chip (any one matches). */
  chip?: string[];
  /** Where the channel is on the board, for people: header pin, HAT channel. */
  pin?: string;
}

export interface BoardProfile {
  name: string;
  aliases: string[];
  description: string;
  /** Substrings of /proc/device-tree/model; empty: the profile is never detected. */
  detect: string[];
  /** Labels of the chip the channels are on (kernels spell them differently); empty: the lowest-based chip. */
  chip: string[];
  channels: Record<string, BoardChannel>;
  serial: string[];
  /** Facts and their uncertainty, for whoever edits the profile. */
  comment: string;
}

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/** Every problem with one parsed profile file, so a bad edit fails the tests with a reason. */
export function profileProblems(data: unknown): string[] {
  const problems: string[] = [];
  if (typeof data !== 'object' || data === null) return ['not a JSON object'];
  const p = data as Record<string, unknown>;
  if (typeof p.name !== 'string' || !/^[a-z0-9-]+$/.test(p.name)) problems.push('name must be lower-case letters, digits and "-"');
  for (const key of ['aliases', 'detect', 'chip', 'serial'] as const) {
    if (!isStringList(p[key])) problems.push(`${key} must be a list of strings`);
  }
  for (const key of ['description', 'comment'] as const) {
    if (typeof p[key] !== 'string') problems.push(`${key} must be a string`);
  }
  if (isStringList(p.serial) && p.serial.some((s) => !s.startsWith('/dev/'))) problems.push('serial devices must be /dev paths');
  const channels = p.channels;
  if (typeof channels !== 'object' || channels === null || Object.keys(channels).length === 0) {
    problems.push('channels must map channel numbers to lines');
  } else {
    for (const [number, channel] of Object.entries(channels as Record<string, unknown>)) {
      const c = channel as Record<string, unknown> | null;
      if (!/^\d+$/.test(number)) problems.push(`channel "${number}" must be a number`);
      if (typeof c !== 'object' || c === null || !Number.isInteger(c.line) || (c.line as number) < 0) {
        problems.push(`channel ${number}: line must be a whole number`);
        continue;
      }
      if (c.chip !== undefined && !isStringList(c.chip)) problems.push(`channel ${number}: chip must be a list of labels`);
      if (c.pin !== undefined && typeof c.pin !== 'string') problems.push(`channel ${number}: pin must be a string`);
    }
  }
  return problems;
}

function validated(data: unknown): BoardProfile {
  const problems = profileProblems(data);
  const name = (data as { name?: unknown } | null)?.name;
  if (problems.length > 0) throw new Error(`board profile ${String(name)}: ${problems.join('; ')}`);
  return data as BoardProfile;
}

/** Most specific first: detection stops at the first profile whose detect string matches. */
export const BOARD_PROFILES: readonly BoardProfile[] = [raspberryPi5, raspberryPi4, beagleboneBlack, generic].map(validated);

/** The profile named `name` or one of its aliases, without case. */
export function findProfile(name: string): BoardProfile | undefined {
  const wanted = name.toLowerCase();
  return BOARD_PROFILES.find((p) => p.name === wanted || p.aliases.includes(wanted));
}

/** The profile whose detect string is in the device-tree model, if any. */
export function profileForModel(model: string): BoardProfile | undefined {
  return BOARD_PROFILES.find((p) => p.detect.some((d) => model.includes(d)));
}

export function profileNames(): string {
  return BOARD_PROFILES.map((p) => (p.aliases.length ? `${p.name} (${p.aliases.join(', ')})` : p.name)).join(', ');
}

/** The chip labels a channel of `profile` may be found under; empty: the lowest-based chip. */
export function channelChipLabels(profile: BoardProfile, channel: BoardChannel): string[] {
  return channel.chip ?? profile.chip;
}
