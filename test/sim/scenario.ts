// One random scenario from one seed: a fault phase, then a quiet phase in which every fault is
// repaired; at the end every group must be held by exactly one node, where auto_failback says.
import type { CoreConfig } from '../../src/core';
import { makeRng, type Rng } from './prng';
import { Violation, World, type StepFn } from './world';

export const FAULT_PHASE_MS = 25_000;
/** Longest recovery after the last fault: reboot after a reset (<= 6.5 s) + join (~2 s) +
 *  a failed start's hold-off (8 s) + handover (<= 1 s) + fence delay if contact is lost at
 *  the very end (deadtime + fence_delay + reset + start = 13 s); 40 s leaves a margin. */
export const QUIET_PHASE_MS = 40_000;

/** Hold-down and damping in every simulated pair (invariant (15) counts against these). */
export const FLAP = { holddownMs: 3000, limit: 4, windowMs: 20_000 };

export interface PairOptions {
  resetDevice: boolean;
  autoFailback: 'on' | 'off';
  /** Home node index of each group. */
  homes: number[];
  /** Ping targets with ipfail on (0: none). */
  pings: number;
  /** Carrier tracked on eth0 (track_interface). */
  track: boolean;
  /** Resource checks every 3 s (monitor_interval), with failover_on_monitor on or off. */
  monitor: false | 'on' | 'off';
  /** Every group's on_stop_failure (fence only with a reset device). */
  stopRule: 'fence' | 'block' | 'handover';
}

export function pairConfigs(o: PairOptions): [CoreConfig, CoreConfig] {
  const names: [string, string] = ['node1', 'node2'];
  const groups = o.homes.map((h, i) => ({ id: `192.0.2.${50 + i}`, home: names[h]!, line: `${names[h]} 192.0.2.${50 + i} httpd`, onStopFailure: o.stopRule }));
  const make = (i: number): CoreConfig => ({
    local: names[i]!,
    peer: names[1 - i]!,
    nodes: names,
    keepaliveMs: 1000,
    deadtimeMs: 4000,
    warntimeMs: 2000,
    initdeadMs: 8000,
    fenceDelayMs: 8000,
    paths: [
      { id: 'eth1', name: 'eth1' },
      { id: 'ttyS1', name: '/dev/ttyS1' },
    ],
    groups,
    autoFailback: o.autoFailback,
    autoFailbackWasLegacy: false,
    canResetPeer: o.resetDevice,
    resetRetryMs: 1000,
    resetRetryMaxMs: 8000,
    failedRetryMs: 8000,
    pingTargets: o.pings,
    deadpingMs: 4000,
    trackedInterfaces: o.track ? ['eth0'] : [],
    monitorIntervalMs: o.monitor ? 3000 : 0,
    monitorFailures: 1,
    failoverOnMonitor: o.monitor !== 'off',
    // The shell's early duplicate-address probe (issue 23): a look at the LAN, never a change.
    probeLeadMs: 600,
    // Shorter than the defaults (3 deadtimes, a minute), so that a 25 s fault phase sees damping act.
    failbackHolddownMs: FLAP.holddownMs,
    flapLimit: FLAP.limit,
    flapWindowMs: FLAP.windowMs,
  });
  return [make(0), make(1)];
}

export interface ScenarioResult {
  seed: number;
  ok: boolean;
  violation?: string;
  summary: string;
  trace: string[];
  steps: number;
}

