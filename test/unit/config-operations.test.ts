// resource_timeout and on_stop_failure as the agent reads them: the most specific limit wins,
// and a group's stop-failure rule defaults to fence only when the peer can reset this node.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_OPERATION_LIMIT_MS, operationLimitMs } from '../../src/config/operations';
import { BASE_HA_CF, check } from '../helpers/config-dir';

const HARESOURCES = 'alpha 192.0.2.50/24/eth0 db httpd::conf\nbeta 192.0.2.60 mail\n';

test('resource_timeout: a resource over its group over every group; a line with the operation over one without', async () => {
  const lines = ['resource_timeout 30s', 'resource_timeout stop 40s', 'resource_timeout 192.0.2.50/24/eth0 50s', 'resource_timeout httpd stop 2s'];
  const { config, errors } = await check({ 'ha.cf': `${BASE_HA_CF}${lines.join('\n')}\n`, haresources: HARESOURCES });
  assert.equal(errors, []);
  const [first, second] = config!.groups;
  const limit = (g: typeof first, i: number, op: 'start' | 'stop' | 'status') => operationLimitMs(config!.operations.limits, g!, g!.resources[i]!, op);
  assert.is(limit(first, 2, 'stop'), 2000, 'httpd::conf named by its script name, stop only');
  assert.is(limit(first, 2, 'start'), 50000, 'the rest of httpd from its group');
  assert.is(limit(first, 1, 'stop'), 50000, 'db from its group');
  assert.is(limit(second, 1, 'stop'), 40000, 'every stop');
  assert.is(limit(second, 1, 'status'), 30000, 'every operation');
  assert.is(operationLimitMs([], first!, first!.resources[1]!, 'stop'), DEFAULT_OPERATION_LIMIT_MS);
  assert.is(DEFAULT_OPERATION_LIMIT_MS, 20_000, "Pacemaker's default");
});

test('on_stop_failure: block without a device that can reset this node, fence with one; a group line over the line for all', async () => {
  const plain = await check({ haresources: HARESOURCES });
  assert.equal(plain.config!.groups.map((g) => g.onStopFailure), ['block', 'block']);
  const relay = 'stonith_host * external target=alpha command=/bin/true\nstonith_host * external target=beta command=/bin/true\n';
  const fenced = await check({ 'ha.cf': `${BASE_HA_CF}${relay}on_stop_failure 192.0.2.60 handover\n`, haresources: HARESOURCES });
  assert.equal(fenced.errors, []);
  assert.equal(fenced.config!.groups.map((g) => g.onStopFailure), ['fence', 'handover']);
  const all = await check({ 'ha.cf': `${BASE_HA_CF}${relay}on_stop_failure block\n`, haresources: HARESOURCES });
  assert.equal(all.config!.groups.map((g) => g.onStopFailure), ['block', 'block']);
});

test.run();
