// The MQTT reporter against a real mosquitto on a loopback port: retained state and
// availability, the Last Will after kill -9, re-publish after a broker restart, the bounded
// queue, credentials from a 0600 file, Home Assistant discovery, commands, fail-over.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MqttReporter, type MqttCommand } from '../../src/report/mqtt';
import { parseEvent, parseState } from '../../src/mqtt/wire';
import { skipWithReason } from '../helpers/skip';
import { Mosquitto, Watcher, freePort, mosquittoBinary, mosquittoPasswdBinary, sleep, waitFor } from '../helpers/mosquitto';
import { FAST, event, memoryLog, mqttConfig, snapshot } from './mqtt-fixtures';

const ROOT = resolve(import.meta.dirname, '../..');
const ALPHA = { availability: 'twinbeat/lab/alpha/availability', state: 'twinbeat/lab/alpha/state', events: 'twinbeat/lab/events' };

function reporter(url: string | string[], extra: Partial<ConstructorParameters<typeof MqttReporter>[0]> = {}) {
  const log = memoryLog();
  const r = new MqttReporter({
    mqtt: mqttConfig(Array.isArray(url) ? url[0]! : url, Array.isArray(url) ? { brokers: url } : {}),
    cluster: 'lab',
    node: 'alpha',
    log: log.log,
    tuning: FAST,
    ...extra,
  });
  return { r, log };
}

/** Runs `body` with a broker, a reporter and a watcher; everything is ended in the finally. */
async function withBroker(body: (broker: Mosquitto) => Promise<void>, options?: Parameters<typeof Mosquitto.start>[0]): Promise<void> {
  const broker = await Mosquitto.start(options);
  try {
    await body(broker);
  } finally {
    await broker.stop();
  }
}