export function runScenario(seed: number, opts: { stepFn?: StepFn; trace?: boolean } = {}): ScenarioResult {
  const rng = makeRng(seed);
  // Stop failures draw from a second stream, so that the other faults of a seed stay as they were.
  const stopRng = makeRng(seed ^ 0x5bd1e995);
  // So do flapping causes (issue 20).
  const flapRng = makeRng(seed ^ 0x2545f491);
  const resetDevice = rng.chance(0.6);
  const pair: PairOptions = {
    resetDevice,
    autoFailback: rng.chance(0.5) ? 'on' : 'off',
    homes: rng.chance(0.5) ? [0] : [0, rng.int(0, 1)],
    pings: rng.chance(0.4) ? rng.int(1, 2) : 0,
    track: rng.chance(0.4),
    monitor: rng.chance(0.4) ? (rng.chance(0.75) ? 'on' : 'off') : false,
    stopRule: resetDevice ? stopRng.pick(['fence', 'fence', 'block', 'handover'] as const) : stopRng.pick(['block', 'handover'] as const),
  };
  const world = new World({ rng, configs: pairConfigs(pair), stepFn: opts.stepFn, trace: opts.trace ?? false });
  world.stopRule = pair.stopRule;
  world.stopRng = stopRng;
  const faults: string[] = [];
  const usedAdmin = planFaults(world, rng, faults);
  const hangs = planStopFailures(world, stopRng, faults);
  planFlapping(world, flapRng, faults);
  planRunsAndReplays(world, makeRng(seed ^ 0x2545f491), faults);
  const summary =
    `seed ${seed}: reset device ${pair.resetDevice ? 'yes' : 'no'}, auto_failback ${pair.autoFailback}, ` +
    `groups ${pair.homes.map((h) => `node${h + 1}`).join(',')}, ping targets ${pair.pings}, carrier ${pair.track ? 'tracked' : 'not tracked'}, ` +
    `monitor ${pair.monitor ? `on, failover ${pair.monitor}` : 'off'}, on_stop_failure ${pair.stopRule}; faults: ${faults.join('; ') || 'none'}`;
  const end = FAULT_PHASE_MS + QUIET_PHASE_MS;
  return judged(world, seed, summary, () => {
    world.run(FAULT_PHASE_MS);
    repairEverything(world);
    runQuietPhase(world, end, pair, usedAdmin || hangs);
    checkSettled(world, pair);
  });
}

/** Runs a scenario's phases; an invariant broken on the way is its result, noted in the trace. */
export function judged(world: World, seed: number, summary: string, phases: () => void): ScenarioResult {
  try {
    phases();
    return { seed, ok: true, summary, trace: world.trace ?? [], steps: world.steps };
  } catch (e) {
    if (!(e instanceof Violation)) throw e;
    world.note(`VIOLATION ${e.message}`);
    return { seed, ok: false, violation: e.message, summary, trace: world.trace ?? [], steps: world.steps };
  }
}

/**
 * Restarts that lose the state directory with the clock behind (a swapped unit: its generation
 * is low again, and may repeat), and an attacker without the key who replays what it recorded
 * from either node, any run, during the faults. A stream of their own: other faults stay put.
 */
function planRunsAndReplays(world: World, rng: Rng, faults: string[]): void {
  world.runRng = rng;
  if (rng.chance(0.4)) {
    world.lostStateChance = 0.6;
    faults.push('restarts may lose the state directory (generation low again)');
    // Without a crash among the faults, the swap is the point: one of them, on either node.
    const node = world.nodes[rng.int(0, 1)]!;
    const at = rng.int(2000, FAULT_PHASE_MS - 4000);
    const down = rng.int(500, 4000);
    faults.push(`${at}: ${node.name} swapped (down ${down})`);
    world.fault(at, `swap ${node.name}`, () => {
      if (!node.powered) return;
      world.powerOff(node, 'unit swapped');
      world.powerOnAt(node, world.now + down);
    });
  }
  if (rng.chance(0.4)) {
    const count = rng.int(5, 60);
    faults.push(`${count} replays of recorded messages`);
    const paths = Object.keys(world.links);
    for (let i = 0; i < count; i++) {
      const node = world.nodes[rng.int(0, 1)]!;
      const path = rng.pick(paths);
      world.fault(rng.int(1000, FAULT_PHASE_MS + 20_000), `replay to ${node.name}`, () => world.replay(node, path));
    }
  }
}

