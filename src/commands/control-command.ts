// The shape of the small operator commands that name one thing and ask the running agent
// about it (`twinbeat cleanup GROUP`, `twinbeat fence-confirm NODE`): one argument and
// --run-dir, one request on the control socket, the agent's answer printed.
import { parseArgs } from 'node:util';
import { askAgent, DEFAULT_RUN_DIR } from '../control/client';
import type { ControlRequest } from '../control/protocol';
import type { Command } from './command';

export interface OneArgumentCommand {
  name: string;
  summary: string;
  /** The usage lines printed when the argument is missing (exit 2). */
  usage: string;
  request: (argument: string) => ControlRequest;
}

/** Asks the agent and prints its answer: exit 0, or the error on stderr and exit 1. */
export async function askAndPrint(name: string, runDir: string, request: ControlRequest): Promise<number> {
  const reply = await askAgent(runDir, request);
  if (!reply.ok) {
    process.stderr.write(`twinbeat ${name}: ${reply.error}\n`);
    return 1;
  }
  process.stdout.write(`${String(reply.result)}\n`);
  return 0;
}

export function oneArgumentCommand(spec: OneArgumentCommand): Command {
  return {
    summary: spec.summary,
    async run(args) {
      const { values, positionals } = parseArgs({ args, options: { 'run-dir': { type: 'string', default: DEFAULT_RUN_DIR } }, allowPositionals: true, strict: true });
      const [argument, ...extra] = positionals;
      if (!argument || extra.length > 0) {
        process.stderr.write(`${spec.usage}\n`);
        return 2;
      }
      return askAndPrint(spec.name, values['run-dir'] as string, spec.request(argument));
    },
  };
}
