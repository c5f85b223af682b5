// One random scenario of a mixed pair (issue 24): a twinbeat core beside a node that runs
// Heartbeat v1 (the model in heartbeat-v1-peer.ts), as during a rolling migration. The Heartbeat
// node has no reset device (it takes over after deadtime without one); in a share of the seeds the
// twinbeat node has one (stonith_host), which the world carries out by powering the Heartbeat node
// off, sometimes failing. The faults that make sense for such a pair: power loss, cut paths (one
// way or both), lossy paths, stalls of the twinbeat node, graceful stops and the operator's standby
// and takeover on either side. Then a quiet phase, and every group must run on exactly one node,
// where auto_failback says.
import { makeRng, type Rng } from './prng';
import { FAULT_PHASE_MS, QUIET_PHASE_MS, judged, pairConfigs } from './scenario';
import type { HbConfig, HbFailback } from './heartbeat-v1-peer';
import { Violation, World, type SimNode, type StepFn } from './world';

export interface MixedResult {
  seed: number;
  ok: boolean;
  violation?: string;
  summary: string;
  trace: string[];
  steps: number;
}

export interface MixedOptions {
  stepFn?: StepFn;
  trace?: boolean;
  /** Also draw auto_failback legacy (nice_failback off); see the note at `pickFailback`. */
  legacy?: boolean;
  /** A reset device on the twinbeat node: always (true), never (false), or drawn (undefined: in RESET_DEVICE_SHARE of the seeds). */
  resetDevice?: boolean;
}

/** The share of mixed seeds whose twinbeat node has a reset device, when not chosen by the caller. */
export const RESET_DEVICE_SHARE = 0.4;

/**
 * The twinbeat node's reset device, drawn from a stream of its own so that a seed without one plays
 * as it did before devices were drawn: whether it has one, and how often it fails (in a third of
 * those seeds). The Heartbeat node has none, nor its twinbeat run after the migration: the world
 * judges a pair whose two nodes have a device by the stricter rules of (1) from its start.
 */
function pickDevice(seed: number, forced: boolean | undefined): { twin: boolean; failure: number } {
  const rng = makeRng(seed ^ 0x7e5e_7d0c);
  const twin = forced ?? rng.chance(RESET_DEVICE_SHARE);
  const failure = rng.chance(1 / 3) ? rng.next() * 0.6 : 0;
  return { twin, failure: twin ? failure : 0 };
}

/**
 * auto_failback on, off or (with `legacy`) legacy: Heartbeat's nice_failback off, which says
 * nothing of what it holds. twinbeat reads `legacy` in its own ha.cf as `on`.
 */
function pickFailback(rng: Rng, legacy: boolean): HbFailback {
  if (legacy && rng.chance(0.2)) return 'legacy';
  return rng.chance(0.5) ? 'on' : 'off';
}

export function runMixedScenario(seed: number, opts: MixedOptions = {}): MixedResult {
  const rng = makeRng(seed ^ 0x4b1d_2c3e);
  const hbIndex = rng.int(0, 1);
  const failback = pickFailback(rng, opts.legacy ?? false);
  const homes = rng.chance(0.5) ? [rng.int(0, 1)] : [0, 1];
  const configs = pairConfigs({ resetDevice: false, autoFailback: failback === 'off' ? 'off' : 'on', homes, pings: 0, track: false, monitor: false, stopRule: 'block' });
  for (const c of configs) c.autoFailbackWasLegacy = failback === 'legacy';
  const device = pickDevice(seed, opts.resetDevice);
  const twin = configs[1 - hbIndex]!;
  twin.canResetPeer = device.twin;
  configs[hbIndex]!.canResetPeer = false;
  const hbConfig: HbConfig = {
    local: twin.peer,
    peer: twin.local,
    groups: twin.groups.map((g) => ({ id: g.id, home: g.home })),
    keepaliveMs: twin.keepaliveMs,
    deadtimeMs: twin.deadtimeMs,
    initdeadMs: twin.initdeadMs,
    autoFailback: failback,
  };
  const world = new World({ rng, configs, stepFn: opts.stepFn, trace: opts.trace ?? false, heartbeat: { index: hbIndex, config: hbConfig } });
  world.resetFailure = device.failure;
  const faults: string[] = [];
  if (device.failure > 0) faults.push(`reset failure ${device.failure.toFixed(2)}`);
  const operator = planMixedFaults(world, rng, faults);
  const hbName = world.nodes[hbIndex]!.name;
  const summary =
    `mixed seed ${seed}: ${hbName} runs Heartbeat v1, auto_failback ${failback}, groups ${homes.map((h) => `node${h + 1}`).join(',')}, ` +
    `reset device ${device.twin ? `on ${twin.local}` : 'none'}; ` +
    `faults: ${faults.join('; ') || 'none'}`;
  return judged(world, seed, summary, () => {
    world.run(FAULT_PHASE_MS);
    repairMixed(world);
    runMixedQuietPhase(world, FAULT_PHASE_MS + QUIET_PHASE_MS, failback, operator);
    checkMixedSettled(world, failback, operator);
  });
}

