// A million random and mutated frames through the decoder and the stream splitter: nothing
// throws, nothing that was not signed with a listed key is accepted, memory stays bounded.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { messageToFields } from '../../src/wire/messages';
import { createFrameSplitter, decodeFrame, digestText, encodeFrame, encodeNetstring, MAX_FRAME_BYTES, sign, type WireField } from '../../src/wire';
import { makeRng, type Rng } from '../sim/prng';
import { authWith, capturedFrames, key } from './wire-fixtures';

// Run as four shards of 250,000 frames (test/unit/wire-fuzz-N.test.ts), each with its own seed,
// so that test/run.mjs spreads them over its workers: 1,000,000 frames in all.
// TWINBEAT_FUZZ_FRAMES and TWINBEAT_FUZZ_SEED override the count and seed to replay a failure.
export const SHARDS = 4;
const FRAMES = Number(process.env.TWINBEAT_FUZZ_FRAMES ?? 1_000_000 / SHARDS);

const LISTED = [key(1, 'sha256', 'listed-one'), key(2, 'md5', 'listed-two'), key(4, 'sha1', 'listed-four')];
const RECEIVER = authWith(1, ...LISTED);
const UNLISTED = [key(1, 'sha256', 'wrong-secret'), key(3, 'md5', 'listed-two'), key(2, 'sha1', 'listed-two')];

// What the digest covers: every field but auth, in order (where auth sits is not signed).
const canonical = (fields: readonly WireField[]) => digestText(fields).toString('latin1');

function validFrame(rng: Rng, signer = rng.pick(LISTED)): Buffer {
  const message = {
    kind: rng.pick(['heartbeat', 'shutdown'] as const),
    generation: rng.int(1, 2 ** 31),
    seq: rng.int(0, 1e6),
    ackGeneration: rng.int(0, 2 ** 31),
    mode: rng.pick(['active', 'standby', 'leaving'] as const),
    held: rng.chance(0.5) ? ['192.0.2.50'] : [],
    granted: [],
    failed: [],
    epochs: { '192.0.2.50': rng.int(0, 9) },
    fenceInMs: rng.int(-1, 5000),
  };
  const pairs = messageToFields(message, { src: 'node-a', dest: 'node-b', unixSeconds: 1_800_000_000 });
  if (rng.chance(0.7)) return encodeFrame(pairs, RECEIVER, signer);
  const fields: WireField[] = pairs.map(([name, value]) => ({ name, type: 0, value: Buffer.from(value) }));
  fields.push({ name: 'srcuuid', type: 1, value: Buffer.from(Array.from({ length: 16 }, () => rng.int(0, 255))) });
  fields.push({ name: 'auth', type: 0, value: Buffer.from(sign(signer, digestText(fields))) });
  return encodeNetstring(fields, (signed) => sign(signer, signed));
}

type Mutation = (rng: Rng, frame: Buffer) => Buffer;
const MUTATIONS: Record<string, Mutation> = {
  truncate: (rng, f) => f.subarray(0, rng.int(0, f.length - 1)),
  bitflip: (rng, f) => {
    const copy = Buffer.from(f);
    for (let n = rng.int(1, 3); n > 0; n--) copy[rng.int(0, copy.length - 1)]! ^= 1 << rng.int(0, 7);
    return copy;
  },
  insert: (rng, f) => {
    const at = rng.int(0, f.length);
    return Buffer.concat([f.subarray(0, at), junk(rng, rng.int(1, 8)), f.subarray(at)]);
  },
  repeatField: (rng, f) => {
    const text = f.toString('latin1');
    const lines = text.split('\n');
    const i = rng.int(1, Math.max(1, lines.length - 3));
    lines.splice(i, 0, lines[i]!);
    return Buffer.from(lines.join('\n'), 'latin1');
  },
  oversize: (rng, f) => Buffer.concat([f.subarray(0, 20), junk(rng, MAX_FRAME_BYTES + rng.int(1, 100)), f.subarray(20)]),
  junk: (rng) => junk(rng, rng.int(0, 600)),
  junkWithStart: (rng) => Buffer.concat([Buffer.from(rng.pick(['>>>\n', '###\n'])), junk(rng, rng.int(0, 300))]),
  wrongKey: (rng) => validFrame(rng, rng.pick(UNLISTED)),
  swapFields: (rng, f) => {
    const lines = f.toString('latin1').split('\n');
    if (lines.length < 5) return f;
    const i = rng.int(1, lines.length - 4);
    [lines[i], lines[i + 1]] = [lines[i + 1]!, lines[i]!];
    return Buffer.from(lines.join('\n'), 'latin1');
  },
};
const MUTATION_NAMES = Object.keys(MUTATIONS);