function planFaults(world: World, rng: Rng, faults: string[]): boolean {
  const [n1, n2] = world.nodes;
  world.powerOnAt(n1, 0);
  world.powerOnAt(n2, rng.chance(0.8) ? rng.int(0, 3000) : rng.int(3000, 14_000));
  world.startFailure = rng.chance(0.3) ? rng.next() * 0.4 : 0;
  world.resetFailure = rng.chance(0.3) ? rng.next() * 0.6 : 0;
  if (world.startFailure) faults.push(`start failure ${world.startFailure.toFixed(2)}`);
  if (world.resetFailure) faults.push(`reset failure ${world.resetFailure.toFixed(2)}`);
  const paths = Object.keys(world.links);
  let usedAdmin = false;
  const count = rng.int(0, 6);
  for (let i = 0; i < count; i++) {
    const at = rng.int(1000, FAULT_PHASE_MS - 1000);
    const room = FAULT_PHASE_MS - at;
    const node = world.nodes[rng.int(0, 1)]!;
    const pings = world.nodes[0].config.pingTargets ?? 0;
    const tracked = (world.nodes[0].config.trackedInterfaces ?? []).length > 0;
    const monitored = (world.nodes[0].config.monitorIntervalMs ?? 0) > 0;
    const kinds = [
      'cut', 'cut-all', 'cut-all', 'lossy', 'crash', 'stall', 'admin', 'shutdown',
      ...(pings > 0 ? (['ping', 'ping'] as const) : []),
      ...(tracked ? (['carrier', 'carrier'] as const) : []),
      ...(monitored ? (['service', 'service', 'broken'] as const) : []),
    ] as const;
    const kind = rng.pick(kinds);
    if (kind === 'carrier') {
      const d = rng.int(300, room);
      faults.push(`${at}: ${node.name} eth0 without carrier for ${d}`);
      world.fault(at, `${node.name} eth0 no carrier`, () => world.setCarrier(node, ['eth0']));
      world.fault(at + d, `${node.name} eth0 carrier back`, () => world.setCarrier(node, []));
      continue;
    }
    if (kind === 'service' || kind === 'broken') {
      const group = rng.pick(node.config.groups).id;
      if (kind === 'service') {
        faults.push(`${at}: ${group}'s service dies on ${node.name}`);
        world.fault(at, `${group} dies on ${node.name}`, () => {
          if (node.running.has(group)) node.serviceDead.add(group);
        });
      } else {
        const d = rng.int(2000, room);
        faults.push(`${at}: ${group} cannot run on ${node.name} for ${d}`);
        world.fault(at, `${group} broken on ${node.name}`, () => node.brokenHere.add(group));
        world.fault(at + d, `${group} fixed on ${node.name}`, () => node.brokenHere.delete(group));
      }
      continue;
    }
    if (kind === 'ping') {
      const reach = rng.int(0, pings - 1);
      const d = rng.int(500, room);
      faults.push(`${at}: ${node.name} reaches ${reach} of ${pings} ping targets for ${d}`);
      world.fault(at, `${node.name} reaches ${reach}`, () => world.setReach(node, reach));
      world.fault(at + d, `${node.name} reaches ${pings}`, () => world.setReach(node, pings));
      continue;
    }
    if (kind === 'cut' || kind === 'cut-all') {
      const cut = kind === 'cut' ? [rng.pick(paths)] : paths;
      const oneWay = rng.chance(0.2) ? rng.int(0, 1) : -1;
      const d = rng.int(500, room);
      faults.push(`${at}: cut ${cut.join('+')}${oneWay >= 0 ? ` from node${oneWay + 1}` : ''} for ${d}`);
      const set = (v: boolean) => () => {
        for (const p of cut) for (const dir of [0, 1]) if (oneWay < 0 || dir === oneWay) world.links[p]![dir]!.cut = v;
      };
      world.fault(at, `cut ${cut.join('+')}`, set(true));
      world.fault(at + d, `heal ${cut.join('+')}`, set(false));
    } else if (kind === 'lossy') {
      const p = rng.pick(paths);
      const loss = rng.next() * 0.5;
      faults.push(`${at}: ${p} lossy ${loss.toFixed(2)}, dup, reorder`);
      world.fault(at, `${p} lossy`, () => {
        for (const l of world.links[p]!) Object.assign(l, { loss, duplicate: 0.05, reorder: 0.1 });
      });
    } else if (kind === 'crash') {
      const d = rng.int(500, 8000);
      faults.push(`${at}: crash ${node.name} for ${d}`);
      world.fault(at, `crash ${node.name}`, () => {
        if (!node.powered) return;
        world.powerOff(node, 'crash');
        world.powerOnAt(node, world.now + d);
      });
    } else if (kind === 'stall') {
      const d = rng.int(500, Math.min(12_000, room));
      faults.push(`${at}: stall ${node.name} for ${d}`);
      world.fault(at, `stall ${node.name} for ${d}`, () => {
        if (!node.powered) return;
        node.stalledUntil = world.now + d;
        world.schedule({ kind: 'resume', at: world.now + d, node: node.index });
      });
    } else if (kind === 'admin') {
      usedAdmin = true;
      const command = rng.pick(['standby', 'takeover'] as const);
      faults.push(`${at}: ${command} on ${node.name}`);
      world.fault(at, `admin ${command} on ${node.name}`, () => world.feed(node, { type: 'admin', now: world.now, command }));
    } else {
      usedAdmin = true;
      const back = rng.int(500, 6000);
      faults.push(`${at}: shutdown ${node.name}, back after ${back}`);
      world.fault(at, `shutdown ${node.name}`, () => {
        node.restartAfterExitMs = back;
        world.feed(node, { type: 'shutdown', now: world.now });
      });
    }
  }
  return usedAdmin;
}

