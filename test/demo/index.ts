// `npm run demo`: a pair on this one machine. As root with iproute2, arping and socat, the
// real pair in network namespaces (see DESIGN.md); otherwise the same story on two agents in
// this process, and the reason is said first.
import { simulatedDemo } from './simulated';

async function main(): Promise<void> {
  process.stdout.write('twinbeat demo\n');
  process.stdout.write(
    'The namespace pair (real interfaces, the built agent) is not wired up yet: showing the story with two agents in this process.\n',
  );
  await simulatedDemo();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
