// Under load, no false failover (issue 23): the slice of `npm run bench stress` that runs in CI.
// One pair at keepalive 100 ms / deadtime 300 ms, started as the systemd unit starts it (its Node
// flags and its realtime scheduling, as the benches do), in the tutorial's shape, left alone while
// `stress-ng --cpu 2 --io 2 --vm 1` loads the machine for TWINBEAT_STRESS_TEST_S seconds (30 by
// default; the bench runs 5 minutes and more pairs). Nothing is done to either node, so the VIP
// seen on node b (its watcher, every 10 ms), the client answered by node b, or a node declaring
// its peer dead is a false failover. Late heartbeats and paths declared dead are printed, not
// judged: the 5-minute bench is where their counts are compared.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { labUnavailable } from '../helpers/netns';
import { BUNDLE } from '../helpers/pair';
import { sleep } from '../helpers/pair-scenario';
import { skipWithReason } from '../helpers/skip';
import { TwinbeatPair } from '../bench/baseline-twinbeat';
import { falseFailover, markFrom, verdictOf, type Contender } from '../bench/stress';

const SECONDS = Number(process.env.TWINBEAT_STRESS_TEST_S ?? 30);
const LOAD = ['--cpu', '2', '--io', '2', '--vm', '1'];

const unavailable =
  labUnavailable(['ip', 'arping', 'chrt']) ??
  (spawnSync('stress-ng', ['--version']).error ? 'needs stress-ng (apt-get install stress-ng)' : undefined) ??
  (existsSync(BUNDLE) ? undefined : `${BUNDLE} is missing (npm run build)`);

if (unavailable) {
  skipWithReason(test, `no false failover under stress: ${unavailable}`);
} else {
  test(`keepalive 100 ms / deadtime 300 ms under stress-ng ${LOAD.join(' ')} for ${SECONDS} s: no false failover`, async () => {
    const pair = new TwinbeatPair({ runs: 1, ops: [], keepalive: '100ms', deadtime: '300ms' });
    const contender: Contender = { label: 'twinbeat 100ms/300ms', detectionMs: 300, session: pair, twinbeat: pair, from: { holdB: 0, poller: 0, logA: 0, logB: 0 } };
    let stress: ChildProcess | undefined;
    try {
      pair.build();
      await pair.startPair();
      markFrom(contender);
      const loads: number[] = [];
      const sampler = setInterval(() => loads.push(loadavg()[0]!), 5000);
      // stress-ng ends itself at --timeout; the test's own bound is on top, and the finally
      // below ends it by pid whatever happens.
      const running = spawn('stress-ng', [...LOAD, '--timeout', `${SECONDS}s`, '--quiet'], { stdio: 'ignore' });
      stress = running;
      const ended = new Promise<void>((resolve) => {
        running.on('exit', () => resolve());
        running.on('error', () => resolve());
      });
      const limit = setTimeout(() => running.kill('SIGTERM'), (SECONDS + 30) * 1000);
      await ended;
      clearTimeout(limit);
      clearInterval(sampler);
      // A takeover decided in the last moments of the load shows a little later.
      await sleep(2000);
      const v = verdictOf(contender);
      console.log(
        `  ${SECONDS} s of stress-ng (load average max ${loads.length ? Math.max(...loads).toFixed(1) : '-'}): ` +
          `VIP on node b ${v.vipOnB}, client answered by node b ${v.clientSawB}, peer declared dead ${v.peerDead ?? 0}, ` +
          `paths declared dead ${v.pathsDead ?? 0}, late heartbeats ${v.late ?? 0}${v.worstLateMs ? ` (worst ${v.worstLateMs} ms)` : ''}`,
      );
      assert.ok(!falseFailover(v), `false failover under load: ${JSON.stringify(v)}\n${pair.diagnostics()}`);
    } finally {
      if (stress && stress.exitCode === null && stress.signalCode === null) stress.kill('SIGTERM');
      pair.dispose();
    }
  });
}

test.run();
