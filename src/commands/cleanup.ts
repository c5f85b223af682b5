// `twinbeat cleanup GROUP`: forget that GROUP failed on this node (its checks, or its start),
// so that it may run here again; like Pacemaker's `crm_resource --cleanup`. If this node holds
// the group and it is stopped, it starts.
import { parseArgs } from 'node:util';
import { askAgent, DEFAULT_RUN_DIR } from '../control/client';
import type { Command } from './command';

export const cleanupCommand: Command = {
  summary: 'forget that GROUP failed on this node, so that it may run here again',
  async run(args) {
    const { values, positionals } = parseArgs({ args, options: { 'run-dir': { type: 'string', default: DEFAULT_RUN_DIR } }, allowPositionals: true, strict: true });
    const [group, ...extra] = positionals;
    if (!group || extra.length > 0) {
      process.stderr.write('usage: twinbeat cleanup GROUP [--run-dir DIR]\n  GROUP is named by its first resource, as `twinbeat status` shows it\n');
      return 2;
    }
    const reply = await askAgent(values['run-dir'] as string, { command: 'cleanup', group });
    if (!reply.ok) {
      process.stderr.write(`twinbeat cleanup: ${reply.error}\n`);
      return 1;
    }
    process.stdout.write(`${String(reply.result)}\n`);
    return 0;
  },
};
