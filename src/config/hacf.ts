// Reads ha.cf line by line through the directive table.
import { Diagnostics } from './diagnostics';
import { DIRECTIVES } from './directives';
import { emptyDraft, type HaCfDraft } from './draft';
import { nearest } from './suggest';
import { meaningfulLines, splitWords } from './text';

export function parseHaCf(content: string, file: string, diag: Diagnostics): HaCfDraft {
  const draft = emptyDraft();
  for (const { line, text } of meaningfulLines(content)) {
    const [name = '', ...args] = splitWords(text);
    const source = { file, line };
    const directive = DIRECTIVES.get(name);
    if (!directive) {
      const guess = nearest(name, [...DIRECTIVES.keys()]);
      diag.error(source, `unknown directive "${name}"${guess ? `; did you mean "${guess}"?` : ''}`);
      continue;
    }
    directive.handle(args, { draft, diag, source });
  }
  return draft;
}
