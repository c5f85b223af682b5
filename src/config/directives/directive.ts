import type { Diagnostics } from '../diagnostics';
import type { HaCfDraft } from '../draft';
import type { SourceLine } from '../types';

export interface DirectiveContext {
  draft: HaCfDraft;
  diag: Diagnostics;
  source: SourceLine;
}

/**
 * One ha.cf directive: `args` are the words after its name. A handler records what it reads
 * into the draft or reports through `diag`; it never throws.
 */
export interface Directive {
  name: string;
  handle(args: string[], ctx: DirectiveContext): void;
}
