// The agent shell with the real core: two agents in one process over the loopback network,
// resources that only record what they were asked. Checks that the shell feeds events and
// carries out effects as the core's contract says (src/core/index.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Agent } from '../../src/agent/agent';
import { LoopbackNetwork } from '../../src/agent/loopback';
import { loadConfig, type Config } from '../../src/config';
import type { ManagedResource } from '../../src/resources/resource';
import { fakeMachine, makeConfigDir } from '../helpers/config-dir';

const HA_CF = `keepalive 50ms
deadtime 250ms
warntime 150ms
initdead 500ms
ucast eth1 198.51.100.2
serial /dev/ttyS1
auto_failback on
node alpha beta
`;

async function configFor(node: string): Promise<Config> {
  const dir = makeConfigDir({ 'ha.cf': HA_CF, haresources: 'alpha 192.0.2.50/24/eth0 web\n' });
  const { config, diagnostics } = await loadConfig(dir, { node, machine: fakeMachine() });
  if (!config) throw new Error(diagnostics.map((d) => d.message).join('; '));
  return config;
}

interface Node {
  agent: Agent;
  /** Who holds the VIP right now, per the fake resources. */
  running: () => boolean;
  log: string[];
}

async function startPair(network = new LoopbackNetwork()) {
  const calls: string[] = [];
  const make = async (name: string): Promise<Node> => {
    const config = await configFor(name);
    let up = false;
    const resource = (res: string): ManagedResource => ({
      name: res,
      start: async () => {
        calls.push(`${name} start ${res}`);
        up = true;
        return { ok: true, detail: '', durationMs: 1 };
      },
      stop: async () => {
        calls.push(`${name} stop ${res}`);
        up = false;
        return { ok: true, detail: '', durationMs: 1 };
      },
      status: async () => ({ ok: up, detail: '', durationMs: 0 }),
    });
    const log: string[] = [];
    const agent = new Agent({
      config,
      logger: { log: (level, message) => log.push(`${level}: ${message}`) },
      transport: network.transport(name, name === 'alpha' ? 'beta' : 'alpha', config.paths.map((p) => p.id)),
      groups: new Map([[config.groups[0]!.id, [resource('vip'), resource('web')]]]),
      generation: name === 'alpha' ? 100 : 200,
      version: 'test',
    });
    await agent.start();
    return { agent, running: () => up, log };
  };
  const alpha = await make('alpha');
  const beta = await make('beta');
  return { alpha, beta, calls, network };
}

async function until(what: string, condition: () => boolean, limitMs = 3000): Promise<number> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > limitMs) throw new Error(`not within ${limitMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return Date.now() - started;
}

test('both start: the home node acquires its group, left to right; the peer stands by', async () => {
  const { alpha, beta, calls } = await startPair();
  await until('alpha holds the group', () => alpha.agent.snapshot().groups[0]?.state === 'held');
  await until('beta sees alpha as holder', () => beta.agent.snapshot().groups[0]?.holder === 'alpha');
  assert.equal(calls, ['alpha start vip', 'alpha start web']);
  assert.is(alpha.agent.snapshot().role, 'active');
  assert.is(beta.agent.snapshot().role, 'standby');
  assert.ok(alpha.log.some((l) => l.includes('Link beta:eth1 up.')), alpha.log.join('\n'));
  await alpha.agent.halt();
  await beta.agent.halt();
});

test('the active node dies: the peer takes over after deadtime, and says why', async () => {
  const { alpha, beta, network } = await startPair();
  await until('alpha holds the group', () => alpha.running());
  await until('beta hears alpha', () => beta.agent.snapshot().peer.state === 'up');
  const died = Date.now();
  await alpha.agent.halt();
  const gap = await until('beta runs the group', () => beta.running());
  const elapsed = Date.now() - died;
  assert.ok(elapsed >= 250 - 60, `not before deadtime (${elapsed} ms)`);
  assert.ok(elapsed < 250 + 400, `soon after deadtime (${elapsed} ms, waited ${gap})`);
  assert.ok(beta.log.some((l) => /node alpha: is dead/.test(l)), beta.log.join('\n'));
  assert.ok(beta.log.some((l) => /Taking over resource group 192\.0\.2\.50\/24\/eth0/.test(l)), beta.log.join('\n'));
  assert.ok(network.delivered['ucast eth1 198.51.100.2']! > 0 && network.delivered['serial /dev/ttyS1']! > 0);
  await beta.agent.halt();
});

test('one path cut: no takeover, only that path is dead', async () => {
  const { alpha, beta, network } = await startPair();
  await until('alpha holds the group', () => alpha.running());
  network.cutPath('ucast eth1 198.51.100.2');
  await until('beta sees eth1 dead', () => beta.agent.snapshot().paths[0]?.state === 'dead');
  assert.ok(beta.log.some((l) => l.includes('Link alpha:eth1 dead.')), beta.log.join('\n'));
  await new Promise((r) => setTimeout(r, 400));
  assert.is(beta.running(), false);
  assert.is(beta.agent.snapshot().peer.state, 'up');
  network.healPath('ucast eth1 198.51.100.2');
  await until('beta sees eth1 up again', () => beta.agent.snapshot().paths[0]?.state === 'up');
  await alpha.agent.halt();
  await beta.agent.halt();
});

test('graceful shutdown of the active: the peer takes over at once, before deadtime', async () => {
  const { alpha, beta, calls } = await startPair();
  await until('alpha holds the group', () => alpha.running());
  await until('beta hears alpha', () => beta.agent.snapshot().peer.state === 'up');
  const asked = Date.now();
  alpha.agent.requestShutdown();
  await alpha.agent.exited;
  await until('beta runs the group', () => beta.running());
  assert.ok(Date.now() - asked < 250, `handover in ${Date.now() - asked} ms, less than deadtime`);
  assert.equal(calls.slice(-4), ['alpha stop web', 'alpha stop vip', 'beta start vip', 'beta start web']);
  await alpha.agent.halt();
  await beta.agent.halt();
});

test('standby hands the group over; takeover brings it back; never both at once', async () => {
  const { alpha, beta } = await startPair();
  await until('alpha holds the group', () => alpha.running());
  await until('beta hears alpha', () => beta.agent.snapshot().peer.state === 'up');
  let overlap = false;
  const watch = setInterval(() => (overlap ||= alpha.running() && beta.running()), 1);
  alpha.agent.admin('standby');
  await until('beta runs the group', () => beta.running() && !alpha.running());
  const answer = alpha.agent.admin('takeover');
  assert.match(answer, /^Takeover: asking beta to release/);
  await until('alpha runs it again', () => alpha.running() && !beta.running());
  clearInterval(watch);
  assert.is(overlap, false);
  await alpha.agent.halt();
  await beta.agent.halt();
});

test.run();
