// `twinbeat fence NODE [--yes]`: the operator power-cycles the peer through this node's reset
// device, by way of the running agent (which owns the device, and whose core then knows the
// peer was reset: it takes the peer's groups and never shoots the rebooting peer again).
// Asks first on a terminal; elsewhere only with --yes.
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { askAgent, DEFAULT_RUN_DIR } from '../control/client';
import type { FenceAnswer, StatusSnapshot } from '../snapshot';
import type { Command } from './command';

/** The decisions that end a reset (src/core/decisions.ts), and the exit status each means. */
const RESET_OUTCOMES: Record<string, number> = { 'reset-succeeded': 0, 'reset-failed-asked-for': 1, 'reset-failed-heard': 1, 'reset-failed-retry': 1 };

/** How long to follow the reset before leaving the rest to `twinbeat status`. */
const FOLLOW_LIMIT_MS = 120_000;

async function confirmed(node: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(`Power-cycle ${node} now? Its groups will be taken over here. [y/N] `);
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}

export const fenceCommand: Command = {
  summary: 'reset the peer NODE by hand through this node\'s reset device (--yes to skip the question)',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      options: { 'run-dir': { type: 'string', default: DEFAULT_RUN_DIR }, yes: { type: 'boolean', default: false } },
      allowPositionals: true,
      strict: true,
    });
    const [node, ...extra] = positionals;
    if (!node || extra.length > 0) {
      process.stderr.write('usage: twinbeat fence NODE [--yes] [--run-dir DIR]\n');
      return 2;
    }
    const runDir = values['run-dir'] as string;
    if (!values.yes && !(await confirmed(node))) {
      process.stderr.write(`twinbeat fence: not resetting ${node}${process.stdin.isTTY ? '' : ' (not a terminal: add --yes to confirm)'}\n`);
      return 1;
    }
    const reply = await askAgent(runDir, { command: 'fence', node: node.toLowerCase() });
    if (!reply.ok) {
      process.stderr.write(`twinbeat fence: ${reply.error}\n`);
      return 1;
    }
    const { said, resetting } = reply.result as FenceAnswer;
    process.stdout.write(`${said}\n`);
    if (!resetting) return 1;
    // The shot takes as long as the device does (a relay's pulse, an external program): follow it.
    const deadline = Date.now() + FOLLOW_LIMIT_MS;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      const status = await askAgent(runDir, { command: 'status' });
      const decision = status.ok ? (status.result as StatusSnapshot).lastDecision : undefined;
      const outcome = decision && RESET_OUTCOMES[decision.code];
      if (outcome !== undefined) {
        process.stdout.write(`${decision!.text}${decision!.reason ? `: ${decision!.reason}` : ''}\n`);
        return outcome;
      }
    }
    process.stdout.write(`the reset is still under way after ${FOLLOW_LIMIT_MS / 1000} s: see twinbeat status\n`);
    return 1;
  },
};
