// Reads a Heartbeat configuration directory (ha.cf, haresources, authkeys) into one Config.
import { readFile, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { assemble } from './assemble';
import { parseAuthkeys } from './authkeys';
import { Diagnostics } from './diagnostics';
import { parseHaCf } from './hacf';
import { parseHaresources } from './haresources';
import { checkMachine, defaultTrackedInterfaces, thisMachine, type MachineView } from './machine';
import type { AuthConfig, Config, Diagnostic } from './types';

export type * from './types';
export { formatDiagnostic } from './diagnostics';

export interface LoadOptions {
  /** This node's name; default `uname -n`. */
  node?: string;
  /** Problems of this machine (missing interface, script, device) are errors, not warnings. */
  strict?: boolean;
  /** What the machine checks look at; default this machine. */
  machine?: MachineView;
}

/** `config` / `auth` are present only when no error was found; `diagnostics` lists everything. */
export interface ConfigResult {
  config?: Config;
  diagnostics: Diagnostic[];
}

export interface AuthkeysResult {
  auth?: AuthConfig;
  diagnostics: Diagnostic[];
}

async function readText(path: string, diag: Diagnostics, hint: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    diag.error({ file: path, line: 0 }, `cannot read (${code}): ${hint}`);
    return undefined;
  }
}

async function readAuthkeysInto(dir: string, diag: Diagnostics): Promise<AuthConfig | undefined> {
  const file = join(dir, 'authkeys');
  const content = await readText(file, diag, 'it holds the heartbeat keys: "auth 1" then "1 sha256 SECRET", mode 600');
  if (content === undefined) return undefined;
  const { mode } = await stat(file);
  return parseAuthkeys(content, file, mode, diag);
}

/** Only authkeys, for tools (such as `twinbeat decode`) that need nothing else. */
export async function loadAuthkeys(dir: string): Promise<AuthkeysResult> {
  const diag = new Diagnostics();
  const auth = await readAuthkeysInto(dir, diag);
  return { ...(auth && !diag.hasErrors ? { auth } : {}), diagnostics: diag.list };
}

export async function loadConfig(dir: string, options: LoadOptions = {}): Promise<ConfigResult> {
  const diag = new Diagnostics();
  const localNode = (options.node ?? hostname()).toLowerCase();
  const haCfFile = join(dir, 'ha.cf');
  const haCf = await readText(haCfFile, diag, 'it names the nodes, the heartbeat paths and the timings');
  const draft = parseHaCf(haCf ?? '', haCfFile, diag);
  const haresourcesFile = join(dir, 'haresources');
  const haresources = await readText(haresourcesFile, diag, 'one line per resource group: "node1 192.0.2.50 httpd"');
  const groups = parseHaresources(haresources ?? '', haresourcesFile, draft.nodes.map((n) => n.value), diag);
  const auth = await readAuthkeysInto(dir, diag);
  const config = haCf === undefined ? undefined : assemble({ dir, haCfFile, localNode, draft, groups, auth }, diag);
  if (config) {
    const machine = options.machine ?? thisMachine();
    if (!draft.trackInterfaces) config.trackInterfaces = defaultTrackedInterfaces(config.groups, machine);
    for (const problem of checkMachine(config, machine)) {
      // A serial adapter not plugged in yet is the link's to wait for, not a reason to stay down.
      if (options.strict && !problem.comesAndGoes) diag.error(problem.source, problem.message);
      else diag.warning(problem.source, problem.comesAndGoes && options.strict ? `${problem.message}; its path stays dead until it appears (twinbeat keeps trying to open it)` : problem.message);
    }
  }
  return { ...(config && !diag.hasErrors ? { config } : {}), diagnostics: diag.list };
}
