// Records what a pure Heartbeat 3.0.6 pair says on the wire while it starts, hands over and fails
// over, for test/fixtures/heartbeat-3.0.6/ (its README says how to read the result). The pair is
// baseline-heartbeat.ts's (tutorial shape: `bcast eth1` + `ucast eth1 PEER`, sha1 authkeys,
// auto_failback on, node-a the home of 192.0.2.50); tcpdump runs in node b's namespace on eth1,
// which hears both nodes' frames, so node a's power loss does not end the capture.
//
// Usage (root): node --import tsx test/bench/heartbeat-capture.ts OUT_DIR
// Writes, with `t` in seconds from the first frame captured:
//   frames.jsonl  the frames kept (below), payload base64, as tcpdump saw them;
//   frames.txt    the same frames decoded, one line each, with the events between them;
//   events.jsonl  what was done to the pair, and when;
//   ha-log-a, ha-log-b  each node's Heartbeat log.
// To keep the fixture small, a `status` frame is kept only when its `st` differs from the last
// one kept for the same sender and destination address, and NS_ackmsg frames are left out; every
// other frame is kept.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeFrame, textFields } from '../../src/wire';
import type { AuthConfig } from '../../src/config/types';
import { HeartbeatPair, heartbeatUnavailable } from './baseline-heartbeat';
import { waitUntil } from './baseline-common';
import { sleep } from '../helpers/pair-scenario';

