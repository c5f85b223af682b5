// A throw-away sysfs tree with GPIO chips as a kernel lays them out, for the resolution and
// relay tests: <root>/class/gpio/gpiochipN/{label,base,ngpio}, and a device-tree model.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeChip {
  label: string;
  base: number;
  ngpio: number;
}

/** What a Raspberry Pi 5 on a 6.6 kernel shows: RP1's header chip at 571, others around it. */
export const PI5_CHIPS: FakeChip[] = [
  { label: 'gpio-brcmstb@107d508500', base: 512, ngpio: 32 },
  { label: 'gpio-brcmstb@107d508520', base: 544, ngpio: 2 },
  { label: 'pinctrl-rp1', base: 571, ngpio: 54 },
  { label: 'gpio-brcmstb@107d517c00', base: 546, ngpio: 17 },
];

export function makeFakeSysfs(chips: FakeChip[], model?: string): string {
  const root = mkdtempSync(join(tmpdir(), 'twinbeat-sysfs-'));
  const gpio = join(root, 'class', 'gpio');
  mkdirSync(gpio, { recursive: true });
  writeFileSync(join(gpio, 'export'), '');
  for (const chip of chips) {
    const dir = join(gpio, `gpiochip${chip.base}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'label'), `${chip.label}\n`);
    writeFileSync(join(dir, 'base'), `${chip.base}\n`);
    writeFileSync(join(dir, 'ngpio'), `${chip.ngpio}\n`);
  }
  if (model !== undefined) {
    mkdirSync(join(root, 'proc', 'device-tree'), { recursive: true });
    writeFileSync(join(root, 'proc', 'device-tree', 'model'), `${model}\0`);
  }
  return root;
}
