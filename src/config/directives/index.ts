// The table of every ha.cf directive twinbeat knows. A later feature adds its directive by
// adding an entry to one of these lists.
import type { Directive } from './directive';
import { compatDirectives } from './compat';
import { mediaDirectives } from './media';
import { mqttDirectives } from './mqtt';
import { healthDirectives } from './health';
import { optionDirectives } from './options';
import { stonithHost } from './reset';
import { operationDirectives } from './operations';

export type { Directive, DirectiveContext } from './directive';

export const DIRECTIVES: ReadonlyMap<string, Directive> = new Map(
  [...optionDirectives, ...mediaDirectives, stonithHost, ...compatDirectives, ...mqttDirectives, ...healthDirectives, ...operationDirectives].map((d) => [d.name, d]),
);
