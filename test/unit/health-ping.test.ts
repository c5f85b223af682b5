// The ping watcher with a stand-in for ping: which targets count as reachable, and when the
// count is reported.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PingWatcher } from '../../src/health/ping';

const dir = mkdtempSync(join(tmpdir(), 'twinbeat-ping-'));
const fakePing = join(dir, 'ping');
// Answers for addresses ending in .1, stays silent for the others (like a real ping, it runs on).
writeFileSync(fakePing, '#!/bin/sh\nfor a in "$@"; do addr="$a"; done\ncase "$addr" in *.1) while true; do echo "64 bytes from $addr: icmp_seq=1 ttl=64 time=0.1 ms"; sleep 0.1; done ;; *) sleep 30 ;; esac\n');
chmodSync(fakePing, 0o755);
const src = { file: 'ha.cf', line: 1 };

test('a ping group counts once when any member answers; a silent address does not count', async () => {
  const counts: number[] = [];
  const watcher = new PingWatcher({
    targets: [
      { name: '192.0.2.1', addresses: ['192.0.2.1'], source: src },
      { name: 'gws', addresses: ['198.51.100.9', '198.51.100.1'], source: src },
      { name: '192.0.2.9', addresses: ['192.0.2.9'], source: src },
    ],
    logger: { log: () => {} },
    onChange: (n) => counts.push(n),
    pingPath: fakePing,
  });
  watcher.start();
  try {
    for (let i = 0; i < 100 && counts.at(-1) !== 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.is(watcher.reachable(), 2);
    assert.is(counts.at(-1), 2, `reported: ${counts.join(',')}`);
  } finally {
    watcher.stop();
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
