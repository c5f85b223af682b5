// The UDP drivers between two namespaces: a and b joined by a veth pair (eth1, 198.51.100.0/24)
// and by a LAN through a bridge (eth0, 192.0.2.0/24 and 2001:db8::/64), each node running its
// links in a process of its own (test/e2e/tools/link-node.ts). ucast (IPv4 and IPv6), bcast
// and mcast both ways, each frame on the path it belongs to; a stranger's datagram dropped and
// counted; an interface taken down and up again: one "send failed" line, one "sending again".
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { PathSpec } from '../../src/config/types';
import { CROSSOVER, Lab, LAN, labUnavailable, type NodeName } from '../helpers/netns';
import { eventually } from '../helpers/link-log';
import { skipWithReason } from '../helpers/skip';

const unavailable = labUnavailable(['ip']);
const PORT = 694;
const source = { file: 'ha.cf', line: 1 };

function pathsOf(peer: 'a' | 'b'): PathSpec[] {
  return [
    { kind: 'ucast', id: `ucast eth1 ${CROSSOVER[peer]}`, name: 'eth1', iface: 'eth1', peerAddress: CROSSOVER[peer], port: PORT, source },
    { kind: 'bcast', id: 'bcast eth0', name: 'eth0', iface: 'eth0', port: PORT, source },
    { kind: 'ucast', id: `ucast eth0 ${LAN[`${peer}6`]}`, name: 'eth0', iface: 'eth0', peerAddress: LAN[`${peer}6`], port: PORT, source },
    { kind: 'mcast', id: 'mcast eth1 239.0.0.1', name: 'eth1', iface: 'eth1', group: '239.0.0.1', port: PORT + 1, ttl: 1, loop: false, source },
  ];
}

/** One node's link process and everything it reported. */
class LinkNode {
  readonly frames: Array<{ frame: string; path: string }> = [];
  readonly logs: string[] = [];
  private lastCounters: Record<string, number> | undefined;
  private readonly child: ChildProcess;

  constructor(lab: Lab, node: NodeName, paths: PathSpec[]) {
    this.child = spawn('ip', ['netns', 'exec', lab.ns(node), process.execPath, '--import', 'tsx', 'test/e2e/tools/link-node.ts', JSON.stringify({ paths })], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const event = JSON.parse(line) as { frame?: string; path?: string; log?: string; counters?: Record<string, number>; ready?: boolean };
      if (event.ready) this.ready = true;
      if (event.frame !== undefined) this.frames.push({ frame: event.frame, path: event.path ?? '' });
      if (event.log) this.logs.push(event.log);
      if (event.counters) this.lastCounters = event.counters;
    });
  }

  ready = false;

  send(path: string, text: string): void {
    this.child.stdin!.write(`${JSON.stringify({ send: path, text })}\n`);
  }

  async counters(): Promise<Record<string, number>> {
    this.lastCounters = undefined;
    this.child.stdin!.write(`${JSON.stringify({ counters: true })}\n`);
    await eventually(() => this.lastCounters !== undefined);
    return this.lastCounters ?? {};
  }

  heard(path: string, text: string): boolean {
    return this.frames.some((f) => f.path === path && f.frame === text);
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.pid) this.child.kill('SIGKILL');
  }
}

