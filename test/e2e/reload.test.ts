// SIGHUP on the real pair: a broken configuration is refused whole and nothing is released;
// new authkeys apply at once on both nodes without a path going dead; a changed deadtime is
// named as needing a restart.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAN, labUnavailable } from '../helpers/netns';
import { FAST, Pair } from '../helpers/pair';
import { skipWithReason } from '../helpers/skip';

const unavailable = labUnavailable(['ip', 'socat', 'arping']);

if (unavailable) {
  skipWithReason(test, `SIGHUP on the namespaced pair: ${unavailable}`);
} else {
  test('SIGHUP: a bad config keeps everything, new authkeys apply live, a timing change needs a restart', async () => {
    const pair = await new Pair(FAST).build();
    try {
      const a = pair.startAgent('a');
      const b = pair.startAgent('b');
      await a.waitFor(/Resource group .* is running here/, 15_000);
      await b.waitFor(/Link node-a:eth1 up\./, 10_000);
      const hacf = join(pair.dir('a', 'etc'), 'ha.cf');
      const good = readFileSync(hacf, 'utf8');

      writeFileSync(hacf, `${good}keepalvie 2\n`);
      let from = a.lines.length;
      a.kill('SIGHUP');
      await a.waitFor(/SIGHUP: the new configuration is not valid; keeping the running one \(nothing released\)/, 5000, from);
      assert.ok(a.lines.slice(from).some((l) => /keepalvie.*keepalive/.test(l)), 'the error names the line and the fix');
      assert.ok(pair.lab.addresses('a', 'eth0').includes(`${LAN.vip}/24`), 'the VIP is still held');

      // Rotate the key on both nodes: each still accepts the old one until the other has switched.
      for (const node of ['a', 'b'] as const) {
        const keys = join(pair.dir(node, 'etc'), 'authkeys');
        writeFileSync(keys, 'auth 2\n1 sha256 e2e-pair-secret\n2 sha256 rotated-secret\n');
        chmodSync(keys, 0o600);
      }
      writeFileSync(hacf, good);
      from = a.lines.length;
      const fromB = b.lines.length;
      a.kill('SIGHUP');
      b.kill('SIGHUP');
      await a.waitFor(/SIGHUP: authkeys applied \(sending with key 2, accepting 1, 2\)/, 5000, from);
      await b.waitFor(/SIGHUP: authkeys applied/, 5000, fromB);
      await new Promise((r) => setTimeout(r, 1500));
      assert.not.ok([...a.lines.slice(from), ...b.lines.slice(fromB)].some((l) => /dead\.|is dead/.test(l)), 'no path went dead during the rotation');

      writeFileSync(hacf, good.replace('deadtime 500ms', 'deadtime 600ms'));
      from = a.lines.length;
      a.kill('SIGHUP');
      await a.waitFor(/SIGHUP: not applied while running, restart twinbeat to change: keepalive\/deadtime/, 5000, from);
      assert.ok(pair.lab.addresses('a', 'eth0').includes(`${LAN.vip}/24`), 'still held');
    } finally {
      pair.dispose();
    }
  });
}

test.run();
