// `twinbeat decode`: reads frames from standard input as they come off a socket or the serial
// line (or, with --jsonl, the JSON lines of a capture) and prints each with its verdict and its
// fields. What a person wiring a new pair runs first: `socat /dev/ttyS1,raw - | twinbeat decode`.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { formatDiagnostic, loadAuthkeys, type AuthConfig } from '../config';
import { createFrameSplitter, decodeFrame, ReplayGuard, type WireField } from '../wire';
import type { Command } from './command';

function showField(f: WireField): string {
  if (f.type === 1) return `${f.name}=(${f.value.length} bytes ${f.value.toString('hex')})`;
  const text = f.value.toString('utf8');
  return `${f.name}=${/[\s"\\]/.test(text) || text === '' ? JSON.stringify(text) : text}`;
}

export class FrameReporter {
  private readonly replay = new ReplayGuard();
  count = 0;
  ok = 0;

  constructor(
    private readonly auth: AuthConfig,
    private readonly write: (line: string) => void,
  ) {}

  /** Decodes one frame, checks it for replay on `path`, prints its verdict; true when ok. */
  report(frame: Buffer, path: string, label = ''): boolean {
    this.count++;
    const r = decodeFrame(frame, this.auth);
    let verdict: string;
    if (r.ok) {
      verdict = this.replayVerdict(r.fields, path) ?? `ok (${r.format}, key ${r.keyIndex})`;
    } else {
      verdict = `${r.reason}: ${r.detail}${r.format ? ` (${r.format})` : ''}`;
    }
    const good = verdict.startsWith('ok');
    if (good) this.ok++;
    const fields = r.ok ? r.fields : (r.fields ?? []);
    this.write(`#${this.count}${label} ${verdict}${fields.length ? `\n    ${fields.map(showField).join(' ')}` : ''}\n`);
    return good;
  }

  /** Frames that carry hg and seq (Heartbeat's hex) are checked as the agent would; others are not. */
  private replayVerdict(fields: WireField[], path: string): string | undefined {
    const get = (name: string) => fields.find((f) => f.name === name && f.type === 0)?.value.toString('latin1');
    const src = get('src');
    const hg = get('hg');
    const seq = get('seq');
    if (!src || !hg || !seq || !/^[0-9a-f]{1,13}$/i.test(hg) || !/^[0-9a-f]{1,13}$/i.test(seq)) return undefined;
    const verdict = this.replay.check(src, path, parseInt(hg, 16), parseInt(seq, 16));
    return verdict === 'ok' ? undefined : `${verdict}: seq ${seq} of generation ${hg} from ${src} on this path`;
  }
}

async function readJsonl(reporter: FrameReporter, input: NodeJS.ReadableStream, warn: (s: string) => void) {
  let lineNo = 0;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    lineNo++;
    if (line.trim() === '') continue;
    let record: { src?: string; dst?: string; payload_b64?: string };
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      warn(`stdin:${lineNo}: not JSON; expected {"src": ..., "dst": ..., "payload_b64": ...}\n`);
      reporter.count++;
      continue;
    }
    const path = `${record.src ?? '?'}>${record.dst ?? '?'}`;
    reporter.report(Buffer.from(record.payload_b64 ?? '', 'base64'), path, ` ${path}`);
  }
}

async function readStream(reporter: FrameReporter, input: NodeJS.ReadableStream) {
  const splitter = createFrameSplitter();
  for await (const chunk of input) {
    for (const frame of splitter.push(Buffer.from(chunk as Buffer))) reporter.report(frame, 'stdin');
  }
  const c = splitter.counters();
  return c;
}

export const decodeCommand: Command = {
  summary: 'print the frames on standard input with their verdicts (--config-dir DIR, --jsonl)',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { 'config-dir': { type: 'string', default: '/etc/ha.d' }, jsonl: { type: 'boolean', default: false } },
    });
    const dir = values['config-dir'];
    const { auth, diagnostics } = await loadAuthkeys(dir);
    for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
    if (!auth) return 2;
    const reporter = new FrameReporter(auth, (s) => process.stdout.write(s));
    const warn = (s: string) => process.stderr.write(s);
    if (values.jsonl) await readJsonl(reporter, process.stdin, warn);
    else {
      const c = await readStream(reporter, process.stdin);
      const skipped = Object.entries(c).filter(([k, n]) => n > 0 && k !== 'buffered-bytes');
      if (skipped.length) warn(`stream: ${skipped.map(([k, n]) => `${k} ${n}`).join(', ')}\n`);
    }
    warn(`${reporter.count} frames: ${reporter.ok} ok, ${reporter.count - reporter.ok} would be dropped\n`);
    return reporter.count > 0 && reporter.ok === reporter.count ? 0 : 1;
  },
};
