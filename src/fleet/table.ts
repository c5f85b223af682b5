// The fleet view as text: one line per node, the pair's groups, last failover and flags on the
// pair's first line. Flagged pairs come first (fleetView sorts them).
import type { FleetView, PairView } from './view';

/** "42s", "7m", "3h", "2d": how long ago `iso` was, seen from `now`. */
export function ago(iso: string, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  if (!Number.isFinite(s)) return '?';
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

function rowsOf(pair: PairView, now: Date): string[][] {
  const groups = pair.groups.map((g) => `${g.id}@${g.claimedBy.length > 1 ? g.claimedBy.join('+') : (g.holder ?? '-')}`).join(' ') || '-';
  const failover = pair.lastFailover ? `${pair.lastFailover.node} ${ago(pair.lastFailover.at, now)} ago` : '-';
  const flags = pair.flags.join(', ') || 'ok';
  return pair.nodes.map((n, i) => [
    i === 0 ? pair.cluster : '',
    n.node,
    n.deadPer ? `dead (per ${n.deadPer})` : n.availability,
    n.role,
    n.peerState ?? '-',
    n.paths.map((p) => `${p.name}:${p.state}`).join(' ') || '-',
    i === 0 ? groups : '',
    i === 0 ? failover : '',
    i === 0 ? flags : '',
  ]);
}

const HEADER = ['CLUSTER', 'NODE', 'AVAIL', 'ROLE', 'PEER', 'PATHS', 'GROUPS@HOLDER', 'LAST FAILOVER', 'FLAGS'];

export function renderTable(view: FleetView, now: Date): string {
  const rows = [HEADER, ...view.pairs.flatMap((p) => rowsOf(p, now))];
  const widths = HEADER.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const lines = rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c] ?? 0))).join('  ').trimEnd());
  const incomplete = view.complete ? '' : `, ${view.incomplete} incomplete (loading, or a retained topic missing)`;
  const title = `twinbeat fleet under ${view.prefix}/: ${view.pairs.length} pair${view.pairs.length === 1 ? '' : 's'}, ${view.flagged} flagged${incomplete} (${view.at})`;
  return `${title}\n${lines.join('\n')}\n`;
}
