// `twinbeat run`: reads the configuration (strictly: this machine must have what it names),
// releases what a crashed run left behind, opens the paths and the reset device, and hands
// over to the agent. Signals: TERM/INT shut down gracefully, HUP re-reads the configuration.
import { parseArgs } from 'node:util';
import { formatDiagnostic, loadConfig, type Config } from '../config';
import { thisMachine } from '../config/machine';
import { createResetDevice, type ResetController } from '../fence';
import { fenceConfirmHandler, FENCE_CONFIRM_COMMAND } from '../fence/confirm-request';
import { newBootNumber, nextGeneration } from '../agent/generation';
import { createLinks } from '../links';
import { createLogger, type Logger } from '../log';
import { ControlSocket } from '../control/server';
import { prepareRunDir } from '../control/run-dir';
import { createMqttReporter, type MqttReporter } from '../report/mqtt';
import { createSystemdNotifier, statusLine, type SystemdNotifier } from '../report/systemd-notify';
import type { ClusterEvent, StatusSnapshot } from '../snapshot';
import { VERSION } from '../version';
import { shown } from '../printable';
import { PingWatcher } from '../health/ping';
import { CarrierWatcher } from '../health/carrier';
import { LinkMonitor } from '../links/link-monitor';
import { createFrameSplitter } from '../wire';
import { Agent } from '../agent/agent';
import { buildGroupResources } from '../agent/group-resources';
import { IpBatch } from '../resources/ip-batch';
import { DEFAULT_AGENT_OPTIONS, type AgentOptions } from '../agent/options';
import { planReload, serialReloads } from '../agent/reload';
import { createWireTransport, type WireTransport } from '../agent/wire-transport';
import type { Command } from './command';
import { holdSignalsWhileStarting } from './early-signals';

/** How long a graceful shutdown may take before the agent exits anyway. */
const SHUTDOWN_LIMIT_MS = 60_000;

function optionsFrom(args: string[]): AgentOptions {
  const d = DEFAULT_AGENT_OPTIONS;
  const { values } = parseArgs({
    args,
    options: {
      'config-dir': { type: 'string', default: d.configDir },
      node: { type: 'string' },
      'state-dir': { type: 'string', default: d.stateDir },
      'run-dir': { type: 'string', default: d.runDir },
      'init-dir': { type: 'string', default: d.initDir },
      'ip-path': { type: 'string', default: d.ipPath },
      'arping-path': { type: 'string', default: d.arpingPath },
    },
    strict: true,
  });
  return {
    ...d,
    configDir: values['config-dir'] as string,
    ...(values.node ? { node: values.node } : {}),
    stateDir: values['state-dir'] as string,
    runDir: values['run-dir'] as string,
    initDir: values['init-dir'] as string,
    ipPath: values['ip-path'] as string,
    arpingPath: values['arping-path'] as string,
  };
}

async function load(options: AgentOptions, report: (line: string) => void): Promise<Config | undefined> {
  const loaded = await loadConfig(options.configDir, {
    ...(options.node ? { node: options.node } : {}),
    strict: true,
    machine: await thisMachine(options.initDir, options.ipPath),
  });
  for (const d of loaded.diagnostics) report(formatDiagnostic(d));
  return loaded.config;
}

/** Links speak in info/warn/debug; the agent's log in Heartbeat's levels. */
const linkLog = (logger: Logger) => ({
  info: (m: string) => logger.log('info', m),
  warn: (m: string) => logger.log('warn', m),
  debug: (m: string) => logger.log('debug', m),
});

/** The run directory, before anything is touched: one another user owns is refused here, not after the reset device and the paths are up. */
async function claimRunDir(runDir: string): Promise<{ note?: string } | { refused: string }> {
  try {
    const note = await prepareRunDir(runDir);
    return note ? { note } : {};
  } catch (err) {
    return { refused: err instanceof Error ? err.message : String(err) };
  }
}

function openLog(config: Config): Logger {
  return createLogger({
    stderr: true,
    debug: config.debugLevel > 0,
    ...(config.logfile ? { logfile: config.logfile } : {}),
    ...(config.debugfile ? { debugfile: config.debugfile } : {}),
  });
}

/** First of all: a relay must hold the peer powered before anything else can go wrong. */
async function startResetDevice(config: Config, logger: Logger): Promise<ResetController | undefined> {
  const reset = createResetDevice(config, { log: logger });
  await reset?.start();
  if (reset) logger.log('info', `Reset device: ${reset.describe()}`);
  return reset;
}

/**
 * One long-lived `ip -batch` for the VIPs' adds and removes, started now so that the first
 * takeover does not wait for it (see ip-batch.ts); none when no group has a VIP.
 */
