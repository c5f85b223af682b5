// From "line 26 of the chip labelled pinctrl-rp1" to the number the sysfs GPIO interface (and
// so onoff) wants. The number is the chip's base plus the offset, and the base is whatever the
// kernel chose: 0 on old Raspberry Pi kernels, 512 or 571 on current ones. So it is read from
// <sysfs>/class/gpio/gpiochip*/{label,base,ngpio} every time, never written down.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const DEFAULT_SYSFS_ROOT = '/sys';

export interface GpioChipInfo {
  /** The directory name, e.g. gpiochip571. */
  name: string;
  label: string;
  base: number;
  ngpio: number;
}

export interface ResolvedLine {
  chip: GpioChipInfo;
  offset: number;
  /** The sysfs GPIO number: chip base + offset. */
  number: number;
  /** Where the exported line lives: <sysfs>/class/gpio/gpioN. */
  path: string;
}

const gpioClassDir = (sysfsRoot: string) => join(sysfsRoot, 'class', 'gpio');

/** Every gpiochip sysfs lists, lowest base first; a chip whose files cannot be read is left out. */
export async function listGpioChips(sysfsRoot = DEFAULT_SYSFS_ROOT): Promise<GpioChipInfo[]> {
  let names: string[];
  try {
    names = (await readdir(gpioClassDir(sysfsRoot))).filter((n) => /^gpiochip\d+$/.test(n));
  } catch {
    return [];
  }
  const chips: GpioChipInfo[] = [];
  for (const name of names) {
    const dir = join(gpioClassDir(sysfsRoot), name);
    try {
      const [label, base, ngpio] = await Promise.all(['label', 'base', 'ngpio'].map((f) => readFile(join(dir, f), 'utf8')));
      const chip = { name, label: (label ?? '').trim(), base: Number((base ?? '').trim()), ngpio: Number((ngpio ?? '').trim()) };
      if (Number.isInteger(chip.base) && Number.isInteger(chip.ngpio)) chips.push(chip);
    } catch {
      // A chip being removed, or a file this kernel lacks: it cannot be the one we want.
    }
  }
  return chips.sort((a, b) => a.base - b.base);
}

const describeChips = (chips: GpioChipInfo[]) =>
  chips.length === 0 ? 'no gpiochip at all' : chips.map((c) => `${c.name} "${c.label}" (base ${c.base}, ${c.ngpio} lines)`).join(', ');

/**
 * The sysfs number of line `offset` on the chip with one of `labels` (the first label that a
 * chip carries wins); with no labels, the chip with the lowest base. Throws an Error that
 * names what was wanted and every chip found.
 */
export async function resolveGpioLine(labels: string[], offset: number, sysfsRoot = DEFAULT_SYSFS_ROOT): Promise<ResolvedLine> {
  const chips = await listGpioChips(sysfsRoot);
  const wanted = labels.length === 0 ? 'the lowest-based GPIO chip' : `the GPIO chip labelled ${labels.map((l) => `"${l}"`).join(' or ')}`;
  let chip: GpioChipInfo | undefined;
  if (labels.length === 0) chip = chips[0];
  else for (const label of labels) chip ??= chips.find((c) => c.label === label);
  if (!chip) throw new Error(`${wanted} is not on this machine (${gpioClassDir(sysfsRoot)} has ${describeChips(chips)})`);
  if (offset >= chip.ngpio) {
    throw new Error(`line ${offset} is beyond ${chip.name} "${chip.label}", which has lines 0 to ${chip.ngpio - 1}`);
  }
  const number = chip.base + offset;
  return { chip, offset, number, path: join(gpioClassDir(sysfsRoot), `gpio${number}`) };
}

/** The board's model from the device tree (NUL-terminated there), or undefined without one. */
export async function readBoardModel(root = '/'): Promise<string | undefined> {
  try {
    const raw = await readFile(join(root, 'proc', 'device-tree', 'model'), 'utf8');
    return raw.replace(/\0.*$/s, '').trim();
  } catch {
    return undefined;
  }
}