/** Returns whether an operator moved groups by hand (standby or takeover): failback is then not judged. */
function planMixedFaults(world: World, rng: Rng, faults: string[]): boolean {
  const [n1, n2] = world.nodes;
  world.powerOnAt(n1, 0);
  world.powerOnAt(n2, rng.chance(0.7) ? rng.int(0, 3000) : rng.int(3000, 20_000));
  const paths = Object.keys(world.links);
  let operator = false;
  // The migration's second step, in a fifth of the seeds: the Heartbeat node is stopped (SIGTERM)
  // and comes back running twinbeat; from then on the pair is two twinbeat nodes.
  if (rng.chance(0.2)) {
    const hbNode = world.nodes.find((n) => n.hbConfig)!;
    const at = rng.int(4000, FAULT_PHASE_MS - 2000);
    const back = rng.int(500, 6000);
    faults.push(`${at}: ${hbNode.name} migrates to twinbeat (SIGTERM, back after ${back})`);
    world.fault(at, `migrate ${hbNode.name}`, () => {
      if (!hbNode.hbConfig || !hbNode.powered || !hbNode.hb) return;
      world.migrating = hbNode;
      hbNode.restartAfterExitMs = back;
      world.feedHb(hbNode, (hb) => hb.sigterm(world.now));
    });
  }
  for (let i = rng.int(0, 6); i > 0; i--) {
    const at = rng.int(1000, FAULT_PHASE_MS - 1000);
    const room = FAULT_PHASE_MS - at;
    const node = world.nodes[rng.int(0, 1)]!;
    const kind = rng.pick(['cut', 'cut-all', 'lossy', 'power', 'power', 'stall', 'standby', 'takeover', 'stop', 'stop'] as const);
    if (kind === 'cut' || kind === 'cut-all') {
      const cut = kind === 'cut' ? [rng.pick(paths)] : paths;
      const oneWay = rng.chance(0.2) ? rng.int(0, 1) : -1;
      const d = rng.int(500, room);
      faults.push(`${at}: cut ${cut.join('+')}${oneWay >= 0 ? ` from node${oneWay + 1}` : ''} for ${d}`);
      const set = (v: boolean) => () => {
        for (const p of cut) for (const dir of [0, 1]) if (oneWay < 0 || dir === oneWay) world.links[p]![dir]!.cut = v;
      };
      world.fault(at, `cut ${cut.join('+')}`, () => {
        world.mixedChecks!.unplanned();
        set(true)();
      });
      world.fault(at + d, `heal ${cut.join('+')}`, set(false));
    } else if (kind === 'lossy') {
      const p = rng.pick(paths);
      const loss = rng.next() * 0.5;
      faults.push(`${at}: ${p} lossy ${loss.toFixed(2)}, dup, reorder`);
      world.fault(at, `${p} lossy`, () => {
        world.mixedChecks!.unplanned();
        for (const l of world.links[p]!) Object.assign(l, { loss, duplicate: 0.05, reorder: 0.1 });
      });
    } else if (kind === 'power') {
      const d = rng.int(500, 8000);
      faults.push(`${at}: power loss of ${node.name} for ${d}`);
      world.fault(at, `power loss of ${node.name}`, () => {
        if (!node.powered) return;
        world.mixedChecks!.unplanned();
        world.powerOff(node, 'power loss');
        world.powerOnAt(node, world.now + d);
      });
    } else if (kind === 'stall') {
      // Heartbeat runs realtime; a stall is the twinbeat node's.
      const twin = world.nodes.find((n) => !n.hbConfig)!;
      const d = rng.int(500, Math.min(8000, room));
      faults.push(`${at}: stall ${twin.name} for ${d}`);
      world.fault(at, `stall ${twin.name} for ${d}`, () => {
        if (!twin.powered) return;
        world.mixedChecks!.unplanned();
        twin.stalledUntil = world.now + d;
        world.schedule({ kind: 'resume', at: world.now + d, node: twin.index });
      });
    } else if (kind === 'standby' || kind === 'takeover') {
      operator = true;
      faults.push(`${at}: ${node.hbConfig ? `hb_${kind}` : `twinbeat ${kind}`} on ${node.name}`);
      world.fault(at, `${kind} on ${node.name}`, () => adminOn(world, node, kind));
    } else {
      const back = rng.int(500, 6000);
      faults.push(`${at}: stop ${node.name} (SIGTERM), back after ${back}`);
      world.fault(at, `SIGTERM to ${node.name}`, () => {
        node.restartAfterExitMs = back;
        if (node.hbConfig) world.feedHb(node, (hb) => hb.sigterm(world.now));
        else world.feed(node, { type: 'shutdown', now: world.now });
      });
    }
  }
  return operator;
}

