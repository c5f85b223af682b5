// `twinbeat cleanup GROUP`: forget that GROUP failed on this node (its checks, its start, or its
// stop: run it only once the service is really stopped), so that it may run here or move again;
// like Pacemaker's `crm_resource --cleanup`. If this node holds the group and it is stopped, it
// starts, or goes where a standby was sending it.
import { oneArgumentCommand } from './control-command';

export const cleanupCommand = oneArgumentCommand({
  name: 'cleanup',
  summary: 'forget that GROUP failed on this node (a failed stop: once the service is really stopped), so that it may run or move again',
  usage: 'usage: twinbeat cleanup GROUP [--run-dir DIR]\n  GROUP is named by its first resource, as `twinbeat status` shows it',
  request: (group) => ({ command: 'cleanup', group }),
});
