// `npm run field -- [--seed N] [--steps N] [--minutes M] [--shape SHAPE] [--relay on|off] [--ops a,b,...] [--slack MS]`
//
// The field suite (issue 16): a real pair in namespaces played as an operator and the field
// would, Pacemaker CTS's way. One segment of `--steps` steps (default 25) from `--seed` (default:
// from the clock, printed); with `--minutes M`, segments with seeds N, N+1, ... until M minutes
// have passed, so that a long run goes through every shape, with and without relays. A
// violation stops the run, prints the replay command and both logs' tails, and exits 1.
// `--ops` names the operations to pick from (default: every one not pending an open issue);
// `--slack MS` adds MS to every outage budget, for a host loaded by other work (the report says so).
import { SHAPES, type Shape } from '../helpers/shapes';
import { labUnavailable } from '../helpers/netns';
import { runSegment, type SegmentResult } from './driver';
import { byName, OPERATIONS } from './operations';
import { report } from './report';

const print = (line: string) => process.stdout.write(`${line}\n`);

function parse(argv: string[]) {
  const opts: { seed: number; steps: number; minutes?: number; shape?: Shape; relay?: boolean; ops?: string[]; slack: number } = {
    seed: Date.now() % 100_000,
    steps: 25,
    slack: 0,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    const need = () => {
      if (value === undefined) usage(`${flag} needs a value`);
      i++;
      return value!;
    };
    const count = (text: string) => (/^\d+$/.test(text) ? Number(text) : usage(`${flag}: not a whole number: ${text}`));
    if (flag === '--seed') opts.seed = count(need());
    else if (flag === '--steps') opts.steps = count(need());
    else if (flag === '--minutes') opts.minutes = count(need());
    else if (flag === '--slack') opts.slack = count(need());
    else if (flag === '--shape') {
      const shape = need();
      if (!(SHAPES as readonly string[]).includes(shape)) usage(`--shape: one of ${SHAPES.join(', ')}`);
      opts.shape = shape as Shape;
    } else if (flag === '--relay') {
      const v = need();
      if (v !== 'on' && v !== 'off') usage('--relay: on or off');
      opts.relay = v === 'on';
    } else if (flag === '--ops') {
      opts.ops = need().split(',');
      const unknown = opts.ops.filter((o) => !byName.has(o));
      if (unknown.length) usage(`--ops: unknown ${unknown.join(', ')}; known: ${OPERATIONS.map((o) => o.name).join(', ')}`);
    } else usage(`unknown argument ${flag}`);
  }
  return opts;
}

function usage(why: string): never {
  process.stderr.write(`${why}\nusage: npm run field -- [--seed N] [--steps N] [--minutes M] [--shape ${SHAPES.join('|')}] [--relay on|off] [--ops a,b,...] [--slack MS]\n`);
  process.exit(2);
}

const opts = parse(process.argv.slice(2));
// Ctrl-C or a kill ends the run through process.exit, whose handlers end the agents and delete
// the namespaces (a signal's default action would leave them behind).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
const why = labUnavailable(['ip', 'socat', 'arping', 'ping', 'nft', 'unshare']);
if (why) {
  process.stderr.write(`the field suite ${why}\n`);
  process.exit(2);
}
const ops = opts.ops?.map((o) => byName.get(o)!);
for (const op of OPERATIONS.filter((o) => o.pending && !ops?.includes(o))) print(`not in the list: ${op.name} (${op.pending})`);
const begun = Date.now();
const until = opts.minutes === undefined ? undefined : begun + opts.minutes * 60_000;
const segments: SegmentResult[] = [];
for (let seed = opts.seed; ; seed++) {
  const setup = { ...(opts.shape ? { shape: opts.shape } : {}), ...(opts.relay !== undefined ? { relay: opts.relay } : {}) };
  print(`seed ${seed}:`);
  const result = await runSegment({ seed, steps: opts.steps, until, setup, ops, slackMs: opts.slack, print });
  print(`  (${result.setup.shape}, ${result.setup.relay ? 'relays' : 'no relay'})`);
  segments.push(result);
  if (result.failure) {
    print('');
    print(result.failure);
    break;
  }
  if (until === undefined || Date.now() >= until) break;
}
print('');
if (opts.slack > 0) print(`Every outage budget below has ${opts.slack} ms of slack added (--slack): the host was loaded by other work.`);
for (const line of report(segments, Date.now() - begun)) print(line);
process.exit(segments.some((s) => s.failure) ? 1 : 0);
