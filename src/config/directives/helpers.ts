// Small building blocks for directive handlers.
import { shown } from '../../printable';
import { parseDuration, type Parsed } from '../values';
import type { HaCfDraft, Setting } from '../draft';
import type { Directive, DirectiveContext } from './directive';

/** The single value of a one-value directive, or undefined after reporting what is wrong. */
export function oneValue(name: string, args: string[], ctx: DirectiveContext): string | undefined {
  if (args.length === 1) return args[0];
  ctx.diag.error(
    ctx.source,
    args.length === 0 ? `${name} needs a value` : `${name} takes one value, found ${args.length}: ${shown(args.join(' '))}`,
  );
  return undefined;
}

/** Records a setting, reporting a second occurrence (the later one wins, as in Heartbeat). */
export function record<K extends keyof HaCfDraft>(
  key: K,
  name: string,
  value: HaCfDraft[K] extends Setting<infer T> | undefined ? T : never,
  ctx: DirectiveContext,
): void {
  const previous = ctx.draft[key] as Setting<unknown> | undefined;
  if (previous && 'source' in previous) {
    ctx.diag.warning(ctx.source, `${name} is set again (first at line ${previous.source.line}); this value wins`);
  }
  (ctx.draft as unknown as Record<string, Setting<unknown>>)[key] = { value, source: ctx.source };
}

/** A one-value directive whose value goes through `parse` into `key`. */
export function valueDirective<T>(
  name: string,
  key: keyof HaCfDraft,
  parse: (text: string) => Parsed<T>,
): Directive {
  return {
    name,
    handle(args, ctx) {
      const text = oneValue(name, args, ctx);
      if (text === undefined) return;
      const parsed = parse(text);
      if (!parsed.ok) {
        ctx.diag.error(ctx.source, `${name} ${shown(text)}: expected ${parsed.expected}`);
        return;
      }
      record(key, name, parsed.value as never, ctx);
    },
  };
}

export function durationDirective(name: string, key: keyof HaCfDraft, mustBePositive = true): Directive {
  return valueDirective(name, key, (text) => {
    const parsed = parseDuration(text);
    if (parsed.ok && mustBePositive && parsed.value <= 0) return { ok: false, expected: 'a duration above zero' };
    return parsed;
  });
}

/**
 * A directive Heartbeat accepts that has no effect in twinbeat: the value is checked with
 * `parse` when given, then noted so that check-config can say it is not acted on.
 */
export function ignoredDirective(name: string, reason: string, parse?: (text: string) => Parsed<unknown>): Directive {
  return {
    name,
    handle(args, ctx) {
      if (parse) {
        for (const text of args) {
          const parsed = parse(text);
          if (!parsed.ok) {
            ctx.diag.error(ctx.source, `${name} ${shown(text)}: expected ${parsed.expected}`);
            return;
          }
        }
      }
      ctx.draft.ignored.push({ directive: name, reason, source: ctx.source });
    },
  };
}

/** A directive twinbeat refuses, with what to use instead. */
export function refusedDirective(name: string, instead: string): Directive {
  return {
    name,
    handle(_args, ctx) {
      ctx.diag.error(ctx.source, `${name} is not supported by twinbeat: ${instead}`);
    },
  };
}