function startIpBatch(config: Config, options: AgentOptions, logger: Logger): IpBatch | undefined {
  const hasVip = config.groups.some((g) => g.resources.some((r) => r.kind === 'vip'));
  const ipBatch = hasVip ? new IpBatch(options.ipPath, (text) => logger.log('warn', text)) : undefined;
  ipBatch?.start();
  return ipBatch;
}

/** The reset device as the agent sees it: a way to shoot, its health and its counters. */
function resetDeviceDeps(reset: ResetController | undefined) {
  if (!reset) return {};
  return {
    resetPeer: () => reset.resetPeer('the core decided to reset the peer'),
    resetDevice: () => ({ description: reset.describe(), ...reset.device.health() }),
    counters: () => {
      const c = reset.counters();
      return { 'reset-shots': c.shots, 'reset-succeeded': c.succeeded, 'reset-failed': c.failed };
    },
  };
}

/** What the agent tells the outside after each step: MQTT and systemd, only when someone listens (a snapshot per change costs a little on every event). */
function reportingDeps(mqtt: MqttReporter | undefined, systemd: SystemdNotifier, wake: () => void) {
  return {
    onHeartbeat: (now: number) => {
      systemd.heartbeat(now);
      wake();
    },
    ...(mqtt || systemd.enabled
      ? {
          onSnapshot: (s: StatusSnapshot) => {
            mqtt?.publishState(s);
            systemd.status(statusLine(s.role, s.groups, s.node));
          },
        }
      : {}),
    ...(mqtt ? { onEvent: (e: ClusterEvent) => mqtt.publishEvent(e) } : {}),
  };
}

/** `twinbeat status`, `standby`, `takeover`, `cleanup`, `fence` and `fence-confirm`, answered over the control socket. */
async function startControlSocket(runDir: string, config: Config, agent: Agent, reset: ResetController | undefined, logger: Logger): Promise<ControlSocket> {
  const control = new ControlSocket(runDir, {
    status: () => agent.snapshot(),
    standby: () => agent.admin('standby'),
    takeover: (request) => agent.admin(request.force === true ? 'takeover-force' : 'takeover'),
    cleanup: (request) => agent.cleanup(String((request as { group?: unknown }).group)),
    [FENCE_CONFIRM_COMMAND]: fenceConfirmHandler(reset),
    fence: (request) => {
      const node = (request as { node?: unknown }).node;
      if (node !== config.peerNode) throw new Error(`this node can only reset its peer ${config.peerNode}, not ${shown(String(node))}`);
      return agent.fence();
    },
  });
  const note = await control.start();
  if (note) logger.log('warn', note);
  return control;
}

/**
 * The ping targets and the carriers the configuration names, told to the agent as they change.
 * `onWake` is called on each heartbeat sent: the carrier's safety read rides on it (no wake-up
 * of its own while the link monitor runs).
 */
function startHealthWatchers(config: Config, agent: Agent, logger: Logger, linkMonitor: LinkMonitor | undefined): { stop(): void; onWake(): void } {
  const pings = config.pingTargets.length > 0 ? new PingWatcher({ targets: config.pingTargets, logger, onChange: (n) => agent.reachability(n) }) : undefined;
  pings?.start();
  const pollMs = Math.min(1000, Math.max(100, config.timing.keepaliveMs / 2));
  const carrier =
    config.trackInterfaces.length > 0
      ? new CarrierWatcher({ interfaces: config.trackInterfaces, onChange: (down) => agent.carrier(down), ...(linkMonitor ? { monitor: linkMonitor } : {}), pollMs, safetyOnWake: true })
      : undefined;
  carrier?.start();
  return {
    onWake() {
      carrier?.onWake();
    },
    stop() {
      pings?.stop();
      carrier?.stop();
    },
  };
}

/**
 * TERM/INT hand the groups over and exit (within SHUTDOWN_LIMIT_MS); HUP re-reads the
 * configuration and applies what can change while running (the authkeys). Signals that came
 * while the agent started are acted on now.
 */