/**
 * Stop failures and hangs (issue 19): in a third of the seeds, any stop may fail by chance, and a
 * random group's stop may hang on a random node for a while (every stop of it fails at its time
 * limit). Nothing here moves a group by itself: the faults of planFaults make the stops.
 */
function planStopFailures(world: World, rng: Rng, faults: string[]): boolean {
  if (!rng.chance(0.33)) return false;
  world.stopFailure = rng.chance(0.5) ? rng.next() * 0.3 : 0;
  if (world.stopFailure) faults.push(`stop failure ${world.stopFailure.toFixed(2)}`);
  for (let i = rng.int(1, 2); i > 0; i--) {
    const node = world.nodes[rng.int(0, 1)]!;
    const group = rng.pick(node.config.groups).id;
    const at = rng.int(0, FAULT_PHASE_MS - 2000);
    const d = rng.int(2000, FAULT_PHASE_MS - at);
    faults.push(`${at}: ${group}'s stop hangs on ${node.name} for ${d}`);
    world.fault(at, `${group}'s stop hangs on ${node.name}`, () => node.stopHangs.add(group));
    world.fault(at + d, `${group}'s stop works again on ${node.name}`, () => node.stopHangs.delete(group));
  }
  return true;
}

/**
 * A flapping cause (issue 20), in a third of the seeds that have one to flap: a carrier, a ping
 * target, or a service that breaks now and then (the operator cleans up after each repair). Down
 * briefly, up for a while, several times: up longer than the hold-down (3 s) now and then, so
 * that without damping the group would go back and forth.
 */