// Junk bytes are slices of one seeded pool: a fresh random byte per junk byte would spend most
// of the run in the PRNG (an oversized frame is 16 KiB of junk).
const POOL = (() => {
  const rng = makeRng(0x5eed);
  const pool = Buffer.allocUnsafe(2 * MAX_FRAME_BYTES + 1024);
  for (let i = 0; i < pool.length; i++) pool[i] = rng.int(0, 255);
  return pool;
})();

function junk(rng: Rng, n: number): Buffer {
  const at = rng.int(0, POOL.length - n);
  return POOL.subarray(at, at + n);
}

export function defineFuzz(shard: number) {
  const SEED = Number(process.env.TWINBEAT_FUZZ_SEED ?? 20261125 + shard);
  test(`shard ${shard} of ${SHARDS}: ${FRAMES}.toLocaleString('en')} random and mutated frames: no exception, nothing unsigned accepted, bounded memory`, () => {
    const rng = makeRng(SEED);
    const captured = capturedFrames().map((c) => c.payload);
    const splitter = createFrameSplitter();
    const tally = { valid: 0, mutated: 0, acceptedMutations: 0, fromStream: 0 };
    let maxBuffered = 0;
    const heapBefore = process.memoryUsage().heapUsed;
    // The last originals: the splitter holds at most MAX_FRAME_BYTES, so a frame it cuts from the
    // stream comes from one of the frames fed in that span (about 40 at ~400 bytes each).
    const recent: Buffer[] = [];

    /** What a listed key signed in `original`, or undefined (a capture, a wrong key). Decoded only when needed. */
    const signedBy = (original: Buffer) => {
      const r = decodeFrame(original, RECEIVER);
      return r.ok ? canonical(r.fields) : undefined;
    };
    const withoutNul = (f: Buffer) => (f[f.length - 1] === 0 ? f.subarray(0, -1) : f);

    const check = (frame: Buffer, originals: Buffer[], what: string) => {
      const r = decodeFrame(frame, RECEIVER);
      if (!r.ok) {
        assert.not.match(r.detail, /^decoder error/, `${what}: the decoder threw: ${r.detail}`);
        return r;
      }
      if (originals.some((o) => withoutNul(o).equals(withoutNul(frame)))) return r;
      // Accepted and not byte for byte an original: its signed content must be one a listed key signed.
      const content = canonical(r.fields);
      assert.ok(originals.some((o) => signedBy(o) === content), `${what}: accepted a frame no listed key signed`);
      tally.acceptedMutations++;
      return r;
    };

    for (let n = 0; n < FRAMES; n++) {
      const isCapture = rng.chance(0.02);
      const original = isCapture ? rng.pick(captured) : validFrame(rng);
      let frame = original;
      if (rng.chance(0.75)) {
        frame = MUTATIONS[rng.pick(MUTATION_NAMES)]!(rng, original);
        tally.mutated++;
      }
      if (!isCapture) recent.push(original);
      if (recent.length > 64) recent.shift();
      const what = `frame ${n} (seed ${SEED})`;
      const r = check(frame, [original].filter(() => !isCapture), what);
      if (frame === original && !isCapture) {
        assert.ok(r.ok, `${what}: an unmutated frame signed with a listed key was refused`);
        tally.valid++;
      }
      if (isCapture) assert.not.ok(r.ok, `${what}: a frame signed with labkey, which is not listed, was accepted`);
      // The same bytes as they would come off the serial line, in random chunks.
      for (let at = 0; at < frame.length; ) {
        const size = rng.int(1, 512);
        for (const cut of splitter.push(frame.subarray(at, at + size))) {
          check(cut, recent, `stream frame near ${what}`);
          tally.fromStream++;
        }
        at += size;
      }
      maxBuffered = Math.max(maxBuffered, splitter.counters()['buffered-bytes']!);
    }
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    assert.ok(heapGrowth < 64 * 1024 * 1024, `heap grew by ${heapGrowth} bytes`);
    assert.ok(maxBuffered <= MAX_FRAME_BYTES, `splitter held ${maxBuffered} bytes`);
    assert.ok(tally.valid > FRAMES * 0.2, 'a good share of valid frames went through');
    assert.ok(tally.fromStream > FRAMES * 0.1, 'the stream splitter found frames');
    console.log(`fuzz: ${FRAMES} frames (seed ${SEED}), ${tally.mutated} mutated, ${tally.acceptedMutations} harmless mutations accepted, ${tally.fromStream} cut from the stream, splitter peak ${maxBuffered} bytes`);
  });

}
