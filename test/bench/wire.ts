// The wire's bench: encode + sign + decode + verify frames per second for each auth method,
// and the serial one-way latency over a socat pty pair (median and p99 of 1,000 frames at
// 19200 and 115200 baud). A pty moves bytes at memory speed whatever its baud setting, so the
// time a real line needs to carry the frame is printed beside it (10 bits per byte, 8N1).
import { messageToFields } from '../../src/wire/messages';
import type { AuthMethod, PathSpec } from '../../src/config/types';
import { SerialLink } from '../../src/links/serial';
import { createFrameSplitter, decodeFrame, encodeFrame } from '../../src/wire';
import { SerialCable } from '../helpers/serial-cable';
import { authWith, key } from '../helpers/wire-fixtures';
import { median, percentile } from './stats';

const message = {
  kind: 'heartbeat' as const, generation: 0x6b064b2b, seq: 1, ackGeneration: 0x6b064b2c, mode: 'active' as const,
  held: ['192.0.2.50'], granted: [], failed: [], epochs: { '192.0.2.50': 3 }, fenceInMs: -1,
};
const envelope = { src: 'node-a', dest: 'node-b', unixSeconds: 0x6b064b2b };

export function codecRates(rounds = 5, framesPerRound = 50_000): Record<AuthMethod, number> {
  const out = {} as Record<AuthMethod, number>;
  for (const method of ['crc', 'md5', 'sha1', 'sha256'] as AuthMethod[]) {
    const auth = authWith(1, key(1, method));
    const rates: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const started = performance.now();
      for (let i = 0; i < framesPerRound; i++) {
        const frame = encodeFrame(messageToFields({ ...message, seq: i }, envelope), auth);
        if (!decodeFrame(frame, auth).ok) throw new Error('bench frame did not verify');
      }
      rates.push(framesPerRound / ((performance.now() - started) / 1000));
    }
    out[method] = median(rates);
  }
  return out;
}

const quiet = { info: () => {}, warn: () => {}, debug: () => {} };

function serialPath(device: string, baud: number): Extract<PathSpec, { kind: 'serial' }> {
  return { kind: 'serial', id: device, name: device, device, baud, source: { file: 'bench', line: 1 } };
}

/** One-way latency of `count` frames over a pty pair, one at a time. */
export async function serialLatency(baud: number, count = 1000): Promise<{ median: number; p99: number; frameBytes: number }> {
  const cable = new SerialCable();
  await cable.plug();
  const a = new SerialLink({ path: serialPath(cable.endA, baud), splitter: () => createFrameSplitter(), log: quiet });
  const b = new SerialLink({ path: serialPath(cable.endB, baud), splitter: () => createFrameSplitter(), log: quiet });
  const auth = authWith(1, key(1, 'sha256'));
  let arrived: (() => void) | undefined;
  await a.start(() => {});
  await b.start(() => arrived?.());
  const latencies: number[] = [];
  let frameBytes = 0;
  try {
    for (let i = 0; i < count; i++) {
      const frame = encodeFrame(messageToFields({ ...message, seq: i }, envelope), auth);
      frameBytes = frame.length;
      const got = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`frame ${i} did not arrive within 2 s`)), 2000);
        arrived = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      const sent = performance.now();
      a.send(frame, cable.endA);
      await got;
      latencies.push(performance.now() - sent);
    }
  } finally {
    await a.stop();
    await b.stop();
    cable.cut();
  }
  return { median: median(latencies), p99: percentile(latencies, 99), frameBytes };
}

export async function runWireBench(print: (line: string) => void): Promise<void> {
  print('wire: encode + sign + decode + verify, frames per second (median of 5 rounds of 50,000)');
  for (const [method, rate] of Object.entries(codecRates())) print(`  ${method.padEnd(7)} ${Math.round(rate).toLocaleString('en')}/s`);
  print('wire: serial one-way latency over a socat pty pair, 1,000 frames');
  for (const baud of [19200, 115200]) {
    const r = await serialLatency(baud);
    const lineMs = (r.frameBytes * 10 * 1000) / baud;
    print(`  ${String(baud).padStart(6)} baud: median ${r.median.toFixed(3)} ms, p99 ${r.p99.toFixed(3)} ms over the pty; a real line needs ${lineMs.toFixed(1)} ms more for the ${r.frameBytes}-byte frame`);
  }
}
