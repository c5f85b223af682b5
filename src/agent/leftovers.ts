// Before joining, release whatever a crashed run of this agent left behind: a VIP of our groups
// still on an interface, a script still running. A crash followed by a quick restart (systemd)
// must never leave an address on two nodes; the core then decides from a clean slate.
import type { Logger } from '../log';
import { stopGroup } from '../resources/group';
import type { ManagedResource } from '../resources/resource';

export async function releaseLeftovers(groups: Map<string, ManagedResource[]>, logger: Logger): Promise<void> {
  for (const [groupId, resources] of groups) {
    const running: ManagedResource[] = [];
    for (const resource of resources) {
      if ((await resource.status()).ok) running.push(resource);
    }
    if (running.length === 0) continue;
    logger.log('warn', `Releasing resource group ${groupId}: ${running.map((r) => r.name).join(', ')} still running from a previous run`);
    const outcome = await stopGroup(resources);
    for (const step of outcome.steps) {
      if (!step.result.ok) logger.log('ERROR', `${step.resource} stop failed: ${step.result.detail}`);
    }
    if (!outcome.ok) throw new Error(`cannot release ${groupId} left by a previous run (${outcome.failed} would not stop): not joining, to avoid a second copy`);
  }
}
