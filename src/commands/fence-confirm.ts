// `twinbeat fence-confirm NODE`: the operator says NODE was power-cycled by hand, completing
// the reset a manual device (Heartbeat's meatware) is waiting for. Like meatclient -c NODE.
import { parseArgs } from 'node:util';
import { askAgent, DEFAULT_RUN_DIR } from '../control/client';
import { FENCE_CONFIRM_COMMAND, type FenceConfirmRequest } from '../control/protocol';
import type { Command } from './command';

export const fenceConfirmCommand: Command = {
  summary: 'confirm that NODE was reset by hand, for a manual reset device (like meatclient -c)',
  async run(args) {
    const { values, positionals } = parseArgs({ args, options: { 'run-dir': { type: 'string', default: DEFAULT_RUN_DIR } }, allowPositionals: true, strict: true });
    const [node, ...extra] = positionals;
    if (!node || extra.length > 0) {
      process.stderr.write('usage: twinbeat fence-confirm NODE [--run-dir DIR]\n  only after NODE has really been powered off or reset: the peer takes over its groups\n');
      return 2;
    }
    const request: FenceConfirmRequest = { command: FENCE_CONFIRM_COMMAND, node: node.toLowerCase() };
    const reply = await askAgent(values['run-dir'] as string, request);
    if (!reply.ok) {
      process.stderr.write(`twinbeat fence-confirm: ${reply.error}\n`);
      return 1;
    }
    process.stdout.write(`${String(reply.result)}\n`);
    return 0;
  },
};