/** UDP payloads of an Ethernet pcap (link type 1, IPv4), with their capture times in seconds. */
export function udpPayloads(pcap: Buffer): { at: number; src: string; dst: string; payload: Buffer }[] {
  const out: { at: number; src: string; dst: string; payload: Buffer }[] = [];
  if (pcap.length < 24 || pcap.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error('not a little-endian microsecond pcap');
  let off = 24;
  while (off + 16 <= pcap.length) {
    const at = pcap.readUInt32LE(off) + pcap.readUInt32LE(off + 4) / 1e6;
    const caplen = pcap.readUInt32LE(off + 8);
    const packet = pcap.subarray(off + 16, off + 16 + caplen);
    off += 16 + caplen;
    if (packet.length < 14 + 20 + 8 || packet.readUInt16BE(12) !== 0x0800) continue;
    const ip = packet.subarray(14);
    const ihl = (ip[0]! & 0x0f) * 4;
    if (ip[9] !== 17) continue;
    const addr = (at: number) => [...ip.subarray(at, at + 4)].join('.');
    const udpLength = ip.readUInt16BE(ihl + 4);
    out.push({ at, src: addr(12), dst: addr(16), payload: Buffer.from(ip.subarray(ihl + 8, ihl + udpLength)) });
  }
  return out;
}

/** The authkeys of baseline-heartbeat.ts's pair: `auth 1` / `1 sha1 baseline-secret`. */
export const CAPTURE_AUTH: AuthConfig = { sendIndex: 1, keys: [{ index: 1, method: 'sha1', secret: 'baseline-secret', source: { file: 'authkeys', line: 2 } }] };

function fieldsOf(payload: Buffer): [string, string][] | undefined {
  const decoded = decodeFrame(payload, CAPTURE_AUTH);
  return decoded.ok ? textFields(decoded.fields) : undefined;
}

function keepFrames<F extends { src: string; dst: string; payload: Buffer }>(frames: F[]): F[] {
  const lastStatus = new Map<string, string>();
  return frames.filter((f) => {
    const fields = fieldsOf(f.payload);
    if (!fields) return true;
    const type = fields.find(([n]) => n === 't')?.[1];
    if (type === 'NS_ackmsg') return false;
    if (type !== 'status') return true;
    const key = `${f.src}>${f.dst}`;
    const st = fields.find(([n]) => n === 'st')?.[1] ?? '';
    if (lastStatus.get(key) === st) return false;
    lastStatus.set(key, st);
    return true;
  });
}

/** One line per frame: the fields that tell the story (the digests, uuids, load and timestamps left out). */
function describeFrame(payload: Buffer): string {
  const fields = fieldsOf(payload);
  if (!fields) return `(does not verify: ${payload.length} bytes)`;
  const quiet = new Set(['auth', 'srcuuid', 'destuuid', 'ld', 'ts', 'dt', 'ttl', 'protocol']);
  return fields
    .filter(([n]) => !quiet.has(n))
    .map(([n, v]) => `${n}=${/[\s"]/.test(v) || v === '' ? JSON.stringify(v) : v}`)
    .join(' ');
}

async function main(): Promise<void> {
  const outDir = process.argv[2];
  if (!outDir) throw new Error('usage: heartbeat-capture.ts OUT_DIR');
  const why = heartbeatUnavailable('tutorial');
  if (why) throw new Error(`cannot capture: ${why}`);
  mkdirSync(outDir, { recursive: true });
  const pair = new HeartbeatPair({ shape: 'tutorial', keepalive: '1', deadtime: '5', runs: 1, ops: [] });
  const events: { at: number; what: string }[] = [];
  const mark = (what: string) => {
    events.push({ at: Date.now() / 1000, what });
    process.stderr.write(`${what}\n`);
  };
  const pcapFile = join(pair.root, 'eth1.pcap');
  let tcpdump: ReturnType<typeof spawn> | undefined;
  try {
    pair.build();
    // -U: each packet is written as it comes, so the file is whole when tcpdump is ended.
    tcpdump = spawn('ip', ['netns', 'exec', pair.lab.ns('b'), 'tcpdump', '-i', 'eth1', '-U', '-n', '-w', pcapFile, 'udp port 694'], { stdio: 'ignore' });
    await sleep(1500);
    mark('start-up: heartbeat started on node-a, then node-b');
    await pair.startPair();
    const bound = { timeoutMs: pair.moveTimeoutMs(), settleMs: 4000 };
    mark('hb_standby on node-a');
    await pair.move('a', 'b', () => pair.standby('a'), bound);
    mark('hb_takeover on node-a');
    await pair.move('b', 'a', () => pair.takeover('a'), bound);
    mark('SIGTERM to heartbeat on node-a');
    await pair.move('a', 'b', () => pair.stopDaemon('a'), bound);
    await waitUntil(() => pair.daemonPids('a').length === 0, 120_000, 'heartbeat on node a to exit');
    mark('heartbeat started again on node-a (failback, auto_failback on)');
    await pair.move('b', 'a', () => pair.startDaemon('a'), bound);
    mark('power loss of node-a (frozen, links down, kill -9)');
    await pair.move('a', 'b', () => pair.powerOff('a'), { ...bound, fromAction: true });
    mark('end');
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${pair.diagnostics()}\n`);
    process.exitCode = 1;
  } finally {
    if (tcpdump?.pid) process.kill(tcpdump.pid, 'SIGINT');
    await sleep(500);
    try {
      const all = udpPayloads(readFileSync(pcapFile));
      const t0 = all[0]?.at ?? 0;
      const t = (at: number) => Math.round((at - t0) * 1000) / 1000;
      const kept = keepFrames(all);
      writeFileSync(join(outDir, 'frames.jsonl'), kept.map((f) => JSON.stringify({ t: t(f.at), src: f.src, dst: f.dst, payload_b64: f.payload.toString('base64') })).join('\n') + '\n');
      writeFileSync(join(outDir, 'events.jsonl'), events.map((e) => JSON.stringify({ t: t(e.at), what: e.what })).join('\n') + '\n');
      const lines: { at: number; text: string }[] = [
        ...events.map((e) => ({ at: e.at, text: `${t(e.at).toFixed(3)} ===== ${e.what}` })),
        ...kept.map((f) => ({ at: f.at, text: `${t(f.at).toFixed(3)} ${f.src} > ${f.dst} ${describeFrame(f.payload)}` })),
      ].sort((x, y) => x.at - y.at);
      writeFileSync(join(outDir, 'frames.txt'), lines.map((l) => l.text).join('\n') + '\n');
      for (const node of ['a', 'b']) writeFileSync(join(outDir, `ha-log-${node}`), readFileSync(join(pair.root, node, 'ha-log')));
    } catch (err) {
      process.stderr.write(`no capture: ${(err as Error).message}\n`);
      process.exitCode = 1;
    }
    pair.dispose();
  }
}

if (process.argv[1]?.endsWith('heartbeat-capture.ts')) void main();
