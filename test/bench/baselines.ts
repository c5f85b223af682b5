// The baselines twinbeat's handovers are compared with (issue 15): Heartbeat 3.0.6 and
// keepalived 2.2.7 in the same namespace pair, measured as the client sees them, callable from
// any bench in the same run:
//
//   import { heartbeatGaps, keepalivedGaps, printGaps } from './baselines';
//   printGaps(print, 'heartbeat udp 200ms/1', await heartbeatGaps({ shape: 'udp', keepalive: '200ms', deadtime: '1', runs: 5, ops: ALL_OPS }));
//
// `npm run bench baselines` (root) runs the set below. TWINBEAT_BASELINE_RUNS (default 5) sets
// the runs; TWINBEAT_BASELINES picks settings, space- or comma-separated, each
// heartbeat/SHAPE/KEEPALIVE/DEADTIME or keepalived/SHAPE/ADVERT (e.g.
// "heartbeat/udp/200ms/5 keepalived/unicast/1"); TWINBEAT_BASELINE_OPS picks operations
// (e.g. "stop,failback").
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab, LAN } from '../helpers/netns';
import { ALL_OPS, printGaps, survivors, type BaselineOp } from './baseline-common';
import { HEARTBEAT_SHAPES, heartbeatGaps, heartbeatUnavailable, type HeartbeatShape } from './baseline-heartbeat';
import { keepalivedGaps, keepalivedUnavailable, type KeepalivedShape } from './baseline-keepalived';
import { median } from './stats';

export { ALL_OPS, printGaps, survivors, type BaselineOp, type BaselineResult, type OpResult } from './baseline-common';
export { heartbeatGaps, heartbeatUnavailable, HEARTBEAT_SHAPES, type HeartbeatOptions, type HeartbeatShape } from './baseline-heartbeat';
export { keepalivedGaps, keepalivedUnavailable, type KeepalivedOptions, type KeepalivedShape } from './baseline-keepalived';

/**
 * The settings: Heartbeat at keepalive 200 ms with deadtime 1 s and with deadtime 5 s
 * (graceful handovers should not depend on deadtime), every shape; keepalived at advert 0.1
 * over multicast on the LAN and unicast over the crossover.
 */
const DEFAULT_SETTINGS = [
  ...HEARTBEAT_SHAPES.flatMap((shape) => [`heartbeat/${shape}/200ms/1`, `heartbeat/${shape}/200ms/5`]),
  'keepalived/multicast/0.1',
  'keepalived/unicast/0.1',
];

/**
 * How long Heartbeat's resource scripts take on their own, outside Heartbeat, in a node's
 * namespace: `ResourceManager takegroup` (what the new holder runs: IPaddr's status, then its
 * start, which adds the VIP and starts send_arp) and `givegroup` (what the old holder runs).
 * They are part of each graceful gap, and of the time the VIP is on neither node.
 */
export function heartbeatScriptTimes(runs = 5): { take: number[]; give: number[] } {
  const lab = new Lab().buildPair();
  const root = mkdtempSync(join(tmpdir(), 'hb-scripts-'));
  try {
    const group = `IPaddr::${LAN.vip}/24/eth0`;
    cpSync('/etc/ha.d', join(root, 'ha.d'), { recursive: true });
    cpSync('/var/lib/heartbeat', join(root, 'lib'), { recursive: true });
    writeFileSync(join(root, 'ha.d', 'haresources'), `node-a ${group}\n`);
    const script = [
      'hostname node-a',
      `mount --bind ${root}/ha.d /etc/ha.d && mount --bind ${root}/lib /var/lib/heartbeat && mount -t tmpfs tmpfs /run`,
      'mkdir -p /run/resource-agents /run/heartbeat/rsctmp /run/lock',
      `for i in $(seq ${runs}); do`,
      '  s=$(date +%s%N)',
      `  /usr/share/heartbeat/ResourceManager takegroup ${group} >/dev/null 2>&1`,
      '  m=$(date +%s%N)',
      `  /usr/share/heartbeat/ResourceManager givegroup ${group} >/dev/null 2>&1`,
      '  e=$(date +%s%N)',
      '  echo "$(( (m - s) / 1000000 )) $(( (e - m) / 1000000 ))"',
      'done',
    ].join('\n');
    const out = lab.exec('a', ['unshare', '-m', '-u', '--propagation', 'private', 'sh', '-c', script]);
    const rows = out.trim().split('\n').map((l) => l.split(' ').map(Number));
    return { take: rows.map((r) => r[0] ?? NaN), give: rows.map((r) => r[1] ?? NaN) };
  } finally {
    // The Lab ends what the scripts left running (send_arp goes on announcing for a while).
    lab.dispose();
    rmSync(root, { recursive: true, force: true });
  }
}

export async function runBaselinesBench(print: (line: string) => void): Promise<void> {
  const runs = Number(process.env.TWINBEAT_BASELINE_RUNS ?? 5);
  const settings = (process.env.TWINBEAT_BASELINES?.split(/[\s,]+/).filter(Boolean) ?? DEFAULT_SETTINGS).map((s) => s.split('/'));
  const ops = (process.env.TWINBEAT_BASELINE_OPS?.split(/[\s,]+/).filter(Boolean) as BaselineOp[] | undefined) ?? ALL_OPS;
  print(`baselines: client gaps (10 ms polling) per handover, ${runs} runs each; gap = first answer from the new holder - last answer from the old (power loss: - the cut)`);
  // One "skipped" line per reason, not one per setting.
  const skipped = new Set<string>();
  const skip = (what: string, why: string) => {
    if (!skipped.has(`${what}: ${why}`)) print(`baselines ${what}: skipped: ${why}`);
    skipped.add(`${what}: ${why}`);
  };
  let ran = false;
  for (const [daemon, shape = '', ...values] of settings) {
    if (daemon === 'heartbeat') {
      const why = heartbeatUnavailable(shape as HeartbeatShape);
      if (why) {
        skip('heartbeat', why);
        continue;
      }
      ran = true;
      const [keepalive = '200ms', deadtime = '1'] = values;
      const result = await heartbeatGaps({ shape: shape as HeartbeatShape, keepalive, deadtime, runs, ops });
      printGaps(print, `heartbeat 3.0.6, ${shape}, keepalive ${keepalive} deadtime ${deadtime}:`, result);
    } else if (daemon === 'keepalived') {
      const why = keepalivedUnavailable();
      if (why) {
        skip('keepalived', why);
        continue;
      }
      ran = true;
      const advert = Number(values[0] ?? '0.1');
      const result = await keepalivedGaps({ shape: shape as KeepalivedShape, advert, runs, ops });
      printGaps(print, `keepalived 2.2.7, VRRPv3 ${shape}, advert_int ${advert}:`, result);
    } else {
      print(`baselines: unknown setting ${[daemon, shape, ...values].join('/')}`);
    }
  }
  if (!ran) return;
  if (settings.some(([daemon]) => daemon === 'heartbeat') && !heartbeatUnavailable()) {
    const times = heartbeatScriptTimes();
    print(`heartbeat's resource scripts alone (ResourceManager, IPaddr ${LAN.vip}, median of ${times.take.length}): takegroup ${median(times.take)} ms, givegroup ${median(times.give)} ms`);
  }
  const left = survivors(['heartbeat', 'keepalived']);
  print(left.length ? `baselines: processes left running (not ended here): ${left.join('; ')}` : 'baselines: no heartbeat or keepalived process left running');
}