function brokerTests(): void {
  test('retained availability "online" and state after start', async () => {
    await withBroker(async (broker) => {
      const { r } = reporter(broker.url);
      r.start();
      r.publishState(snapshot());
      try {
        await waitFor('the reporter to connect', () => r.connected);
        await sleep(100);
        // A watcher that comes later still sees both: they are retained.
        const w = await Watcher.connect(broker.url, ['twinbeat/#']);
        await waitFor('retained state', () => w.last(ALPHA.state) !== undefined);
        assert.is(w.last(ALPHA.availability), 'online');
        const state = parseState(w.last(ALPHA.state)!);
        assert.is(state?.role, 'active');
        assert.is(state?.schema, 1);
        assert.ok(w.on(ALPHA.state)[0]?.retain, 'delivered as retained');
        // A change is published at once.
        r.publishState(snapshot({ role: 'standby' }));
        await waitFor('the new role', () => parseState(w.last(ALPHA.state) ?? '')?.role === 'standby');
        await w.close();
      } finally {
        await r.stop();
      }
      // A clean stop says "offline" itself.
      const after = await Watcher.connect(broker.url, [ALPHA.availability]);
      await waitFor('offline after stop', () => after.last(ALPHA.availability) === 'offline');
      await after.close();
    });
  });

  test('the state is re-published every mqtt_interval', async () => {
    await withBroker(async (broker) => {
      const { r } = reporter(broker.url, { mqtt: mqttConfig(broker.url, { intervalMs: 200 }) });
      const w = await Watcher.connect(broker.url, [ALPHA.state]);
      r.start();
      r.publishState(snapshot());
      try {
        await waitFor('three state messages', () => w.on(ALPHA.state).length >= 3, 3000);
        const times = w.on(ALPHA.state).map((m) => parseState(m.payload)?.publishedAt);
        assert.is(new Set(times).size, times.length, 'each carries its own publishedAt');
      } finally {
        await r.stop();
        await w.close();
      }
    });
  });

  test('Last Will: availability turns "offline" (retained) after kill -9 of the agent', async () => {
    await withBroker(async (broker) => {
      const dir = mkdtempSync(join(tmpdir(), 'twinbeat-lwt-'));
      const script = join(dir, 'agent.ts');
      writeFileSync(script, `
        import { MqttReporter } from ${JSON.stringify(join(ROOT, 'src/report/mqtt.ts'))};
        import { FAST, mqttConfig, snapshot } from ${JSON.stringify(join(ROOT, 'test/unit/mqtt-fixtures.ts'))};
        const r = new MqttReporter({ mqtt: mqttConfig(${JSON.stringify(broker.url)}), cluster: 'lab', node: 'alpha', log: () => {}, tuning: FAST });
        r.start();
        r.publishState(snapshot());
        setInterval(() => {}, 1000);
      `);
      const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, stdio: 'ignore' });
      const w = await Watcher.connect(broker.url, [ALPHA.availability, ALPHA.state]);
      try {
        await waitFor('the agent online', () => w.last(ALPHA.availability) === 'online' && w.last(ALPHA.state) !== undefined, 10_000);
        process.kill(child.pid as number, 'SIGKILL');
        await waitFor('the Last Will', () => w.last(ALPHA.availability) === 'offline', 5000);
        const later = await Watcher.connect(broker.url, [ALPHA.availability]);
        await waitFor('retained offline', () => later.last(ALPHA.availability) === 'offline');
        assert.ok(later.on(ALPHA.availability)[0]?.retain);
        await later.close();
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
        await w.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  test('after a broker restart (retained messages lost), state and availability are published again', async () => {
    await withBroker(async (broker) => {
      const { r, log } = reporter(broker.url);
      r.start();
      r.publishState(snapshot());
      try {
        await waitFor('connected', () => r.connected);
        await broker.restart();
        await waitFor('the reporter to notice', () => !r.connected, 5000);
        await waitFor('reconnected', () => r.connected, 5000);
        const w = await Watcher.connect(broker.url, ['twinbeat/#']);
        await waitFor('retained state again', () => w.last(ALPHA.state) !== undefined && w.last(ALPHA.availability) === 'online', 3000);
        assert.ok(log.lines.some((l) => /^warn: MQTT: lost mqtt:\/\/127\.0\.0\.1:\d+/.test(l)), log.lines.join('\n'));
        await w.close();
      } finally {
        await r.stop();
      }
    });
  });

  test('events raised while the broker is down: bounded queue, oldest dropped, the count reported on reconnect', async () => {
    const port = await freePort();
    const { r, log } = reporter(`mqtt://127.0.0.1:${port}`, { tuning: { ...FAST, eventQueueLimit: 10 } });
    r.start();
    r.publishState(snapshot());
    for (let n = 1; n <= 25; n++) r.publishEvent(event(n));
    assert.is(r.queuedEvents, 10);
    // The broker comes up later, on the port the reporter keeps trying; watch before it gets through.
    const broker = await Mosquitto.start({ port });
    const w = await Watcher.connect(broker.url, [ALPHA.events]);
    try {
      await waitFor('11 events (a notice and the newest 10)', () => w.on(ALPHA.events).length >= 11, 5000);
      const received = w.on(ALPHA.events).map((m) => parseEvent(m.payload));
      assert.is(received[0]?.type, 'events-dropped');
      assert.is((received[0] as { dropped?: number }).dropped, 15);
      assert.equal(received.slice(1).map((e) => e?.text.match(/#(\d+)/)?.[1]), ['16', '17', '18', '19', '20', '21', '22', '23', '24', '25']);
      assert.ok(log.lines.includes('warn: MQTT: 15 events dropped while the broker was unreachable (the queue keeps the newest 10 events)'), log.lines.join('\n'));
    } finally {
      await r.stop();
      await w.close();
      await broker.stop();
    }
  });

  test('fail-over: the first broker is down, the second one gets the state', async () => {
    await withBroker(async (broker) => {
      const deadPort = await freePort();
      const { r, log } = reporter([`mqtt://127.0.0.1:${deadPort}`, broker.url]);
      r.start();
      r.publishState(snapshot());
      try {
        await waitFor('connected to the second broker', () => r.connected, 5000);
        assert.ok(log.lines.some((l) => l.startsWith(`warn: MQTT: cannot connect to mqtt://127.0.0.1:${deadPort}`)), log.lines.join('\n'));
        assert.ok(log.lines.includes(`info: MQTT: connected to ${broker.url}`));
      } finally {
        await r.stop();
      }
    });
  });

  if (!mosquittoPasswdBinary()) skipWithReason(test, 'mosquitto_passwd is not installed: the credentials test needs it');
  else test('credentials: a password from a 0600 file is accepted, never logged; a 0644 file is refused', async () => {
    await withBroker(async (broker) => {
      const dir = mkdtempSync(join(tmpdir(), 'twinbeat-pw-'));
      const good = join(dir, 'good');
      const open = join(dir, 'open');
      writeFileSync(good, 'c0rrect-h0rse\n');
      chmodSync(good, 0o600);
      writeFileSync(open, 'c0rrect-h0rse\n');
      chmodSync(open, 0o644);
      const ok = reporter(broker.url, { mqtt: mqttConfig(broker.url, { username: 'gw', passwordFile: good }) });
      const refused = reporter(broker.url, { mqtt: mqttConfig(broker.url, { username: 'gw', passwordFile: open }) });
      const wrong = join(dir, 'wrong');
      writeFileSync(wrong, 'guess\n');
      chmodSync(wrong, 0o600);
      const denied = reporter(broker.url, { mqtt: mqttConfig(broker.url, { username: 'gw', passwordFile: wrong }) });
      try {
        for (const x of [ok, refused, denied]) {
          x.r.start();
          x.r.publishState(snapshot());
        }
        await waitFor('the 0600 password to connect', () => ok.r.connected, 5000);
        await waitFor('the refusal', () => refused.log.lines.some((l) => l.includes('mode is 0644, it must be 600')), 3000);
        await waitFor('the broker to deny the wrong password', () => denied.log.lines.some((l) => /cannot connect to .*: Connection refused: Not authorized/i.test(l)), 3000);
        assert.is(refused.r.connected, false);
        assert.is(denied.r.connected, false);
        for (const line of [...ok.log.lines, ...refused.log.lines, ...denied.log.lines]) {
          assert.not.ok(line.includes('c0rrect-h0rse') || line.includes('guess'), `a log line shows the password: ${line}`);
        }
        assert.ok(refused.log.lines.some((l) => l.startsWith(`warn: MQTT: cannot connect to ${broker.url}: ${open}: mode is 0644, it must be 600 (read and write for root only): chmod 600 ${open}`)), refused.log.lines.join('\n'));
      } finally {
        await Promise.all([ok.r.stop(), refused.r.stop(), denied.r.stop()]);
        rmSync(dir, { recursive: true, force: true });
      }
    }, { credentials: { username: 'gw', password: 'c0rrect-h0rse' } });
  });

  test('Home Assistant: retained discovery configs; an entity that goes away is removed', async () => {
    await withBroker(async (broker) => {
      const { r } = reporter(broker.url, { mqtt: mqttConfig(broker.url, { homeAssistant: true }) });
      const w = await Watcher.connect(broker.url, ['homeassistant/#']);
      r.start();
      r.publishState(snapshot());
      try {
        await waitFor('five discovery configs', () => new Set(w.messages.map((m) => m.topic)).size === 5, 3000);
        const role = JSON.parse(w.last('homeassistant/sensor/twinbeat_lab_alpha/role/config')!);
        assert.is(role.availability_topic, ALPHA.availability);
        assert.is(role.state_topic, ALPHA.state);
        // The serial path is removed from the config: its entity is cleared with an empty retained config.
        r.publishState(snapshot({ paths: snapshot().paths.slice(0, 1) }));
        const serial = 'homeassistant/sensor/twinbeat_lab_alpha/path_serial__dev_ttyS1/config';
        await waitFor('the serial entity cleared', () => w.last(serial) === '', 3000);
      } finally {
        await r.stop();
        await w.close();
      }
    });
  });

  test('commands: standby from the command topic reaches the agent; retained and unknown ones do not', async () => {
    await withBroker(async (broker) => {
      const received: MqttCommand[] = [];
      const { r, log } = reporter(broker.url, { mqtt: mqttConfig(broker.url, { commands: true }), commands: (c) => void received.push(c) });
      const w = await Watcher.connect(broker.url, ['nothing']);
      // Left retained by someone before the agent started: it would run on every reconnect.
      await w.client.publishAsync('twinbeat/lab/alpha/command', 'takeover', { qos: 1, retain: true });
      r.start();
      try {
        await waitFor('the retained command refused', () => log.lines.some((l) => l.includes('refused the retained command "takeover"')), 3000);
        await w.client.publishAsync('twinbeat/lab/alpha/command', '', { qos: 1, retain: true });
        await w.client.publishAsync('twinbeat/lab/alpha/command', 'reboot', { qos: 1 });
        await w.client.publishAsync('twinbeat/lab/alpha/command', 'standby', { qos: 1 });
        await waitFor('the standby command', () => received.length > 0, 3000);
        await sleep(100);
        assert.equal(received, ['standby']);
        assert.ok(log.lines.some((l) => l.includes('ignored the command "reboot"')), log.lines.join('\n'));
        assert.ok(log.lines.includes('info: MQTT: twinbeat/lab/alpha/command: standby requested through the broker'));
      } finally {
        await r.stop();
        await w.close();
      }
    });
  });

  test('commands off: the command topic is not even subscribed', async () => {
    await withBroker(async (broker) => {
      const received: MqttCommand[] = [];
      const { r } = reporter(broker.url, { commands: (c) => void received.push(c) });
      r.start();
      const w = await Watcher.connect(broker.url, ['nothing']);
      try {
        await waitFor('connected', () => r.connected);
        await sleep(100);
        await w.client.publishAsync('twinbeat/lab/alpha/command', 'takeover', { qos: 1 });
        await sleep(200);
        assert.equal(received, []);
      } finally {
        await r.stop();
        await w.close();
      }
    });
  });
}

if (!mosquittoBinary()) skipWithReason(test, 'mosquitto is not installed (apt-get install mosquitto); the MQTT broker tests need it');
else brokerTests();

test.run();
