// Two real agents (the real core, the real config reader) in one process, joined by the
// loopback network, with a simulated LAN standing in for the VIP: it records which node holds
// the address at every moment, so a test or the demo can show the gap and that there was never
// a second holder. Used by the agent's tests and by the demo when namespaces are not available.
import { Agent } from '../../src/agent/agent';
import { LoopbackNetwork } from '../../src/agent/loopback';
import { loadConfig, type Config } from '../../src/config';
import type { ManagedResource } from '../../src/resources/resource';
import { fakeMachine, makeConfigDir } from './config-dir';
import type { StatusSnapshot } from '../../src/snapshot';

export const PAIR_HA_CF = `keepalive 50ms
deadtime 250ms
warntime 150ms
initdead 500ms
ucast eth1 198.51.100.2
serial /dev/ttyS1
auto_failback on
node alpha beta
`;

/** The LAN as the client sees it: who answers on the VIP, with every change timestamped. */
export class SimulatedLan {
  readonly holders = new Set<string>();
  readonly changes: { t: number; holders: string[] }[] = [];
  doubleHolder = false;

  take(node: string): void {
    this.holders.add(node);
    if (this.holders.size > 1) this.doubleHolder = true;
    this.changes.push({ t: Date.now(), holders: [...this.holders] });
  }

  release(node: string): void {
    this.holders.delete(node);
    this.changes.push({ t: Date.now(), holders: [...this.holders] });
  }

  /** The node answering now, if exactly one does. */
  answering(): string | undefined {
    return this.holders.size === 1 ? [...this.holders][0] : undefined;
  }
}

export interface PairNode {
  name: string;
  agent: Agent;
  log: string[];
  running: () => boolean;
  /** The service (`web`) dies under the agent: its status fails until it is started again. */
  killService: () => void;
}

export interface PairOptions {
  haCf?: string;
  /** Called for every log line, e.g. to print it in the demo. */
  onLog?: (node: string, line: string) => void;
  /** Called for every heartbeat a node hands to its links (what feeds systemd's watchdog). */
  onHeartbeat?: (node: string, now: number) => void;
  /** Called with each snapshot a node reports (what MQTT and systemd are given). */
  onSnapshot?: (node: string, snapshot: StatusSnapshot) => void;
}

export class InProcessPair {
  readonly network = new LoopbackNetwork();
  readonly lan = new SimulatedLan();
  readonly calls: string[] = [];
  readonly nodes: Record<string, PairNode> = {};
  private generation = 1000;

  constructor(private readonly options: PairOptions = {}) {}

  private async configFor(node: string): Promise<Config> {
    const dir = makeConfigDir({ 'ha.cf': this.options.haCf ?? PAIR_HA_CF, haresources: 'alpha 192.0.2.50/24/eth0 web\n' });
    const { config, diagnostics } = await loadConfig(dir, { node, machine: fakeMachine() });
    if (!config) throw new Error(diagnostics.map((d) => d.message).join('; '));
    return config;
  }

  /** Starts (or restarts, with a new generation) the agent of `name`. */
  async start(name: 'alpha' | 'beta'): Promise<PairNode> {
    const config = await this.configFor(name);
    let up = false;
    let serviceDead = false;
    const vip: ManagedResource = {
      name: '192.0.2.50/24/eth0',
      start: async () => {
        this.calls.push(`${name} start vip`);
        this.lan.take(name);
        up = true;
        return { ok: true, detail: 'added 192.0.2.50/24 (simulated)', durationMs: 0 };
      },
      stop: async () => {
        this.calls.push(`${name} stop vip`);
        this.lan.release(name);
        up = false;
        return { ok: true, detail: 'removed 192.0.2.50/24 (simulated)', durationMs: 0 };
      },
      status: async () => ({ ok: up, detail: '', durationMs: 0 }),
    };
    const web: ManagedResource = {
      name: 'web',
      start: async () => (this.calls.push(`${name} start web`), (serviceDead = false), { ok: true, detail: '', durationMs: 0 }),
      stop: async () => (this.calls.push(`${name} stop web`), { ok: true, detail: '', durationMs: 0 }),
      status: async () => ({ ok: up && !serviceDead, detail: serviceDead ? 'web is not running' : '', durationMs: 0 }),
    };
    const log: string[] = [];
    const agent = new Agent({
      config,
      logger: {
        log: (level, message) => {
          const line = `${level}: ${message}`;
          log.push(line);
          this.options.onLog?.(name, line);
        },
      },
      transport: this.network.transport(config),
      groups: new Map([[config.groups[0]!.id, [vip, web]]]),
      generation: ++this.generation,
      version: 'in-process',
      ...(this.options.onHeartbeat ? { onHeartbeat: (now: number) => this.options.onHeartbeat!(name, now) } : {}),
      ...(this.options.onSnapshot ? { onSnapshot: (snapshot: StatusSnapshot) => this.options.onSnapshot!(name, snapshot) } : {}),
    });
    await agent.start();
    const node = { name, agent, log, running: () => up, killService: () => (serviceDead = true) };
    this.nodes[name] = node;
    return node;
  }

  /** Power loss: the agent stops dead and its address vanishes with the node. */
  async powerOff(name: string): Promise<void> {
    const node = this.nodes[name];
    if (!node) return;
    await node.agent.halt();
    if (this.lan.holders.has(name)) this.lan.release(name);
  }

  async dispose(): Promise<void> {
    for (const node of Object.values(this.nodes)) await node.agent.halt();
  }
}

/** Waits (bounded) until `condition` holds; returns how long it took. */
export async function until(what: string, condition: () => boolean, limitMs = 3000): Promise<number> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > limitMs) throw new Error(`not within ${limitMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
  return Date.now() - started;
}
