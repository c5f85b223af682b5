// The heartbeat must never wait on the broker. A 100 ms setInterval "heartbeat" runs in the
// same process as a reporter publishing a state every tick and an event every other tick, first
// to a healthy mosquitto, then to one frozen with SIGSTOP (it keeps its sockets and answers
// nothing; the reporter notices through keepalive, reconnects into the frozen listener, times
// out, and tries again). The interval jitter must stay small throughout.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MqttReporter } from '../../src/report/mqtt';
import { skipWithReason } from '../helpers/skip';
import { Mosquitto, mosquittoBinary, sleep, waitFor } from '../helpers/mosquitto';
import { FAST, event, memoryLog, mqttConfig, snapshot } from './mqtt-fixtures';

const TICK_MS = 100;

interface Jitter {
  ticks: number;
  p50: number;
  p99: number;
  max: number;
}

/** Runs the heartbeat for `durationMs`, feeding the reporter on each tick; the lateness of each tick. */
async function heartbeat(reporter: MqttReporter, durationMs: number): Promise<Jitter> {
  const lateness: number[] = [];
  let last = performance.now();
  let n = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    lateness.push(Math.abs(now - last - TICK_MS));
    last = now;
    n += 1;
    reporter.publishState(snapshot({ uptimeS: n, timestamp: new Date().toISOString() }));
    if (n % 2 === 0) reporter.publishEvent(event(n % 60));
  }, TICK_MS);
  await sleep(durationMs);
  clearInterval(timer);
  const sorted = lateness.sort((a, b) => a - b);
  const at = (q: number) => Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) * 10) / 10;
  return { ticks: sorted.length, p50: at(0.5), p99: at(0.99), max: at(1) };
}

const show = (j: Jitter) => `${j.ticks} ticks, p50 ${j.p50} ms, p99 ${j.p99} ms, max ${j.max} ms`;

if (!mosquittoBinary()) {
  skipWithReason(test, 'mosquitto is not installed (apt-get install mosquitto); the jitter test needs it');
} else {
  test('heartbeat jitter stays small with a healthy and with a frozen broker', async () => {
    const broker = await Mosquitto.start();
    const log = memoryLog();
    const reporter = new MqttReporter({ mqtt: mqttConfig(broker.url), cluster: 'lab', node: 'alpha', log: log.log, tuning: { ...FAST, eventQueueLimit: 100 } });
    try {
      reporter.start();
      reporter.publishState(snapshot());
      await waitFor('connected', () => reporter.connected);
      const healthy = await heartbeat(reporter, 3000);
      broker.freeze();
      // 6 s frozen: keepalive (2 s) notices it, then reconnect attempts time out against it.
      const frozen = await heartbeat(reporter, 6000);
      broker.thaw();
      console.log(`jitter (healthy broker): ${show(healthy)}`);
      console.log(`jitter (frozen broker):  ${show(frozen)}`);
      assert.ok(log.lines.some((l) => l.startsWith('warn: MQTT: lost')), `the freeze was noticed:\n${log.lines.join('\n')}`);
      assert.ok(frozen.p99 < 30, `p99 ${frozen.p99} ms with a frozen broker`);
      assert.ok(frozen.max < 100, `max ${frozen.max} ms with a frozen broker`);
      assert.ok(healthy.p99 < 30, `p99 ${healthy.p99} ms with a healthy broker`);
      // After the thaw the reporter comes back by itself.
      await waitFor('reconnected after the thaw', () => reporter.connected, 5000);
    } finally {
      broker.thaw();
      await reporter.stop();
      await broker.stop();
    }
  });
}

test.run();
