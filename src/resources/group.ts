// A resource group starts left to right and stops right to left, as Heartbeat does. A start
// that fails part-way stops what it had started, so a failed group holds nothing.
import type { ActionResult, ManagedResource } from './resource';

export interface StepReport {
  resource: string;
  action: 'start' | 'stop';
  result: ActionResult;
  /** When it ended (performance.now() ms), for a takeover's trace. */
  endedAt: number;
}

export interface GroupOutcome {
  ok: boolean;
  /** Every step in the order it ran, for the log. */
  steps: StepReport[];
  /** The resource that failed, when one did. */
  failed?: string;
}

export async function startGroup(resources: readonly ManagedResource[]): Promise<GroupOutcome> {
  const steps: StepReport[] = [];
  const started: ManagedResource[] = [];
  for (const resource of resources) {
    const result = await resource.start();
    steps.push({ resource: resource.name, action: 'start', result, endedAt: performance.now() });
    if (!result.ok) {
      const rollback = await stopGroup(started);
      return { ok: false, steps: [...steps, ...rollback.steps], failed: resource.name };
    }
    started.push(resource);
  }
  return { ok: true, steps };
}

/**
 * Checks that every resource still runs, in order, within `timeoutMs` for the whole group (each
 * status gets what is left). Stops at the first that is not running: its answer is the detail.
 */
export async function checkGroup(resources: readonly ManagedResource[], timeoutMs: number): Promise<{ ok: boolean; detail: string }> {
  const started = performance.now();
  for (const resource of resources) {
    const left = Math.max(1, Math.round(timeoutMs - (performance.now() - started)));
    const result = await resource.status(left);
    if (!result.ok) return { ok: false, detail: `${resource.name}: ${result.detail}` };
  }
  return { ok: true, detail: `${resources.length} resource(s) running` };
}

/** Stops every resource, last first, going on past a failure so that as much as possible is released. */
export async function stopGroup(resources: readonly ManagedResource[]): Promise<GroupOutcome> {
  const steps: StepReport[] = [];
  let failed: string | undefined;
  for (const resource of [...resources].reverse()) {
    const result = await resource.stop();
    steps.push({ resource: resource.name, action: 'stop', result, endedAt: performance.now() });
    if (!result.ok && failed === undefined) failed = resource.name;
  }
  return { ok: failed === undefined, steps, ...(failed !== undefined ? { failed } : {}) };
}