function handleSignals(ctx: { config: Config; options: AgentOptions; logger: Logger; agent: Agent; transport: WireTransport; systemd: SystemdNotifier; early: { release(): NodeJS.Signals[] } }): void {
  const { config, options, logger, agent, transport, systemd } = ctx;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log('info', `Received ${signal}: shutting down (giving up resources to the peer)`);
    systemd.stopping(`stopping (${signal}): handing the groups to ${config.peerNode}`);
    agent.requestShutdown();
    setTimeout(() => {
      logger.log('ERROR', `Shutdown did not complete within ${SHUTDOWN_LIMIT_MS} ms: exiting anyway`);
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
  };
  let running = config;
  const reload = async () => {
    logger.log('info', `SIGHUP: re-reading ${options.configDir}`);
    const next = await load(options, (line) => logger.log('warn', `SIGHUP: ${line}`)).catch(() => undefined);
    if (!next) return logger.log('ERROR', 'SIGHUP: the new configuration is not valid; keeping the running one (nothing released)');
    const plan = planReload(running, next);
    if (plan.authChanged) {
      transport.setAuth(next.auth);
      running = { ...running, auth: next.auth };
      logger.log('info', `SIGHUP: authkeys applied (sending with key ${next.auth.sendIndex}, accepting ${next.auth.keys.map((k) => k.index).join(', ')})`);
    }
    if (plan.refused.length) logger.log('warn', `SIGHUP: not applied while running, restart twinbeat to change: ${plan.refused.join('; ')}`);
    if (!plan.authChanged && !plan.refused.length) logger.log('info', 'SIGHUP: nothing changed');
  };
  const reloads = serialReloads(reload);
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', reloads);
  for (const signal of ctx.early.release()) {
    if (signal === 'SIGHUP') reloads();
    else shutdown(`${signal} (while starting)`);
  }
}

export const runCommand: Command = {
  summary: 'run the agent (--config-dir DIR, --node NAME, --state-dir, --run-dir, --init-dir)',
  async run(args) {
    const options = optionsFrom(args);
    // A signal that arrives while the agent starts (systemd stopping a unit still starting) would
    // kill it half-way by default: it is kept and acted on once the agent runs.
    const early = holdSignalsWhileStarting();
    const config = await load(options, (line) => process.stderr.write(`${line}\n`));
    if (!config) {
      process.stderr.write(`twinbeat: not starting: ${options.configDir} is not valid here (twinbeat check-config --strict says why)\n`);
      return 2;
    }
    const runDir = await claimRunDir(options.runDir);
    if ('refused' in runDir) {
      process.stderr.write(`twinbeat: not starting: ${runDir.refused}\n`);
      return 2;
    }
    const logger = openLog(config);
    logger.log('info', `Configuration validated. Starting twinbeat ${VERSION} on ${config.localNode}`);
    if (runDir.note) logger.log('warn', runDir.note);
    const reset = await startResetDevice(config, logger);
    const ipBatch = startIpBatch(config, options, logger);
    const groups = buildGroupResources(config, options, ipBatch);
    const { generation, problem: generationProblem } = await nextGeneration(options.stateDir);
    if (generationProblem) logger.log('ERROR', `State directory: ${generationProblem}`);
    // One `ip monitor` for whoever keeps a view of the interfaces (the UDP paths, the carrier
    // watcher), so that neither polls the kernel while nothing changes.
    const watchesInterfaces = config.trackInterfaces.length > 0 || config.paths.some((p) => p.kind !== 'serial');
    const linkMonitor = watchesInterfaces ? new LinkMonitor() : undefined;
    linkMonitor?.start();
    const links = createLinks(config, { log: linkLog(logger), splitter: () => createFrameSplitter(), ...(linkMonitor ? { monitor: linkMonitor } : {}) });
    const transport = createWireTransport(config, { logger, links });
    const systemd = createSystemdNotifier({ env: process.env, logger });
    // The agent exists by the time a command can arrive (the reporter connects after start()).
    let agentRef: Agent | undefined;
    // Started once the agent runs; its safety reads ride on the heartbeats from then on.
    let health: ReturnType<typeof startHealthWatchers> | undefined;
    const mqtt = createMqttReporter(config, {
      log: (level, message) => logger.log(level, message),
      commands: (command) => {
        logger.log('info', `MQTT command: ${command}`);
        agentRef?.admin(command);
      },
    });
    await mqtt?.start();
    const agent = new Agent({
      config,
      logger,
      transport,
      groups,
      generation,
      boot: newBootNumber(),
      ...(generationProblem ? { problems: [generationProblem] } : {}),
      version: VERSION,
      ...resetDeviceDeps(reset),
      ...reportingDeps(mqtt, systemd, () => health?.onWake()),
    });
    agentRef = agent;
    const control = await startControlSocket(options.runDir, config, agent, reset, logger);
    await agent.start();
    health = startHealthWatchers(config, agent, logger, linkMonitor);
    // READY=1: the configuration is read and the paths are open.
    const first = agent.snapshot();
    systemd.ready(statusLine(first.role, first.groups, first.node));
    handleSignals({ config, options, logger, agent, transport, systemd, early });

    await agent.exited;
    health.stop();
    linkMonitor?.stop();
    await agent.halt();
    await control.stop();
    await mqtt?.stop();
    reset?.stop();
    logger.log('info', 'twinbeat stopped');
    return 0;
  },
};