if (unavailable) {
  skipWithReason(test, `UDP links between namespaces: ${unavailable}`);
} else {
  const lab = new Lab();
  let a: LinkNode;
  let b: LinkNode;

  test.before(async () => {
    lab.buildPair();
    a = new LinkNode(lab, 'a', pathsOf('b'));
    b = new LinkNode(lab, 'b', pathsOf('a'));
    assert.ok(await eventually(() => a.ready && b.ready, 10_000), 'both link processes started');
  });
  test.after(() => {
    a?.kill();
    b?.kill();
    lab.dispose();
  });

  test('ucast (IPv4, IPv6), bcast and mcast frames cross both ways, each on its own path', async () => {
    const pairs: Array<[string, string]> = [
      [`ucast eth1 ${CROSSOVER.b}`, `ucast eth1 ${CROSSOVER.a}`],
      ['bcast eth0', 'bcast eth0'],
      [`ucast eth0 ${LAN.b6}`, `ucast eth0 ${LAN.a6}`],
      ['mcast eth1 239.0.0.1', 'mcast eth1 239.0.0.1'],
    ];
    // IPv6 neighbour discovery and the multicast join may need a moment: resend, bounded.
    const done = () => pairs.every(([onA, onB]) => b.heard(onB, `from a on ${onA}`) && a.heard(onA, `from b on ${onB}`));
    for (let round = 0; round < 30 && !done(); round++) {
      for (const [onA, onB] of pairs) {
        a.send(onA, `from a on ${onA}`);
        b.send(onB, `from b on ${onB}`);
      }
      await eventually(done, 200);
    }
    for (const [onA, onB] of pairs) {
      assert.ok(b.heard(onB, `from a on ${onA}`), `b heard a on ${onB}: ${JSON.stringify(b.frames)}`);
      assert.ok(a.heard(onA, `from b on ${onB}`), `a heard b on ${onA}: ${JSON.stringify(a.frames)}`);
    }
    // Nothing arrived on a path other than the one it was sent on.
    for (const { frame, path } of [...a.frames, ...b.frames]) {
      const sentOn = frame.replace(/^from [ab] on /, '');
      assert.ok(pairs.some(([x, y]) => (x === sentOn && y === path) || (y === sentOn && x === path)), `${frame} arrived on ${path}`);
    }
    // a hears its own broadcasts back from the kernel: counted as own, not delivered.
    assert.ok(((await a.counters())['own'] ?? 0) > 0);
    assert.equal(a.logs, []);
  });

  test('a datagram from an address of no path is dropped and counted', async () => {
    const before = (await a.counters())['dropped-unknown-source'] ?? 0;
    const script = `const s=require('dgram').createSocket('udp6');s.send('forged',${PORT},'${LAN.a6}',()=>s.close())`;
    lab.exec('client', [process.execPath, '-e', script]);
    let after = before;
    for (let i = 0; i < 50 && after === before; i++) {
      after = (await a.counters())['dropped-unknown-source'] ?? 0;
      if (after === before) await new Promise((r) => setTimeout(r, 20));
    }
    assert.is(after, before + 1);
    assert.not.ok(a.frames.some((f) => f.frame === 'forged'));
  });

  for (const [iface, path, peerPath] of [
    ['eth1', `ucast eth1 ${CROSSOVER.b}`, `ucast eth1 ${CROSSOVER.a}`],
    ['eth0', 'bcast eth0', 'bcast eth0'],
  ] as const) {
    test(`${iface} down then up: "${path}: send failed" once, "sending again" once, and b hears a again`, async () => {
      const logsBefore = a.logs.length;
      lab.exec('a', ['ip', 'link', 'set', iface, 'down']);
      // Send every 50 ms for 1.5 s: longer than the interface table is cached (1 s).
      for (let i = 0; i < 30; i++) {
        a.send(path, `while down ${i}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(a.logs.slice(logsBefore).map((l) => l.replace(/failed: .*/, 'failed: ...')), [`warn: ${path}: send failed: ...`]);
      assert.ok(((await a.counters())[`${path} send-failed`] ?? 0) >= 30);
      lab.exec('a', ['ip', 'link', 'set', iface, 'up']);
      let heard = false;
      for (let i = 0; i < 100 && !heard; i++) {
        a.send(path, `after up ${i}`);
        heard = await eventually(() => b.frames.some((f) => f.path === peerPath && f.frame.startsWith('after up')), 50);
      }
      assert.ok(heard, 'b hears a again');
      assert.ok(await eventually(() => a.logs.length === logsBefore + 2));
      assert.is(a.logs[logsBefore + 1], `info: ${path}: sending again`);
      assert.is(a.logs.length, logsBefore + 2, a.logs.join('\n'));
    });
  }
}

test.run();
