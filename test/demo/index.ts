// `npm run demo`: a pair on this one machine. As root with iproute2, arping and socat, the
// real pair in network namespaces running the built agent (see DESIGN.md); otherwise the same
// story told by two agents in this process (the real core, the real codec, a simulated LAN),
// and the reason is said first.
import { resolve } from 'node:path';
import { labUnavailable } from '../helpers/netns';
import { simulatedDemo } from './simulated';

async function main(): Promise<void> {
  process.stdout.write('twinbeat demo\n');
  const why = labUnavailable(['ip', 'socat', 'arping']);
  if (why) {
    process.stdout.write(`The namespace pair cannot be built here (${why}): telling the story with two agents in this process.\n`);
    return simulatedDemo();
  }
  const { namespaceDemo } = await import('./namespaces');
  await namespaceDemo(resolve('build/twinbeat.js'));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
