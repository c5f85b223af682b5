// Reads a Heartbeat configuration directory (ha.cf, haresources, authkeys) into one Config.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { assemble } from './assemble';
import { parseAuthkeys } from './authkeys';
import { Diagnostics } from './diagnostics';
import { parseHaCf } from './hacf';
import { parseHaresources } from './haresources';
import { readBoundedFile } from './read-file';
import { runningUid, secretFileProblems } from './secret-file';
import { checkMachine, defaultTrackedInterfaces, thisMachine, type MachineView } from './machine';
import type { AuthConfig, Config, Diagnostic } from './types';
import { NODE_NAME_RULE, isNodeName } from './values';
import { shown } from '../printable';

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

/** The file's text, or undefined after reporting why it cannot be used (with what it should hold). */
async function readText(path: string, diag: Diagnostics, hint: string): Promise<{ text: string; uid: number; mode: number } | undefined> {
  const read = await readBoundedFile(path);
  if (read.ok) return { text: read.text, uid: read.stats.uid, mode: read.stats.mode };
  diag.error({ file: path, line: 0 }, `${read.problem}; ${hint}`);
  return undefined;
}

async function readAuthkeysInto(dir: string, diag: Diagnostics): Promise<AuthConfig | undefined> {
  const file = join(dir, 'authkeys');
  const read = await readText(file, diag, 'it holds the heartbeat keys: "auth 1" then "1 sha256 SECRET", owned by root, mode 600');
  if (read === undefined) return undefined;
  for (const problem of secretFileProblems(file, read, runningUid())) diag.error({ file, line: 0 }, problem);
  return parseAuthkeys(read.text, file, diag);
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
  if (!isNodeName(localNode)) {
    // Checked before anything is read: the name goes into every heartbeat and log line.
    diag.error({ file: dir, line: 0 }, `this node's name "${shown(localNode)}" (${options.node === undefined ? '`uname -n`' : '--node'}) is not ${NODE_NAME_RULE}: run with --node NAME`);
    return { diagnostics: diag.list };
  }
  const haCfFile = join(dir, 'ha.cf');
  const haCf = await readText(haCfFile, diag, 'it names the nodes, the heartbeat paths and the timings');
  const draft = parseHaCf(haCf?.text ?? '', haCfFile, diag);
  const haresourcesFile = join(dir, 'haresources');
  const haresources = await readText(haresourcesFile, diag, 'one line per resource group: "node1 192.0.2.50 httpd"');
  const groups = parseHaresources(haresources?.text ?? '', haresourcesFile, draft.nodes.map((n) => n.value), diag);
  const auth = await readAuthkeysInto(dir, diag);
  const config = haCf === undefined ? undefined : assemble({ dir, haCfFile, localNode, draft, groups, auth }, diag);
  if (config) {
    const machine = options.machine ?? (await thisMachine());
    if (!draft.trackInterfaces) config.trackInterfaces = defaultTrackedInterfaces(config.groups, machine);
    for (const problem of checkMachine(config, machine)) {
      // A serial adapter not plugged in yet is the link's to wait for, not a reason to stay down.
      if (options.strict && !problem.comesAndGoes) diag.error(problem.source, problem.message);
      else diag.warning(problem.source, problem.comesAndGoes && options.strict ? `${problem.message}; its path stays dead until it appears (twinbeat keeps trying to open it)` : problem.message);
    }
  }
  return { ...(config && !diag.hasErrors ? { config } : {}), diagnostics: diag.list };
}
