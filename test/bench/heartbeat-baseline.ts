// The first Heartbeat baseline's command line, kept: Heartbeat 3.0.6's power-loss gap (tutorial
// shape: ucast and bcast on the crossover) for each KEEPALIVE DEADTIME pair. The measuring is
// baseline-heartbeat.ts's, which also does the udp and serial shapes and the graceful handovers
// (`npm run bench baselines`).
//
// Usage (root): node --import tsx test/bench/heartbeat-baseline.ts [RUNS] [KEEPALIVE DEADTIME]...
//   e.g. ... heartbeat-baseline.ts 5 200ms 1 1 3
import { haSeconds, heartbeatGaps, heartbeatUnavailable } from './baseline-heartbeat';
import { median } from './stats';

async function main() {
  const why = heartbeatUnavailable('tutorial');
  if (why) {
    process.stdout.write(`heartbeat baseline: skipped: ${why}\n`);
    return;
  }
  const [runsArg = '5', ...pairs] = process.argv.slice(2);
  const settings = pairs.length >= 2 ? pairs : ['200ms', '1', '1', '3'];
  for (let i = 0; i + 1 < settings.length; i += 2) {
    const keepalive = settings[i] ?? '1';
    const deadtime = settings[i + 1] ?? '3';
    const result = await heartbeatGaps({ shape: 'tutorial', keepalive, deadtime, runs: Number(runsArg), ops: ['power'] });
    const gaps = result.power?.gaps ?? [];
    const deadtimeMs = haSeconds(deadtime) * 1000;
    process.stdout.write(
      `heartbeat 3.0.6, keepalive ${keepalive}, deadtime ${deadtime}: gap median ${median(gaps)} ms, max ${Math.max(...gaps)} ms; minus deadtime: median ${median(gaps) - deadtimeMs} ms (${gaps.length} runs)\n`,
    );
  }
}

void main();
