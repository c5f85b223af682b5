// Run by fence-onoff-tmpfs.test.ts inside `unshare -m`, after a tmpfs was mounted over
// /sys/class (in that private mount namespace only). Lays out a Pi 5's GPIO chip and an
// exported line as the kernel would, then drives a relay through the REAL onoff, watching the
// value file as a power simulator would. Prints one JSON line with what it saw.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createResetDevice } from '../../src/fence/index';
import type { ResetDeviceSpec } from '../../src/config/types';

const gpio = '/sys/class/gpio';
mkdirSync(`${gpio}/gpiochip571`, { recursive: true });
writeFileSync(`${gpio}/gpiochip571/label`, 'pinctrl-rp1\n');
writeFileSync(`${gpio}/gpiochip571/base`, '571\n');
writeFileSync(`${gpio}/gpiochip571/ngpio`, '54\n');
writeFileSync(`${gpio}/export`, '');
mkdirSync(`${gpio}/gpio597`);
// What another program left behind: an input, inverted. twinbeat must not inherit either.
writeFileSync(`${gpio}/gpio597/direction`, 'in');
writeFileSync(`${gpio}/gpio597/value`, '0');
writeFileSync(`${gpio}/gpio597/edge`, 'none');
writeFileSync(`${gpio}/gpio597/active_low`, '1');

const read = (name: string) => readFileSync(`${gpio}/gpio597/${name}`, 'utf8').trim();
const seen: { value: string; at: number }[] = [];
const t0 = performance.now();
const sample = () => {
  const value = read('value');
  if (seen[seen.length - 1]?.value !== value) seen.push({ value, at: Math.round(performance.now() - t0) });
};
const watcher = setInterval(sample, 2);

const spec: ResetDeviceSpec = {
  from: '*',
  type: 'gpio-relay',
  target: 'beta',
  params: { target: 'beta', board: 'raspberry-pi-5', channel: '1', active_low: 'yes', wiring: 'nc', pulse: '300ms' },
  source: { file: 'ha.cf', line: 1 },
};
const log: string[] = [];
const controller = createResetDevice({ localNode: 'alpha', peerNode: 'beta', resetDevices: [spec] }, { log: { log: (l, m) => log.push(`${l}: ${m}`) } });
await controller!.start();
sample();
const afterStart = { direction: read('direction'), activeLow: read('active_low'), value: read('value') };
await new Promise((r) => setTimeout(r, 50));
const outcome = await controller!.resetPeer('test shot');
await new Promise((r) => setTimeout(r, 50));
clearInterval(watcher);
sample();
process.stdout.write(`${JSON.stringify({ afterStart, outcome, seen, health: controller!.device.health(), log })}\n`);
process.exit(0);
