// twinbeat's own directives for resource operations (Heartbeat v1 had no time limits at all):
//   resource_timeout [NAME] [start|stop|status] T    a time limit (Pacemaker's op timeout)
//   on_stop_failure [GROUP] fence|block|handover     what a stop that fails does (Pacemaker's on-fail)
// They live in ha.cf because haresources has no room for options: a Heartbeat user's
// haresources stays as it is. Names are checked against haresources later (assemble.ts).
import { parseDuration } from '../values';
import type { ResourceOp, StopFailureRule } from '../types';
import type { Directive } from './directive';

const OPS: readonly ResourceOp[] = ['start', 'stop', 'status'];
const RULES: readonly StopFailureRule[] = ['fence', 'block', 'handover'];

const resourceTimeout: Directive = {
  name: 'resource_timeout',
  handle(args, ctx) {
    const usage = 'resource_timeout [NAME] [start|stop|status] T, e.g. "resource_timeout 20s" or "resource_timeout httpd stop 2min" as "resource_timeout httpd stop 120"';
    if (args.length === 0 || args.length > 3) {
      ctx.diag.error(ctx.source, `expected ${usage}`);
      return;
    }
    const words = [...args];
    const parsed = parseDuration(words.pop()!);
    if (!parsed.ok || parsed.value <= 0) {
      ctx.diag.error(ctx.source, `resource_timeout ${args.join(' ')}: the last word must be ${parsed.ok ? 'a duration above zero' : parsed.expected}`);
      return;
    }
    const op = words.length > 0 && OPS.includes(words[words.length - 1] as ResourceOp) ? (words.pop() as ResourceOp) : undefined;
    if (words.length > 1) {
      ctx.diag.error(ctx.source, `resource_timeout ${args.join(' ')}: "${words[1]}" is not start, stop or status; expected ${usage}`);
      return;
    }
    if (parsed.value < 1000) ctx.diag.warning(ctx.source, `resource_timeout ${args.join(' ')}: under 1 s, most scripts would be killed before they finish`);
    ctx.draft.operationLimits.push({ ...(words[0] !== undefined ? { target: words[0] } : {}), ...(op ? { op } : {}), ms: parsed.value, source: ctx.source });
  },
};

const onStopFailure: Directive = {
  name: 'on_stop_failure',
  handle(args, ctx) {
    const rule = args[args.length - 1] as StopFailureRule;
    if (args.length === 0 || args.length > 2 || !RULES.includes(rule)) {
      ctx.diag.error(ctx.source, `expected on_stop_failure [GROUP] fence|block|handover (block is the safe choice without a reset device), found "${args.join(' ')}"`);
      return;
    }
    ctx.draft.stopFailure.push({ ...(args.length === 2 ? { group: args[0]! } : {}), rule, source: ctx.source });
  },
};

export const operationDirectives: Directive[] = [resourceTimeout, onStopFailure];
