// `twinbeat status [--json]`: asks the running agent and prints a short table, like cl_status
// or crm_mon would: each node, each path, each group and its holder, the last decision and why.
import { parseArgs } from 'node:util';
import { askAgent, DEFAULT_RUN_DIR } from '../control/client';
import type { StatusSnapshot } from '../snapshot';
import type { Command } from './command';
import { askAndPrint } from './control-command';

function ago(ms: number | undefined): string {
  if (ms === undefined) return 'never heard';
  if (ms < 1000) return `heard ${Math.round(ms)} ms ago`;
  return `heard ${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s ago`;
}

/** A run of the peer that does not answer this node's challenge is heard but not joined: say so, it is not "never heard". */
function unanswered(ms: number | undefined): string {
  return ms === undefined ? '' : `; a run of it that has not answered this node's challenge ${ago(ms)} (does it hear this node?)`;
}

function uptime(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}

function failedNote(g: StatusSnapshot['groups'][number]): string {
  const stuck = g.stopFailedOn ?? [];
  if (stuck.length > 0) return `, STOP FAILED on ${stuck.join(' and ')}: the service may still run there; stop it by hand, then \`twinbeat cleanup ${g.id}\` (or a reset of that node ends it)`;
  if (g.failedOn.length === 0) return '';
  if (g.failedOn.length === 2 && g.holder === null) return `, FAILED on both nodes: stopped until \`twinbeat cleanup ${g.id}\` on one of them`;
  return `, FAILED on ${g.failedOn.join(' and ')} (\`twinbeat cleanup ${g.id}\` there to try again)`;
}

export function formatStatus(s: StatusSnapshot): string {
  const rows: [string, string][] = [
    ['cluster', `${s.cluster}, twinbeat ${s.version}, generation ${s.generation}, up ${uptime(s.uptimeS)}`],
    ['node', `${s.node} (this node): ${s.role}`],
    ['node', `${s.peer.node}: ${s.peer.state}${s.peer.state === 'unknown' ? '' : `, ${ago(s.peer.lastHeardAgoMs)}`}${s.peer.software === 'heartbeat' ? ' (runs Heartbeat 3.0)' : ''}${unanswered(s.peer.unansweredAgoMs)}`],
    ...s.paths.map((p): [string, string] => ['path', `${p.name} (${p.id}): ${p.state}, ${ago(p.lastHeardAgoMs)}`]),
    ...s.groups.map((g): [string, string] => [
      'group',
      `${g.id} (home ${g.home}): ${g.holder ? `held by ${g.holder}` : 'held by nobody'}${g.state !== 'held' && g.state !== 'released' ? `, ${g.state} here` : ''}${failedNote(g)}${g.flapping ? `, ${g.flapping}` : ''}`,
    ]),
  ];
  if (s.resetDevice) rows.push(['reset', `${s.resetDevice.description}: ${s.resetDevice.ok ? 'ready' : `NOT READY: ${s.resetDevice.detail}`}`]);
  for (const problem of s.problems ?? []) rows.push(['PROBLEM', problem]);
  if (s.lastDecision) rows.push(['decision', `${s.lastDecision.at}: ${s.lastDecision.text}, because ${s.lastDecision.reason}`]);
  const counters = Object.entries(s.counters).filter(([, n]) => n > 0);
  if (counters.length) rows.push(['counters', counters.map(([k, n]) => `${k} ${n}`).join(', ')]);
  return rows.map(([k, v]) => `${k.padEnd(9)}${v}\n`).join('');
}

const runDirOption = { 'run-dir': { type: 'string' as const, default: DEFAULT_RUN_DIR } };

export const statusCommand: Command = {
  summary: 'show the running agent\'s nodes, paths, groups and last decision (--json)',
  async run(args) {
    const { values } = parseArgs({ args, options: { ...runDirOption, json: { type: 'boolean', default: false } }, strict: true });
    const reply = await askAgent(values['run-dir'] as string, { command: 'status' });
    if (!reply.ok) {
      process.stderr.write(`twinbeat status: ${reply.error}\n`);
      return 1;
    }
    const snapshot = reply.result as StatusSnapshot;
    process.stdout.write(values.json ? `${JSON.stringify(snapshot, null, 2)}\n` : formatStatus(snapshot));
    return 0;
  },
};

/** `twinbeat standby` / `twinbeat takeover [--force]`: hand the groups over, or take them. */
export async function runAdminCommand(command: 'standby' | 'takeover', args: string[]): Promise<number> {
  const options = command === 'takeover' ? { ...runDirOption, force: { type: 'boolean' as const, default: false } } : runDirOption;
  const { values } = parseArgs({ args, options, strict: true });
  const force = (values as { force?: boolean }).force === true;
  return askAndPrint(command, values['run-dir'] as string, { command, ...(force ? { force } : {}) });
}