function planFlapping(world: World, rng: Rng, faults: string[]): void {
  const config = world.nodes[0].config;
  const causes = [
    ...((config.trackedInterfaces ?? []).length > 0 ? (['carrier'] as const) : []),
    ...((config.pingTargets ?? 0) > 0 ? (['ping'] as const) : []),
    ...((config.monitorIntervalMs ?? 0) > 0 && config.failoverOnMonitor !== false ? (['service'] as const) : []),
  ];
  if (causes.length === 0 || !rng.chance(0.33)) return;
  const cause = rng.pick(causes);
  const node = world.nodes[rng.int(0, 1)]!;
  const group = rng.pick(node.config.groups).id;
  const downMs = cause === 'service' ? rng.int(4000, 7000) : rng.int(200, 2000);
  const upMs = rng.int(500, 7000);
  let at = rng.int(500, 8000);
  let flaps = 0;
  for (let i = rng.int(3, 12); i > 0 && at + downMs + 500 < FAULT_PHASE_MS; i--, flaps++) {
    const back = at + downMs;
    if (cause === 'carrier') {
      world.fault(at, `${node.name} eth0 flaps down`, () => world.setCarrier(node, ['eth0']));
      world.fault(back, `${node.name} eth0 flaps up`, () => world.setCarrier(node, []));
    } else if (cause === 'ping') {
      world.fault(at, `${node.name} ping target flaps down`, () => world.setReach(node, node.config.pingTargets! - 1));
      world.fault(back, `${node.name} ping target flaps up`, () => world.setReach(node, node.config.pingTargets!));
    } else {
      // Broken long enough for the checks (every 3 s) to fail twice: a restart, then a move.
      world.fault(at, `${group} breaks on ${node.name}`, () => node.brokenHere.add(group));
      world.fault(back, `${group} fixed on ${node.name}, cleaned up`, () => {
        node.brokenHere.delete(group);
        // Only the mark of the checks: a stop that failed is the quiet phase's operator's to clear.
        const slot = node.state?.groups[group];
        if (slot?.monitorFailed && !slot.stopFailed) world.feed(node, { type: 'cleanup', now: world.now, group });
      });
    }
    at = back + upMs + rng.int(0, 1000);
  }
  faults.push(`${node.name}: ${cause === 'service' ? `${group}'s service` : cause} flaps ${flaps} times (down ${downMs}, up ${upMs} ms)`);
}

function repairEverything(world: World): void {
  world.note('QUIET: every path healed, nodes powered, resources and devices work');
  world.startFailure = 0;
  world.resetFailure = 0;
  world.stopFailure = 0;
  for (const n of world.nodes) n.stopHangs.clear();
  // A stop that failed: once the pair has settled, the operator stops the service by hand
  // wherever it still runs, then runs `twinbeat cleanup` where a node said so.
  world.fault(world.now + 2 * world.deadtimeMs, 'operator stops by hand what would not stop', () => {
    for (const n of world.nodes) {
      for (const g of n.stuck) n.running.delete(g);
      n.stuck.clear();
      n.leftover.clear();
    }
    for (const m of world.nodes) {
      const st = m.state;
      if (!st) continue;
      for (const g of m.config.groups) {
        if (st.groups[g.id]!.stopFailed || st.peer.stuck.includes(g.id)) world.feed(m, { type: 'cleanup', now: world.now, group: g.id });
      }
    }
  });
  for (const pair of Object.values(world.links)) for (const l of pair) Object.assign(l, { cut: false, loss: 0, duplicate: 0, reorder: 0 });
  for (const n of world.nodes) {
    if (n.reach >= 0) world.setReach(n, n.config.pingTargets ?? 0);
    if (n.down.length > 0) world.setCarrier(n, []);
    n.serviceDead.clear();
    n.brokenHere.clear();
    // The operator, having fixed what broke, clears what the checks marked failed.
    if ((n.config.monitorIntervalMs ?? 0) > 0) {
      // Once the pair has settled again (contact back for two deadtimes), as an operator would.
      world.fault(world.now + 2 * world.deadtimeMs, `operator cleans up on ${n.name}`, () => {
        for (const g of n.config.groups) world.feed(n, { type: 'cleanup', now: world.now, group: g.id });
      });
    }
    n.restartAfterExitMs = 0;
    if (!n.powered) world.powerOnAt(n, world.now + 1);
  }
}

/** Runs the quiet phase, watching for failback moves that auto_failback off forbids. */
function runQuietPhase(world: World, end: number, pair: PairOptions, usedAdmin: boolean): void {
  if (pair.autoFailback === 'on' || usedAdmin) {
    world.run(end);
    return;
  }
  // A move counts only while both nodes stayed up and in contact: a group that moves because
  // its holder was reset or lost contact is a takeover, not a failback.
  let settledHolder: Record<string, number> = {};
  let powerOffs = world.powerOffs;
  const slice = 250;
  while (world.now < end) {
    world.run(Math.min(end, world.now + slice));
    const [a, b] = world.nodes;
    if (!a.powered || !b.powered || !world.anyPathWorks() || world.powerOffs !== powerOffs) {
      settledHolder = {};
      powerOffs = world.powerOffs;
      continue;
    }
    for (const g of a.config.groups) {
      // Resolving a split brain (no reset device) moves a group too; that is not a failback.
      if (a.running.has(g.id) && b.running.has(g.id)) {
        delete settledHolder[g.id];
        continue;
      }
      const holders = world.nodes.filter((n) => n.running.has(g.id) && n.state?.groups[g.id]?.state === 'held');
      if (holders.length !== 1) continue;
      const holder = holders[0]!.index;
      const before = settledHolder[g.id];
      if (before === undefined) settledHolder[g.id] = holder;
      else if (before !== holder) {
        throw new Violation(`(5) auto_failback off, yet ${g.id} moved from node${before + 1} to node${holder + 1} with both nodes up`);
      }
    }
  }
}

/** (4) and (5): after the quiet phase every group runs on exactly one node, the right one. */
function checkSettled(world: World, pair: PairOptions): void {
  for (const g of world.nodes[0].config.groups) {
    const holders = world.nodes.filter((n) => n.powered && n.running.has(g.id));
    const held = holders.filter((n) => n.state?.groups[g.id]?.state === 'held');
    if (holders.length !== 1 || held.length !== 1) {
      throw new Violation(
        `(4) ${QUIET_PHASE_MS} ms after the last fault ${g.id} is running on ${holders.map((n) => n.name).join(',') || 'no node'}`,
      );
    }
    if (pair.autoFailback === 'on') {
      const home = world.nodes.find((n) => n.name === g.home)!;
      const other = world.nodes[1 - home.index]!;
      const homeStandby = home.state?.mode === 'standby';
      const otherStandby = other.state?.mode === 'standby';
      // Both in standby: neither hands anything over, so wherever it is is right. A group that
      // failed to start on its home node is not handed back there (it would fail again).
      const homeFailed = home.state?.groups[g.id]?.startFailed === true;
      const expected = homeStandby || homeFailed ? (otherStandby ? held[0] : other) : home;
      if (expected && held[0] !== expected) {
        throw new Violation(`(5) auto_failback on: ${g.id} is on ${held[0]!.name}, expected ${expected.name}`);
      }
    }
  }
}
