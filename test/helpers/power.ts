// A power simulator for the reset-device scenarios. Each node with a relay gets a fake
// /sys/class (a GPIO chip "twinbeat-sim" at base 512 with line 5 exported, as the kernel would
// lay it out) that only its agent sees; the simulator watches that relay's value file every
// 10 ms. While the relay cuts the target's power (wiring nc, active high: value 1), the target
// is off: agent killed -9, interfaces down, VIP and service gone. When power returns, the target
// boots: interfaces up, agent started again with the same directories.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pair, PairNode } from './pair';

export const SIM_CHIP = 'twinbeat-sim';
export const SIM_LINE = 5;
const SYSFS_NUMBER = 512 + SIM_LINE;

/** The stonith_host line for a relay wired to `from` that switches `target`'s power. */
export function relayLine(from: string, target: string, pulse = '1s'): string {
  return `stonith_host ${from} gpio-relay target=${target} chip=${SIM_CHIP} line=${SIM_LINE} wiring=nc pulse=${pulse}`;
}

export interface Shot {
  by: PairNode;
  cutAt: number;
  restoredAt?: number;
}

export class PowerSimulator {
  readonly shots: Shot[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly dirs: string[] = [];

  constructor(private readonly pair: Pair) {}

  /** Gives `node` a relay that switches its peer's power. Call before starting the agents. */
  wireRelay(node: PairNode): void {
    const root = mkdtempSync(join(tmpdir(), `twinbeat-sysclass-${node}-`));
    const gpio = join(root, 'gpio');
    mkdirSync(join(gpio, 'gpiochip512'), { recursive: true });
    writeFileSync(join(gpio, 'gpiochip512', 'label'), `${SIM_CHIP}\n`);
    writeFileSync(join(gpio, 'gpiochip512', 'base'), '512\n');
    writeFileSync(join(gpio, 'gpiochip512', 'ngpio'), '32\n');
    writeFileSync(join(gpio, 'export'), '');
    writeFileSync(join(gpio, 'unexport'), '');
    const line = join(gpio, `gpio${SYSFS_NUMBER}`);
    mkdirSync(line);
    writeFileSync(join(line, 'direction'), 'in');
    writeFileSync(join(line, 'value'), '0');
    writeFileSync(join(line, 'edge'), 'none');
    writeFileSync(join(line, 'active_low'), '0');
    this.pair.sysClass[node] = root;
    this.dirs.push(root);
    const target: PairNode = node === 'a' ? 'b' : 'a';
    let powered = true;
    const timer = setInterval(() => {
      let value: string;
      try {
        value = readFileSync(join(line, 'value'), 'utf8').trim();
      } catch {
        return;
      }
      if (powered && value === '1') {
        powered = false;
        this.shots.push({ by: node, cutAt: Date.now() });
        this.pair.powerOff(target);
      } else if (!powered && value === '0') {
        powered = true;
        const shot = this.shots.filter((s) => s.by === node).at(-1);
        if (shot) shot.restoredAt = Date.now();
        this.pair.powerOn(target);
      }
    }, 10);
    this.timers.push(timer);
  }

  /** Stops watching; call after the pair is disposed (its agents had the directories mounted). */
  stop(): void {
    for (const t of this.timers) clearInterval(t);
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
  }
}
