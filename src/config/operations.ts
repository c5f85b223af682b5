// Resource operations as configured: the time limit of each start, stop and status (the most
// specific resource_timeout line wins: a resource over its group over every group, a line with
// the operation over one without), and the rule for a group that will not stop.
import type { Diagnostics } from './diagnostics';
import type { Config, OperationLimit, ResourceGroup, ResourceOp, ResourceSpec, StopFailureRule } from './types';

/** Pacemaker's default operation timeout: what a user of either would expect. */
export const DEFAULT_OPERATION_LIMIT_MS = 20_000;

function names(spec: ResourceSpec): string[] {
  return spec.kind === 'script' ? [spec.raw, spec.name] : [spec.raw, spec.address];
}

/** How long `op` of `resource` (in `group`) may run before it is killed with what it started. */
export function operationLimitMs(limits: readonly OperationLimit[], group: ResourceGroup, resource: ResourceSpec, op: ResourceOp): number {
  let best: { score: number; ms: number } | undefined;
  for (const l of limits) {
    if (l.op !== undefined && l.op !== op) continue;
    const level = l.target === undefined ? 0 : names(resource).includes(l.target) ? 2 : l.target === group.id ? 1 : -1;
    if (level < 0) continue;
    // Later lines win a tie, as a repeated directive does in Heartbeat.
    const score = level * 2 + (l.op !== undefined ? 1 : 0);
    if (!best || score >= best.score) best = { score, ms: l.ms };
  }
  return best?.ms ?? DEFAULT_OPERATION_LIMIT_MS;
}

/** A reset device on the peer can power-cycle `node`. */
export function peerCanReset(config: Pick<Config, 'resetDevices' | 'nodes'>, node: string): boolean {
  const peer = config.nodes[0] === node ? config.nodes[1] : config.nodes[0];
  return config.resetDevices.some((d) => d.target === node && (d.from === peer || d.from === '*'));
}

/**
 * What this node does when `group` will not stop: the group's own line, else the line for
 * every group, else `fence` when the peer can reset this node and `block` (the safe choice) when not.
 */
export function stopFailureRule(config: Pick<Config, 'operations' | 'resetDevices' | 'nodes' | 'localNode'>, group: string): StopFailureRule {
  const lines = config.operations.stopFailure;
  const own = lines.filter((l) => l.group === group).pop() ?? lines.filter((l) => l.group === undefined).pop();
  return own?.rule ?? (peerCanReset(config, config.localNode) ? 'fence' : 'block');
}

/** The names must be in haresources; `fence` needs a device that can reset this node. */
export function checkOperations(
  config: Pick<Config, 'operations' | 'resetDevices' | 'nodes' | 'localNode' | 'groups'>,
  diag: Diagnostics,
): void {
  const { operations, groups } = config;
  for (const l of operations.limits) {
    if (l.target === undefined) continue;
    const known = groups.some((g) => g.id === l.target || g.resources.some((r) => names(r).includes(l.target!)));
    if (!known) diag.error(l.source, `resource_timeout: "${l.target}" is neither a group (its first resource) nor a resource of haresources`);
  }
  for (const l of operations.stopFailure) {
    if (l.group !== undefined && !groups.some((g) => g.id === l.group)) {
      diag.error(l.source, `on_stop_failure: "${l.group}" is not a group of haresources (a group is named by its first resource: ${groups.map((g) => g.id).join(', ') || 'none'})`);
    }
    if (l.rule === 'fence' && !peerCanReset(config, config.localNode)) {
      diag.error(l.source, `on_stop_failure fence: no stonith_host can reset ${config.localNode}, so nobody could; use "block" (the safe choice) or add a reset device`);
    }
  }
}
