// One node's links, run inside a network namespace by test/e2e/links-udp.test.ts and driven
// over stdin/stdout with JSON lines:
//   in:  {"send": PATH_ID, "text": "..."}   {"counters": true}
//   out: {"ready": true}   {"frame": "...", "path": PATH_ID}   {"log": "warn: ..."}   {"counters": {...}}
// Usage: node --import tsx test/e2e/tools/link-node.ts '{"paths": [PathSpec, ...]}'
import { createInterface } from 'node:readline';
import type { PathSpec } from '../../../src/config/types';
import { createLinks } from '../../../src/links';
import { LineFrameSplitter } from '../../helpers/line-frame-splitter';

const { paths } = JSON.parse(process.argv[2] ?? '{}') as { paths: PathSpec[] };
const out = (event: object) => process.stdout.write(`${JSON.stringify(event)}\n`);
const links = createLinks(
  { paths },
  {
    log: { info: (m) => out({ log: `info: ${m}` }), warn: (m) => out({ log: `warn: ${m}` }) },
    splitter: () => new LineFrameSplitter(),
  },
);
await Promise.all(links.map((link) => link.start((frame, path) => out({ frame: frame.toString(), path }))));

/** All links' counters, added up by name. */
function counters(): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const [name, value] of links.flatMap((l) => Object.entries(l.counters()))) sum[name] = (sum[name] ?? 0) + value;
  return sum;
}
createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line) as { send?: string; text?: string; counters?: boolean };
  if (command.send !== undefined) links.find((l) => l.paths.includes(command.send!))?.send(Buffer.from(command.text ?? ''), command.send);
  if (command.counters) out({ counters: counters() });
});
// The test ends this process by closing stdin, or by pid when it fails.
process.stdin.on('end', () => void Promise.all(links.map((l) => l.stop())).then(() => process.exit(0)));
out({ ready: true });
