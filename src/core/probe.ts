// The duplicate-address probe ahead of a takeover (issue 23). Before it adds a VIP, the shell
// checks that nobody on the LAN answers for it (30 ms of listening); after a power loss that
// check was the largest part of the takeover. The peer's silence is known before it is judged:
// when it has been silent on every path for deadtime - probeLeadMs, this node asks the shell to
// probe now the addresses of the groups it would take over, once per silence. The start that
// may follow uses the answer only if it is fresh and says that nobody answered; otherwise it
// probes again, as before. Nothing is taken over earlier: the decision is still deadtime's.
import { silentFor } from './liveness';
import type { CoreState, Step } from './state';

/** Groups the peer's death would bring here: released here (the peer holds them, or nobody does). */
function groupsToProbe(s: CoreState): string[] {
  return s.config.groups.filter((g) => s.groups[g.id]?.state === 'released').map((g) => g.id);
}

/** Whether a probe is wanted for the silence now running at all (leaving the lead aside). */
function wanted(s: CoreState): boolean {
  const c = s.config;
  // With a reset device the takeover waits for the reset, long after any probe could be fresh.
  return (c.probeLeadMs ?? 0) > 0 && !c.canResetPeer && !s.exited && !s.farewell && s.contact === 'alive' && s.probedSilence !== s.peer.lastHeardAt;
}

/** How long before deadtime the probe runs: probeLeadMs, never more than half of deadtime. */
function leadMs(c: CoreState['config']): number {
  return Math.min(c.probeLeadMs ?? 0, c.deadtimeMs / 2);
}

/** When the next probe is due (for nextDeadline), or null. */
export function probeDue(s: CoreState): number | null {
  if (!wanted(s) || groupsToProbe(s).length === 0) return null;
  const c = s.config;
  return Math.max(Math.max(s.peer.lastHeardAt, s.resumedAt) + c.deadtimeMs - leadMs(c), s.graceUntil);
}

export function probeTimers(st: Step): void {
  const s = st.s;
  if (!wanted(s)) return;
  const c = s.config;
  if (silentFor(st, s.peer.lastHeardAt) < c.deadtimeMs - leadMs(c)) return;
  const groups = groupsToProbe(s);
  if (groups.length === 0) return;
  s.probedSilence = s.peer.lastHeardAt;
  for (const group of groups) st.out.push({ type: 'probe-group', group });
}