function adminOn(world: World, node: SimNode, command: 'standby' | 'takeover'): void {
  if (node.hbConfig) world.feedHb(node, (hb) => (command === 'standby' ? hb.hbStandby(world.now) : hb.hbTakeover(world.now)));
  else world.feed(node, { type: 'admin', now: world.now, command });
}

function repairMixed(world: World): void {
  world.note('QUIET: every path healed, both nodes powered');
  world.resetFailure = 0;
  for (const pair of Object.values(world.links)) for (const l of pair) Object.assign(l, { cut: false, loss: 0, duplicate: 0, reorder: 0 });
  for (const n of world.nodes) {
    n.restartAfterExitMs = 0;
    if (!n.powered) world.powerOnAt(n, world.now + 1);
  }
}

/** The node runs the group and is done moving it: a core's `held`, or a Heartbeat that started it and is not giving up. */
function settledHolder(n: SimNode, group: string): boolean {
  if (!n.powered || !n.running.has(group)) return false;
  if (n.hb) return n.hb.up.has(group) && !n.hb.shuttingDown && !n.hb.busy;
  return n.state?.groups[group]?.state === 'held';
}

/** (5) auto_failback off (or legacy, where nothing fails back by itself here): no group moves while both run, in contact, in the quiet phase. */
function runMixedQuietPhase(world: World, end: number, failback: HbFailback, operator: boolean): void {
  if (failback === 'on' || operator) {
    world.run(end);
    return;
  }
  const checks = world.mixedChecks!;
  let settled: Record<string, number> = {};
  let powerOffs = world.powerOffs;
  while (world.now < end) {
    world.run(Math.min(end, world.now + 250));
    const [a, b] = world.nodes;
    // A node stopping (Heartbeat restarting after a healed partition, say) hands its groups over: not a failback.
    if (!a.powered || !b.powered || !world.anyPathWorks() || world.powerOffs !== powerOffs || checks.leaving(a) || checks.leaving(b)) {
      settled = {};
      powerOffs = world.powerOffs;
      continue;
    }
    for (const g of a.config.groups) {
      if (a.running.has(g.id) && b.running.has(g.id)) {
        delete settled[g.id];
        continue;
      }
      const holders = world.nodes.filter((n) => settledHolder(n, g.id));
      if (holders.length !== 1) continue;
      const holder = holders[0]!.index;
      if (settled[g.id] === undefined) settled[g.id] = holder;
      else if (settled[g.id] !== holder) {
        throw new Violation(`(5) auto_failback ${failback}, yet ${g.id} moved from node${settled[g.id]! + 1} to node${holder + 1} with both nodes up`);
      }
    }
  }
}

/** (4) and (5) after the quiet phase: each group runs on exactly one node; with auto_failback on and no operator moves, on its home. */
function checkMixedSettled(world: World, failback: HbFailback, operator: boolean): void {
  const checks = world.mixedChecks!;
  for (const g of world.nodes[0].config.groups) {
    const holders = world.nodes.filter((n) => n.powered && n.running.has(g.id));
    const held = holders.filter((n) => settledHolder(n, g.id));
    // What Heartbeat v1 itself leaves, and the pending core bugs (mixed-checks.ts says which and why).
    if (checks.dualMayLast(g.id) || (holders.length === 0 && (checks.orphanedByFastRestart(g.id) || checks.viewStuck() || checks.releaseStalled(g.id)))) continue;
    if (holders.length !== 1 || held.length !== 1) {
      throw new Violation(`(4) ${QUIET_PHASE_MS} ms after the last fault ${g.id} is running on ${holders.map((n) => n.name).join(',') || 'no node'}`);
    }
    // Heartbeat v1 itself: a peer whose start-up exchange was lost (its `starting` or our answer) stays
    // in transition and never fails back; and pending core bugs 97, 99, 101, 102 and 105.
    const hb = world.nodes.find((n) => n.hbConfig)?.hb ?? null;
    const stuckStarting = hb !== null && (hb.rstate === 'starting' || hb.rstate === 'bothstarting');
    // Heartbeat v1 itself too: a failback request the peer could not take (it came before the word
    // that it is stable, on a lossy path) is cancelled after 10 s and never asked again.
    const failbackGaveUp = hb !== null && hb.failbackCancelled && g.home !== hb.c.local;
    if (failback === 'on' && !operator && !stuckStarting && !failbackGaveUp && !checks.failbackIgnored() && !checks.viewStuck() && !checks.stableWordMissed() && !checks.answeredTwice() && !checks.exchangeOutlivedDeath()) {
      const home = world.nodes.find((n) => n.name === g.home)!;
      if (held[0] !== home) throw new Violation(`(5) auto_failback on: ${g.id} is on ${held[0]!.name}, expected its home ${home.name}`);
    }
  }
}
