// At start-up, beside the heartbeats: release whatever a crashed run of this agent left of a
// group (a VIP still on an interface, a script whose status says it runs), so that a crash
// followed by a quick restart never leaves an address on two nodes. The core keeps the group
// from starting on either node until this reports back, and decides what a failure means.
import type { Logger } from '../log';
import { stopGroup, type GroupOutcome } from '../resources/group';
import type { ManagedResource } from '../resources/resource';

export async function releaseLeftover(groupId: string, resources: readonly ManagedResource[], logger: Logger): Promise<GroupOutcome> {
  const running: ManagedResource[] = [];
  for (const resource of resources) {
    // Bounded by the resource's status limit: a hanging status is killed and counts as running.
    const status = await resource.status();
    if (status.ok || status.timedOut) running.push(resource);
  }
  if (running.length === 0) return { ok: true, steps: [] };
  logger.log('warn', `Releasing resource group ${groupId}: ${running.map((r) => r.name).join(', ')} still running from a previous run`);
  return stopGroup(resources);
}
