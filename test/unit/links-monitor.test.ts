// The kernel's news of links and addresses (one `ip monitor` for all who listen): a line per
// change reaches every listener, whether it runs is told as it changes, and an exited monitor is
// started again. Run here with small shell scripts standing in for `ip -o monitor link address`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LinkMonitor, type LinkMonitorListener } from '../../src/links/link-monitor';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function recorder(): LinkMonitorListener & { heard: string[] } {
  const heard: string[] = [];
  return { heard, onChange: () => heard.push('change'), onRunning: (running) => heard.push(running ? 'running' : 'not running') };
}

test('each line is a change for every listener; stop ends the monitor and says so', async () => {
  const monitor = new LinkMonitor(['sh', '-c', 'echo "2: eth0: <NO-CARRIER> state DOWN"; echo "3: eth1    inet 192.0.2.1/24"; sleep 30']);
  const first = recorder();
  const second = recorder();
  monitor.listen(first);
  monitor.start();
  monitor.listen(second);
  try {
    await sleep(300);
    assert.equal(first.heard, ['not running', 'running', 'change', 'change']);
    assert.equal(second.heard, ['not running', 'running', 'change', 'change']);
    assert.ok(monitor.running);
  } finally {
    monitor.stop();
  }
  assert.equal(first.heard.at(-1), 'not running');
  assert.not.ok(monitor.running);
});

test('a listener removed hears nothing more', async () => {
  const monitor = new LinkMonitor(['sh', '-c', 'sleep 0.2; echo change; sleep 30']);
  const gone = recorder();
  const unlisten = monitor.listen(gone);
  monitor.start();
  try {
    await sleep(100);
    unlisten();
    await sleep(300);
    assert.equal(gone.heard, ['not running', 'running']);
  } finally {
    monitor.stop();
  }
});

test('a monitor that cannot start is not running; one that exits is started again', async () => {
  const missing = new LinkMonitor(['/nonexistent/ip', 'monitor']);
  const told = recorder();
  missing.listen(told);
  missing.start();
  await sleep(200);
  missing.stop();
  assert.equal(told.heard, ['not running']);

  const exiting = new LinkMonitor(['sh', '-c', 'echo change; sleep 0.2; exit 0']);
  const heard = recorder();
  exiting.listen(heard);
  exiting.start();
  try {
    // Started again 2 s after it exited (0.2 s after its start).
    await sleep(2800);
    assert.equal(heard.heard.slice(0, 6), ['not running', 'running', 'change', 'not running', 'running', 'change']);
  } finally {
    exiting.stop();
  }
});

test.run();
