// Which tracked interfaces count as down, read from a fake sysfs, and when the watcher reports.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CarrierWatcher, isDown } from '../../src/health/carrier';
import { LinkMonitor, type LinkMonitorListener } from '../../src/links/link-monitor';

const root = mkdtempSync(join(tmpdir(), 'twinbeat-sysfs-'));
function iface(name: string, operstate: string, carrier?: string) {
  const dir = join(root, 'class/net', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'operstate'), `${operstate}\n`);
  if (carrier === undefined) rmSync(join(dir, 'carrier'), { force: true });
  else writeFileSync(join(dir, 'carrier'), `${carrier}\n`);
}

test('up is up; down, lowerlayerdown, missing, or unknown without carrier is down', () => {
  iface('eth0', 'up', '1');
  iface('eth1', 'unknown', '0');
  iface('eth2', 'down');
  iface('eth3', 'lowerlayerdown', '0');
  assert.equal(['eth0', 'eth1', 'eth2', 'eth3', 'eth9'].map((i) => isDown(root, i)), [false, true, true, true, true]);
});

test('the watcher reports at start and on each change only', async () => {
  iface('eth0', 'up', '1');
  const reports: string[][] = [];
  const w = new CarrierWatcher({ interfaces: ['eth0'], onChange: (d) => reports.push(d), sysfsRoot: root, pollMs: 10 });
  w.start();
  try {
    await new Promise((r) => setTimeout(r, 50));
    iface('eth0', 'lowerlayerdown', '0');
    await new Promise((r) => setTimeout(r, 50));
    iface('eth0', 'up', '1');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(reports, [[], ['eth0'], []]);
  } finally {
    w.stop();
  }
});

test('with a link monitor running, a change is read when the monitor prints a line, not by polling', async () => {
  iface('eth0', 'up', '1');
  const reports: string[][] = [];
  // The fake monitor waits, then reports one change; the safety read is far away.
  const monitor = new LinkMonitor(['sh', '-c', 'sleep 0.3; echo "2: eth0: <NO-CARRIER,BROADCAST,MULTICAST,UP> state DOWN"; sleep 5']);
  const w = new CarrierWatcher({ interfaces: ['eth0'], onChange: (d) => reports.push(d), sysfsRoot: root, monitor, pollMs: 10, safetyMs: 60_000 });
  w.start();
  monitor.start();
  try {
    await new Promise((r) => setTimeout(r, 150));
    iface('eth0', 'down', '0');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(reports, [[]], 'no polling while the monitor runs');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(reports, [[], ['eth0']], 'read on the monitor line');
  } finally {
    w.stop();
    monitor.stop();
  }
});

test('a monitor that cannot start leaves the watcher polling', async () => {
  iface('eth0', 'up', '1');
  const reports: string[][] = [];
  const monitor = new LinkMonitor(['/nonexistent/ip']);
  const w = new CarrierWatcher({ interfaces: ['eth0'], onChange: (d) => reports.push(d), sysfsRoot: root, monitor, pollMs: 10, safetyMs: 60_000 });
  w.start();
  monitor.start();
  try {
    await new Promise((r) => setTimeout(r, 100));
    iface('eth0', 'down', '0');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(reports, [[], ['eth0']]);
  } finally {
    w.stop();
    monitor.stop();
  }
});

test('with a shared monitor, the watcher reads on its news, polls while it is down, and leaves it running', async () => {
  iface('eth0', 'up', '1');
  const reports: string[][] = [];
  let listener: LinkMonitorListener | undefined;
  let listening = false;
  const shared = {
    listen: (l: LinkMonitorListener) => {
      listener = l;
      listening = true;
      l.onRunning(true);
      return () => void (listening = false);
    },
  };
  const w = new CarrierWatcher({ interfaces: ['eth0'], onChange: (d) => reports.push(d), sysfsRoot: root, monitor: shared, pollMs: 10, safetyMs: 60_000 });
  w.start();
  try {
    iface('eth0', 'down', '0');
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(reports, [[]], 'no polling while the monitor runs');
    listener!.onChange();
    assert.equal(reports, [[], ['eth0']], 'read on the news');
    listener!.onRunning(false);
    iface('eth0', 'up', '1');
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(reports, [[], ['eth0'], []], 'polling while the monitor is down');
  } finally {
    w.stop();
  }
  assert.not.ok(listening, 'stopped listening');
});

test('safetyOnWake: the safety read comes on the owner\'s wake-ups (the heartbeat), at most every safetyMs, with no timer of its own', async () => {
  iface('eth0', 'up', '1');
  const reports: string[][] = [];
  let listener: LinkMonitorListener | undefined;
  const shared = {
    listen: (l: LinkMonitorListener) => {
      listener = l;
      l.onRunning(true);
      return () => {};
    },
  };
  let now = 0;
  const w = new CarrierWatcher({ interfaces: ['eth0'], onChange: (d) => reports.push(d), sysfsRoot: root, monitor: shared, pollMs: 10, safetyMs: 1000, safetyOnWake: true, clock: () => now });
  w.start();
  try {
    iface('eth0', 'down', '0');
    now = 999;
    w.onWake();
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(reports, [[]], 'no read before safetyMs, and none by a timer');
    now = 1000;
    w.onWake();
    assert.equal(reports, [[], ['eth0']], 'the safety read on the wake-up that finds it due');
    iface('eth0', 'up', '1');
    now = 1500;
    w.onWake();
    assert.equal(reports, [[], ['eth0']], 'not again within safetyMs');
    listener!.onChange();
    assert.equal(reports, [[], ['eth0'], []], 'news is read at once');
    listener!.onRunning(false);
    iface('eth0', 'down', '0');
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(reports, [[], ['eth0'], [], ['eth0']], 'polling by its own timer while the monitor is down');
  } finally {
    w.stop();
  }
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
