// Runs in a node's namespace: checks every INTERVAL ms whether ADDRESS is on any interface and
// prints one JSON line per change: {"t": epoch ms, "held": true | false}.
// Usage: node --import tsx watch-address.ts ADDRESS INTERVAL_MS LIMIT_S
import { networkInterfaces } from 'node:os';

const [address = '192.0.2.50', intervalMs = '10', limitS = '120'] = process.argv.slice(2);
let last: boolean | undefined;
const stopAt = Date.now() + Number(limitS) * 1000;
const timer = setInterval(() => {
  if (Date.now() > stopAt) return clearInterval(timer);
  const held = Object.values(networkInterfaces()).some((list) => (list ?? []).some((a) => a.address === address));
  if (held !== last) {
    last = held;
    process.stdout.write(`${JSON.stringify({ t: Date.now(), held })}\n`);
  }
}, Number(intervalMs));
