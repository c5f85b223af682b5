// Builds the drivers of each resource group from the Config: a VipDriver per address, a
// ScriptDriver per script, in haresources order.
import type { Config, ResourceGroup } from '../config/types';
import { DEFAULT_OPERATION_LIMIT_MS, operationLimitMs } from '../config/operations';
import type { ManagedResource } from '../resources/resource';
import { ScriptDriver } from '../resources/script';
import { VipDriver } from '../resources/vip';
import type { IpRunner } from '../resources/ip-batch';
import type { AgentOptions } from './options';

/** `ipRunner`: the shared `ip -batch` the VIPs add and remove their addresses through (default: a process per command). */
export function buildGroupResources(config: Config, options: AgentOptions, ipRunner?: IpRunner): Map<string, ManagedResource[]> {
  // Heartbeat passes its settings to resource scripts through HA_* variables.
  const env = { ...config.env, HA_CURHOST: config.localNode, HA_LOGFACILITY: config.logfacility ?? '' };
  const byGroup = new Map<string, ManagedResource[]>();
  for (const group of config.groups) {
    byGroup.set(
      group.id,
      group.resources.map((spec) =>
        spec.kind === 'vip'
          ? new VipDriver(spec, { ipPath: options.ipPath, arpingPath: options.arpingPath, ...(ipRunner ? { ipRunner } : {}) })
          : new ScriptDriver(spec, {
              configDir: config.dir,
              initDir: options.initDir,
              timeoutMs: DEFAULT_OPERATION_LIMIT_MS,
              limits: {
                start: operationLimitMs(config.operations.limits, group, spec, 'start'),
                stop: operationLimitMs(config.operations.limits, group, spec, 'stop'),
                status: operationLimitMs(config.operations.limits, group, spec, 'status'),
              },
              env,
            }),
      ),
    );
  }
  return byGroup;
}

export function groupLine(group: ResourceGroup): string {
  return `${group.home} ${group.resources.map((r) => r.raw).join(' ')}`;
}
