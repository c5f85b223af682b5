// The baseline twinbeat is measured against: Debian's Heartbeat 3.0.6 running the same pair
// in the same namespaces (apt-get install heartbeat; it is never started on the host's own
// interfaces). Each node gets its own mount namespace (its /etc/ha.d, /var/lib/heartbeat and a
// tmpfs /run) and UTS namespace (its hostname), as Heartbeat reads fixed paths and `uname -n`.
// Measures the failover gap as the client sees it: power loss of the active node to the first
// answer from the other node on the VIP (an HTTP server runs on both nodes, so the gap is the
// VIP's move alone), polled every 10 ms.
//
// Usage (root): node --import tsx test/bench/heartbeat-baseline.ts [RUNS] [KEEPALIVE DEADTIME]...
//   e.g. ... heartbeat-baseline.ts 5 200ms 1 1 3
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CROSSOVER, Lab, LAN } from '../helpers/netns';
import { Watched } from '../helpers/pair';
import { spawn } from 'node:child_process';

const HEARTBEAT = '/usr/libexec/heartbeat/heartbeat';

function configure(root: string, node: 'a' | 'b', keepalive: string, deadtime: string): { etc: string; lib: string } {
  const etc = join(root, node, 'ha.d');
  const lib = join(root, node, 'lib');
  mkdirSync(join(root, node), { recursive: true });
  cpSync('/etc/ha.d', etc, { recursive: true });
  cpSync('/var/lib/heartbeat', lib, { recursive: true });
  const peer = node === 'a' ? CROSSOVER.b : CROSSOVER.a;
  writeFileSync(
    join(etc, 'ha.cf'),
    [
      `logfile ${join(root, node, 'ha-log')}`,
      'use_logd no',
      `keepalive ${keepalive}`,
      `deadtime ${deadtime}`,
      'initdead 12',
      'udpport 694',
      `ucast eth1 ${peer}`,
      'auto_failback on',
      'crm no',
      'node node-a',
      'node node-b',
      '',
    ].join('\n'),
  );
  writeFileSync(join(etc, 'haresources'), `node-a IPaddr::${LAN.vip}/24/eth0\n`);
  writeFileSync(join(etc, 'authkeys'), 'auth 1\n1 sha1 baseline-secret\n');
  chmodSync(join(etc, 'authkeys'), 0o600);
  return { etc, lib };
}

function startHeartbeat(lab: Lab, node: 'a' | 'b', etc: string, lib: string): void {
  const script = [
    `hostname node-${node}`,
    `mount --bind ${etc} /etc/ha.d`,
    `mount --bind ${lib} /var/lib/heartbeat`,
    'mount -t tmpfs tmpfs /run',
    'mkdir -p /run/heartbeat/ccm /run/heartbeat/crm /run/heartbeat/dopd /run/resource-agents',
    'chown -R hacluster:haclient /run/heartbeat',
    `exec ${HEARTBEAT}`,
  ].join(' && ');
  execFileSync('ip', ['netns', 'exec', lab.ns(node), 'unshare', '-u', '--propagation', 'private', 'sh', '-c', script], { stdio: 'ignore', timeout: 20_000 });
}

function httpServer(lab: Lab, node: 'a' | 'b'): void {
  const child = spawn('ip', ['netns', 'exec', lab.ns(node), process.execPath, '-e', `require('http').createServer((q, s) => s.end('node-${node}')).listen(8080)`], { stdio: 'ignore', detached: true });
  child.unref();
}

async function oneRun(keepalive: string, deadtime: string): Promise<number | undefined> {
  const lab = new Lab().buildPair();
  const root = mkdtempSync(join(tmpdir(), 'hb-baseline-'));
  try {
    for (const node of ['a', 'b'] as const) {
      const { etc, lib } = configure(root, node, keepalive, deadtime);
      startHeartbeat(lab, node, etc, lib);
      httpServer(lab, node);
    }
    const poller = new Watched(spawn('ip', ['netns', 'exec', lab.ns('client'), process.execPath, '--import', 'tsx', 'test/e2e/tools/poll-vip.ts', LAN.vip, '8080', '10', '120']));
    await poller.waitFor(/"answer":"node-a"/, 60_000);
    await new Promise((r) => setTimeout(r, 2000));
    const from = poller.lines.length;
    const powerLoss = Date.now();
    for (const pid of spawnSync('ip', ['netns', 'pids', lab.ns('a')], { encoding: 'utf8' }).stdout.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone
      }
    }
    lab.exec('a', ['ip', 'link', 'set', 'eth0', 'down']);
    lab.exec('a', ['ip', 'link', 'set', 'eth1', 'down']);
    const line = await poller.waitFor(/"answer":"node-b"/, 60_000, from);
    poller.kill();
    return (JSON.parse(line) as { t: number }).t - powerLoss;
  } catch (err) {
    process.stderr.write(`run failed: ${(err as Error).message}\n`);
    return undefined;
  } finally {
    lab.dispose();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main() {
  if (process.getuid?.() !== 0 || !existsSync(HEARTBEAT)) {
    process.stdout.write('heartbeat baseline: needs root and Debian\'s heartbeat package (apt-get install heartbeat)\n');
    return;
  }
  const [runsArg = '5', ...pairs] = process.argv.slice(2);
  const settings = pairs.length >= 2 ? pairs : ['200ms', '1', '1', '3'];
  for (let i = 0; i + 1 < settings.length; i += 2) {
    const keepalive = settings[i] ?? '1';
    const deadtime = settings[i + 1] ?? '3';
    const deadtimeMs = deadtime.endsWith('ms') ? Number(deadtime.slice(0, -2)) : Number(deadtime) * 1000;
    const gaps: number[] = [];
    for (let run = 0; run < Number(runsArg); run++) {
      const gap = await oneRun(keepalive, deadtime);
      if (gap !== undefined) gaps.push(gap);
      process.stdout.write(`  keepalive ${keepalive} deadtime ${deadtime} run ${run + 1}: ${gap ?? 'failed'} ms\n`);
    }
    process.stdout.write(
      `heartbeat 3.0.6, keepalive ${keepalive}, deadtime ${deadtime}: gap median ${median(gaps)} ms, max ${Math.max(...gaps)} ms; minus deadtime: median ${median(gaps) - deadtimeMs} ms (${gaps.length} runs)\n`,
    );
  }
}

void main();
