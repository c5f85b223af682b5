// Option directives that twinbeat acts on.
import { shown } from '../../printable';
import {
  NODE_NAME_RULE,
  SYSLOG_FACILITIES,
  isNodeName,
  parseBaud,
  parseBoolean,
  parseInteger,
  type Parsed,
} from '../values';
import type { AutoFailback } from '../types';
import type { Directive } from './directive';
import { durationDirective, oneValue, record, valueDirective } from './helpers';

const cluster = valueDirective('cluster', 'cluster', (text): Parsed<string> =>
  /^[A-Za-z0-9_.-]{1,64}$/.test(text)
    ? { ok: true, value: text }
    : { ok: false, expected: 'a name of letters, digits, "-", "_" or "." (at most 64)' },
);

/** `node a b` declares both, like two lines. Heartbeat keeps node names in lower case. */
const node: Directive = {
  name: 'node',
  handle(args, ctx) {
    if (args.length === 0) {
      ctx.diag.error(ctx.source, 'node needs a node name, as `uname -n` prints it');
      return;
    }
    for (const name of args) {
      if (!isNodeName(name)) {
        ctx.diag.error(ctx.source, `node "${shown(name)}" is not a node name: expected ${NODE_NAME_RULE}`);
        continue;
      }
      const lower = name.toLowerCase();
      const earlier = ctx.draft.nodes.find((n) => n.value === lower);
      if (earlier) {
        ctx.diag.error(ctx.source, `node ${shown(name)} is already declared at line ${earlier.source.line}`);
        continue;
      }
      ctx.draft.nodes.push({ value: lower, source: ctx.source });
    }
  },
};

function parseAutoFailback(text: string): Parsed<AutoFailback> {
  if (text.toLowerCase() === 'legacy') return { ok: true, value: 'legacy' };
  const flag = parseBoolean(text);
  return flag.ok ? { ok: true, value: flag.value ? 'on' : 'off' } : { ok: false, expected: 'on, off or legacy' };
}

/** The obsolete form: `nice_failback on` meant `auto_failback off`, `off` meant `legacy`. */
const niceFailback: Directive = {
  name: 'nice_failback',
  handle(args, ctx) {
    const text = oneValue('nice_failback', args, ctx);
    if (text === undefined) return;
    const flag = parseBoolean(text);
    if (!flag.ok) {
      ctx.diag.error(ctx.source, `nice_failback ${shown(text)}: expected ${flag.expected}`);
      return;
    }
    const meaning: AutoFailback = flag.value ? 'off' : 'legacy';
    ctx.diag.warning(ctx.source, `nice_failback is obsolete; read as "auto_failback ${meaning}": write that instead`);
    record('autoFailback', 'nice_failback', meaning, ctx);
  },
};

const logfacility = valueDirective('logfacility', 'logfacility', (text): Parsed<string> =>
  (SYSLOG_FACILITIES as readonly string[]).includes(text)
    ? { ok: true, value: text }
    : { ok: false, expected: `a syslog facility: ${SYSLOG_FACILITIES.join(', ')}` },
);

const absolutePath = (what: string) => (text: string): Parsed<string> =>
  text.startsWith('/') ? { ok: true, value: text } : { ok: false, expected: `an absolute path for the ${what}` };

const msgfmt = valueDirective('msgfmt', 'msgfmt', (text): Parsed<'classic' | 'netstring'> =>
  text === 'classic' || text === 'netstring'
    ? { ok: true, value: text }
    : { ok: false, expected: 'classic or netstring' },
);

/** `env NAME=value`: exported to resource scripts as HA_NAME, as Heartbeat does. */
const env: Directive = {
  name: 'env',
  handle(args, ctx) {
    for (const pair of args) {
      const eq = pair.indexOf('=');
      const name = eq > 0 ? pair.slice(0, eq) : '';
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        ctx.diag.error(ctx.source, `env ${shown(pair)}: expected NAME=value (it becomes HA_NAME for resource scripts)`);
        continue;
      }
      ctx.draft.env[`HA_${name}`] = pair.slice(eq + 1);
    }
  },
};

export const optionDirectives: Directive[] = [
  cluster,
  node,
  durationDirective('keepalive', 'keepaliveMs'),
  durationDirective('deadtime', 'deadtimeMs'),
  durationDirective('warntime', 'warntimeMs'),
  durationDirective('initdead', 'initdeadMs'),
  durationDirective('deadping', 'deadpingMs'),
  durationDirective('fence_delay', 'fenceDelayMs', false),
  valueDirective('udpport', 'udpPort', (t) => parseInteger(t, 1, 65535)),
  valueDirective('baud', 'baud', parseBaud),
  valueDirective('auto_failback', 'autoFailback', parseAutoFailback),
  niceFailback,
  msgfmt,
  logfacility,
  valueDirective('logfile', 'logfile', absolutePath('log file')),
  valueDirective('debugfile', 'debugfile', absolutePath('debug file')),
  valueDirective('debug', 'debugLevel', (t) => parseInteger(t, 0, 255)),
  env,
];
