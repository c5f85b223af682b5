// Builds a throw-away configuration directory for a test, and loads it against a fake
// machine, so that results do not depend on the interfaces of the host running the tests.
import { chmodSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatDiagnostic, loadConfig, type Config } from '../../src/config';
import type { MachineView } from '../../src/config/machine';

export const BASE_HA_CF = `# a valid pair: every test changes one thing
keepalive 1
deadtime 10
udpport 694
ucast eth1 198.51.100.2
serial /dev/ttyS1
auto_failback on
node alpha
node beta
`;
export const BASE_HARESOURCES = 'alpha 192.0.2.50/24/eth0 httpd\n';
export const BASE_AUTHKEYS = 'auth 1\n1 sha256 s3cret\n';

export interface ConfigFiles {
  'ha.cf'?: string;
  haresources?: string;
  authkeys?: string;
  authkeysMode?: number;
  /** Extra files, e.g. { 'resource.d/httpd': '#!/bin/sh' }. */
  extra?: Record<string, string>;
}

export function makeConfigDir(files: ConfigFiles = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'twinbeat-config-'));
  writeFileSync(join(dir, 'ha.cf'), files['ha.cf'] ?? BASE_HA_CF);
  writeFileSync(join(dir, 'haresources'), files.haresources ?? BASE_HARESOURCES);
  writeFileSync(join(dir, 'authkeys'), files.authkeys ?? BASE_AUTHKEYS);
  chmodSync(join(dir, 'authkeys'), files.authkeysMode ?? 0o600);
  for (const [name, content] of Object.entries(files.extra ?? {})) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

/** A machine that has eth0 (192.0.2.1/24), eth1 (198.51.100.1/24), /dev/ttyS1 and every script. */
export function fakeMachine(overrides: Partial<MachineView> = {}): MachineView {
  return {
    interfaces: {
      lo: [{ address: '127.0.0.1', family: 4, prefixLength: 8 }],
      eth0: [
        { address: '192.0.2.1', family: 4, prefixLength: 24 },
        { address: '2001:db8::1', family: 6, prefixLength: 64 },
      ],
      eth1: [{ address: '198.51.100.1', family: 4, prefixLength: 24 }],
    },
    fileExists: () => true,
    initDir: '/etc/init.d',
    ...overrides,
  };
}

export interface Checked {
  config?: Config;
  /** Every diagnostic as check-config prints it, with the directory path removed. */
  lines: string[];
  errors: string[];
  warnings: string[];
}

export async function check(files: ConfigFiles = {}, options: { node?: string; strict?: boolean; machine?: MachineView } = {}): Promise<Checked> {
  const dir = makeConfigDir(files);
  const result = await loadConfig(dir, { node: options.node ?? 'alpha', machine: options.machine ?? fakeMachine(), ...(options.strict ? { strict: true } : {}) });
  const lines = result.diagnostics.map((d) => formatDiagnostic(d).replace(`${dir}/`, ''));
  return {
    ...(result.config ? { config: result.config } : {}),
    lines,
    errors: lines.filter((l) => !l.includes(': warning: ')),
    warnings: lines.filter((l) => l.includes(': warning: ')),
  };
}

/** BASE_HA_CF with `line` appended (so it is line 10). */
export const withLine = (line: string): ConfigFiles => ({ 'ha.cf': `${BASE_HA_CF}${line}\n` });
