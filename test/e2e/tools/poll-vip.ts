// Runs in the client's namespace: asks http://ADDRESS:PORT/ every INTERVAL ms and prints one
// JSON line each time the answer changes: {"t": epoch ms, "answer": "node-a" | null}.
// Usage: node --import tsx poll-vip.ts ADDRESS PORT INTERVAL_MS LIMIT_S
import { request } from 'node:http';

const [address = '192.0.2.50', port = '8080', intervalMs = '10', limitS = '120'] = process.argv.slice(2);
let last: string | null | undefined;

function ask(): Promise<string | null> {
  return new Promise((resolve) => {
    const req = request({ host: address, port: Number(port), path: '/', timeout: 100, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
    req.end();
  });
}

const stopAt = Date.now() + Number(limitS) * 1000;
async function loop() {
  while (Date.now() < stopAt) {
    const started = Date.now();
    const answer = await ask();
    if (answer !== last) {
      last = answer;
      process.stdout.write(`${JSON.stringify({ t: started, answer })}\n`);
    }
    await new Promise((r) => setTimeout(r, Math.max(0, Number(intervalMs) - (Date.now() - started))));
  }
}
void loop();
