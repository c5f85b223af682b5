// `twinbeat boards`: the board profiles twinbeat knows (board/*.json), and which one this
// machine is, with the GPIO chips its kernel shows, so that a stonith_host line can be written
// without guessing.
import { parseArgs } from 'node:util';
import { BOARD_PROFILES, channelChipLabels, profileForModel, type BoardProfile } from '../config/boards';
import { DEFAULT_SYSFS_ROOT, listGpioChips, readBoardModel, type GpioChipInfo } from '../fence/sysfs';
import type { Command } from './command';

function formatChannels(p: BoardProfile): string[] {
  const entries = Object.entries(p.channels);
  // The generic profile maps channel N to line N: one line says it better than sixteen.
  if (entries.every(([n, c]) => Number(n) === c.line && !c.chip && !c.pin)) {
    return [`N = line N, for N from ${entries[0]?.[0]} to ${entries[entries.length - 1]?.[0]}`];
  }
  return entries.map(([n, c]) => `${n} = line ${c.line}${c.chip ? ` of ${c.chip.join(' or ')}` : ''}${c.pin ? `: ${c.pin}` : ''}`);
}

function formatProfile(p: BoardProfile, matches: boolean): string {
  const rows: [string, string][] = [
    ['board', `${p.name}${p.aliases.length ? ` (also ${p.aliases.join(', ')})` : ''}: ${p.description}${matches ? '  <- this machine' : ''}`],
    ['detect', p.detect.length ? p.detect.map((d) => `"${d}"`).join(', ') : 'never (name it with board=)'],
    ['chip', p.chip.length ? p.chip.join(' or ') : 'the GPIO chip with the lowest sysfs base'],
    ...formatChannels(p).map((c, i): [string, string] => [i === 0 ? 'channels' : '', c]),
    ['serial', p.serial.join(', ')],
  ];
  return rows.map(([k, v]) => `  ${k.padEnd(9)}${v}\n`).join('');
}

export function formatBoards(model: string | undefined, chips: GpioChipInfo[]): string {
  const match = model === undefined ? undefined : profileForModel(model);
  const parts = BOARD_PROFILES.map((p) => formatProfile(p, p === match));
  const machine = [
    `this machine: ${model === undefined ? 'no device-tree model' : `"${model}"`}, ${match ? `profile ${match.name}` : 'no profile matches (use board=generic, or chip=LABEL line=N)'}`,
    `gpio chips:   ${chips.length ? chips.map((c) => `"${c.label}" base ${c.base} (${c.ngpio} lines)`).join(', ') : 'none in sysfs'}`,
  ];
  if (match) {
    const first = Object.values(match.channels)[0];
    const labels = first ? channelChipLabels(match, first) : [];
    const chip = chips.find((c) => labels.includes(c.label));
    if (chip && first) machine.push(`              channel ${Object.keys(match.channels)[0]} is sysfs gpio${chip.base + first.line} here`);
  }
  return `${parts.join('\n')}\n${machine.join('\n')}\n`;
}

export const boardsCommand: Command = {
  summary: 'list the board profiles (GPIO chip, relay channels, serial devices) and which one this machine is',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { 'sysfs-root': { type: 'string', default: DEFAULT_SYSFS_ROOT }, root: { type: 'string', default: '/' } },
      strict: true,
    });
    const [model, chips] = await Promise.all([readBoardModel(values.root as string), listGpioChips(values['sysfs-root'] as string)]);
    process.stdout.write(formatBoards(model, chips));
    return 0;
  },
};
