// `twinbeat cleanup GROUP`: forget that GROUP failed on this node (its checks, or its start),
// so that it may run here again; like Pacemaker's `crm_resource --cleanup`. If this node holds
// the group and it is stopped, it starts.
import { oneArgumentCommand } from './control-command';

export const cleanupCommand = oneArgumentCommand({
  name: 'cleanup',
  summary: 'forget that GROUP failed on this node, so that it may run here again',
  usage: 'usage: twinbeat cleanup GROUP [--run-dir DIR]\n  GROUP is named by its first resource, as `twinbeat status` shows it',
  request: (group) => ({ command: 'cleanup', group }),
});
