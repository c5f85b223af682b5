// Collects every problem found in a configuration, so check-config can print them all at once.
import { escapeControls } from '../printable';
import type { Diagnostic, SourceLine } from './types';

/**
 * The most problems kept. A real configuration has a handful; a 1 MiB file of one repeated bad
 * line would give 80,000, megabytes of stderr and of the SIGHUP log. Past this they are counted.
 */
export const MAX_DIAGNOSTICS = 100;

export class Diagnostics {
  private readonly kept: Diagnostic[] = [];
  private dropped: { count: number; errors: number; first?: SourceLine } = { count: 0, errors: 0 };

  error(source: SourceLine, message: string): void {
    this.add({ ...source, severity: 'error', message });
  }

  warning(source: SourceLine, message: string): void {
    this.add({ ...source, severity: 'warning', message });
  }

  private add(d: Diagnostic): void {
    if (this.kept.length < MAX_DIAGNOSTICS) {
      this.kept.push(d);
      return;
    }
    this.dropped.count++;
    if (d.severity === 'error') this.dropped.errors++;
    this.dropped.first ??= { file: d.file, line: d.line };
  }

  /** What was found, in order; past MAX_DIAGNOSTICS, one last line says how many more. */
  get list(): Diagnostic[] {
    const { count, errors, first } = this.dropped;
    if (count === 0 || !first) return this.kept;
    const message = `${count} more problem${count === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'}) from here on, not shown: mend the ones above first`;
    return [...this.kept, { ...first, severity: errors > 0 ? 'error' : 'warning', message }];
  }

  get hasErrors(): boolean {
    return this.dropped.errors > 0 || this.kept.some((d) => d.severity === 'error');
  }
}

/**
 * `file:line: message`, `file:line: warning: message`; line 0 stands for the whole file.
 * Escaped as a whole: the messages quote the files, and the files may hold any byte.
 */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}` : d.file;
  return escapeControls(`${where}: ${d.severity === 'warning' ? 'warning: ' : ''}${d.message}`);
}
