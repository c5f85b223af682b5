// The demo on a real pair: network namespaces for node a, node b and a client, a bridge for the
// service LAN, a crossover link, a socat pty pair as the serial cable, and the built agent in
// each node. Everything is removed at the end, also when something fails.
import { existsSync } from 'node:fs';
import { LAN } from '../helpers/netns';
import { FAST, Pair, type Watched } from '../helpers/pair';

const say = (text: string) => process.stdout.write(`\n== ${text}\n`);

function follow(name: string, agent: Watched) {
  let shown = 0;
  return () => {
    for (const line of agent.lines.slice(shown)) process.stdout.write(`  [${name}] ${line.replace(/^twinbeat\[\d+\]: /, '')}\n`);
    shown = agent.lines.length;
  };
}

export async function namespaceDemo(bundle: string): Promise<void> {
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run build first`);
  const settings = { ...FAST, keepalive: '200ms', deadtime: '1s', warntime: '600ms', initdead: '3s' };
  const pair = await new Pair(settings).build();
  const show: (() => void)[] = [];
  const flush = () => show.forEach((f) => f());
  try {
    say(`Starting node-a (home of ${LAN.vip}) and node-b: keepalive 200ms, deadtime 1s, auto_failback on;`);
    process.stdout.write('   paths: UDP on the crossover eth1 and a serial cable (a socat pty pair)\n');
    const a = pair.startAgent('a');
    const b = pair.startAgent('b');
    show.push(follow('node-a', a), follow('node-b', b));
    const client = pair.watchClient(300);
    await client.waitFor(/"answer":"node-a"/, 30_000);
    await b.waitFor(/Link node-a:eth1 up\./, 30_000);
    await new Promise((r) => setTimeout(r, 500));
    flush();
    say('twinbeat status on node-a');
    process.stdout.write((await pair.twinbeat('a', 'status')).output + '\n');

    say('Power loss of node-a: its interfaces go down and its agent dies (kill -9) in one step');
    const from = client.lines.length;
    const lost = Date.now();
    pair.powerOff('a');
    const line = await client.waitFor(/"answer":"node-b"/, 30_000, from);
    const gap = (JSON.parse(line) as { t: number }).t - lost;
    await new Promise((r) => setTimeout(r, 300));
    flush();
    process.stdout.write(`\n  The client's view of http://${LAN.vip}:8080/: no answer for ${gap} ms (deadtime 1000 ms), then node-b.\n`);
    const neigh = pair.lab.exec('client', ['ip', 'neigh', 'show', LAN.vip]).trim();
    process.stdout.write(`  The client's ARP entry: ${neigh} (node-b's eth0 is ${pair.lab.mac('b', 'eth0')})\n`);

    say('node-a powers up again: interfaces up, agent started; auto_failback on brings the group home');
    pair.lab.exec('a', ['ip', 'link', 'set', 'eth0', 'up']);
    pair.lab.exec('a', ['ip', 'link', 'set', 'eth1', 'up']);
    const back = Date.now();
    const from2 = client.lines.length;
    const a2 = pair.startAgent('a');
    show.push(follow('node-a', a2));
    await client.waitFor(/"answer":"node-a"/, 30_000, from2);
    await new Promise((r) => setTimeout(r, 500));
    flush();
    process.stdout.write(`\n  node-a serves again ${Date.now() - back} ms after it was powered up.\n`);
    say('twinbeat status on node-b');
    process.stdout.write((await pair.twinbeat('b', 'status')).output + '\n');
  } finally {
    flush();
    say('Cleaning up: agents stopped, namespaces deleted');
    pair.dispose();
  }
}
