#!/usr/bin/env node
// The `twinbeat` command: parses arguments and hands off to one function per subcommand.
import { parseArgs } from 'node:util';
import { VERSION } from './version';

const USAGE = `usage: twinbeat <command> [options]

commands:
  check-config [--config-dir DIR] [--node NAME] [--strict]   validate /etc/ha.d and explain it
  --version                                                  print the version
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case '--version':
    case 'version':
      process.stdout.write(`twinbeat ${VERSION}\n`);
      return 0;
    case undefined:
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      void parseArgs;
      void rest;
      process.stderr.write(`twinbeat: unknown command '${command}'\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`twinbeat: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
