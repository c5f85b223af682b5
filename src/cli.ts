#!/usr/bin/env node
// The `twinbeat` command: looks the subcommand up in the table and hands it the remaining
// arguments. Each subcommand lives in src/commands/ and returns its exit code.
import { VERSION } from './version';
import { shown } from './printable';
import type { Command } from './commands/command';

// Each command's code is loaded on demand, so that `twinbeat run` does not pay for the others.
// A Map: `twinbeat constructor` is an unknown command, not the object's own constructor.
const commands = new Map<string, Command>(Object.entries({
  'check-config': {
    summary: 'validate /etc/ha.d (--config-dir DIR, --node NAME, --strict) and explain it',
    run: async (args) => (await import('./commands/check-config')).checkConfigCommand.run(args),
  },
  run: {
    summary: 'run the agent (--config-dir DIR, --node NAME, --state-dir DIR, --run-dir DIR, --init-dir DIR)',
    run: async (args) => (await import('./commands/run')).runCommand.run(args),
  },
  status: {
    summary: "show the running agent's nodes, paths, groups and last decision (--json, --run-dir DIR)",
    run: async (args) => (await import('./commands/status')).statusCommand.run(args),
  },
  standby: {
    summary: 'hand every group this node holds to the peer (like hb_standby)',
    run: async (args) => (await import('./commands/status')).runAdminCommand('standby', args),
  },
  takeover: {
    summary: 'take the groups from the peer (like hb_takeover); --force when the peer was never heard',
    run: async (args) => (await import('./commands/status')).runAdminCommand('takeover', args),
    },
  cleanup: {
    summary: 'forget that GROUP failed on this node (its checks or its start), so that it may run here again',
    run: async (args) => (await import('./commands/cleanup')).cleanupCommand.run(args),
  },
  decode: {
    summary: 'print the frames on standard input with their verdicts (--config-dir DIR, --jsonl)',
    run: async (args) => (await import('./commands/decode')).decodeCommand.run(args),
  },
  fence: {
    summary: "reset the peer NODE by hand through this node's reset device (--yes)",
    run: async (args) => (await import('./commands/fence')).fenceCommand.run(args),
  },
  fleet: {
    summary: 'show every pair reporting to an MQTT broker (--broker URL, --prefix P, --json)',
    run: async (args) => (await import('./commands/fleet')).fleetCommand.run(args),
  },
  'fence-confirm': {
    summary: 'confirm NODE was reset by hand, for a manual reset device (like meatclient -c NODE)',
    run: async (args) => (await import('./commands/fence-confirm')).fenceConfirmCommand.run(args),
  },
  boards: {
    summary: 'list the board profiles and which one this machine is (--sysfs-root DIR, --root DIR)',
    run: async (args) => (await import('./commands/boards')).boardsCommand.run(args),
  },
} satisfies Record<string, Command>));

function usage(): string {
  const lines = [...commands].map(([name, c]) => `  ${name.padEnd(14)} ${c.summary}`);
  return `usage: twinbeat <command> [options]\n\ncommands:\n${lines.join('\n')}\n  ${'--version'.padEnd(14)} print the version\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === 'version') {
    process.stdout.write(`twinbeat ${VERSION}\n`);
    return 0;
  }
  if (name === undefined || name === '--help' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = commands.get(name);
  if (!command) {
    process.stderr.write(`twinbeat: unknown command '${shown(name)}'\n${usage()}`);
    return 2;
  }
  return command.run(rest);
}

// `twinbeat decode ... | head` closes our stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`twinbeat: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
