// Reads ha.cf line by line through the directive table.
import { Diagnostics } from './diagnostics';
import { DIRECTIVES } from './directives';
import { emptyDraft, type HaCfDraft } from './draft';
import { nearest } from './suggest';
import { meaningfulLines, splitWords, unreadableWords } from './text';
import { shown } from '../printable';

export function parseHaCf(content: string, file: string, diag: Diagnostics): HaCfDraft {
  const draft = emptyDraft();
  for (const { line, text } of meaningfulLines(content)) {
    const words = splitWords(text);
    const [name = '', ...args] = words;
    const source = { file, line };
    const unreadable = unreadableWords(words);
    if (unreadable !== undefined) {
      diag.error(source, unreadable);
      continue;
    }
    const directive = DIRECTIVES.get(name);
    if (!directive) {
      const guess = nearest(name, [...DIRECTIVES.keys()]);
      diag.error(source, `unknown directive "${shown(name)}"${guess ? `; did you mean "${guess}"?` : ''}`);
      continue;
    }
    directive.handle(args, { draft, diag, source });
  }
  return draft;
}
