// Runs in the client's namespace: asks http://ADDRESS:PORT/ every INTERVAL ms and prints one
// JSON line each time the answer changes: {"t": epoch ms, "answer": "node-a" | null, "prev": epoch
// ms}. `prev` is when the answer before this one was last given (its latest request's start), so
// a bench can date the last answer from an old holder, not only the first moment of its silence.
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

// A new request every INTERVAL ms whether or not the last one returned: a request sent while
// nobody answers waits for its timeout, and waiting for it would blur the moment of the switch
// by up to that timeout. Each answer is dated by its request's start; a change is printed when
// an answer is newer than the last one printed.
const stopAt = Date.now() + Number(limitS) * 1000;
let lastAt = 0;
const timer = setInterval(() => {
  if (Date.now() >= stopAt) return clearInterval(timer);
  const started = Date.now();
  void ask().then((answer) => {
    if (started < lastAt) return;
    const prev = lastAt;
    lastAt = started;
    if (answer !== last) {
      last = answer;
      process.stdout.write(`${JSON.stringify({ t: started, answer, ...(prev ? { prev } : {}) })}\n`);
    }
  });
}, Number(intervalMs));
