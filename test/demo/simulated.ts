// The demo's story told without namespaces: two real agents in this process (the real core,
// the real config reader), joined by the loopback network, a simulated LAN for the VIP.
import { formatStatus } from '../../src/commands/status';
import { InProcessPair, until } from '../helpers/inprocess-pair';

const say = (text: string) => process.stdout.write(`\n== ${text}\n`);
const stamp = (t: number, origin: number) => `+${String(t - origin).padStart(4)} ms`;

export async function simulatedDemo(): Promise<void> {
  const origin = Date.now();
  const pair = new InProcessPair({ onLog: (node, line) => process.stdout.write(`  [${node}] ${line}\n`) });
  try {
    say('Starting alpha (home node of 192.0.2.50) and beta: keepalive 50ms, deadtime 250ms, auto_failback on');
    const alpha = await pair.start('alpha');
    const beta = await pair.start('beta');
    await until('alpha serves', () => alpha.running());
    await until('beta hears alpha', () => beta.agent.snapshot().groups[0]?.holder === 'alpha');
    say('twinbeat status on alpha');
    process.stdout.write(formatStatus(alpha.agent.snapshot()));
    say('twinbeat status on beta');
    process.stdout.write(formatStatus(beta.agent.snapshot()));

    say('Power loss of alpha (its agent stops dead, its address goes with it)');
    const lost = Date.now();
    await pair.powerOff('alpha');
    await until('beta serves', () => pair.lan.answering() === 'beta');
    const gap = Date.now() - lost;
    process.stdout.write(`\n  The client's view of 192.0.2.50: nobody answered for ${gap} ms (deadtime 250 ms), then beta.\n`);

    say('alpha boots again with a new generation; auto_failback on brings the group home');
    const back = Date.now();
    const alphaAgain = await pair.start('alpha');
    await until('alpha serves again', () => pair.lan.answering() === 'alpha' && alphaAgain.running(), 5000);
    process.stdout.write(`\n  Group home on alpha ${Date.now() - back} ms after it booted.\n`);

    say('Who held 192.0.2.50, change by change');
    for (const c of pair.lan.changes) process.stdout.write(`  ${stamp(c.t, origin)}  ${c.holders.join(' + ') || 'nobody'}\n`);
    process.stdout.write(`\n  Two holders at any moment: ${pair.lan.doubleHolder ? 'YES (a bug!)' : 'never'}.\n`);
  } finally {
    await pair.dispose();
  }
}
