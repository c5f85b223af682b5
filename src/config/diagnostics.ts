// Collects every problem found in a configuration, so check-config can print them all at once.
import { escapeControls } from '../printable';
import type { Diagnostic, SourceLine } from './types';

export class Diagnostics {
  readonly list: Diagnostic[] = [];

  error(source: SourceLine, message: string): void {
    this.list.push({ ...source, severity: 'error', message });
  }

  warning(source: SourceLine, message: string): void {
    this.list.push({ ...source, severity: 'warning', message });
  }

  get hasErrors(): boolean {
    return this.list.some((d) => d.severity === 'error');
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
