// Resource monitoring (Pacemaker's monitor operation, keepalived's track_script). Every
// monitor_interval the holder asks the shell to check each group it runs. After
// monitor_failures failed checks in a row the group is restarted in place, once. When it fails
// that many in a row again, it is stopped and marked failed here until an operator clears the
// mark (`twinbeat cleanup GROUP`), and handed to the peer if the peer can run it
// (failover_on_monitor on; handover.ts does the handing). A group failed on both nodes stays
// stopped and says so. With failover_on_monitor off every such run of failures restarts it here.
import { decide, decideOnce, failedHere, forgetFailures, log, type GroupSlot, type Step } from './state';
import { noteHealthChange } from './damping';
import { forgetStopFailure } from './stop-failure';

export function monitorIntervalMs(st: Step): number {
  return st.s.config.monitorIntervalMs ?? 0;
}

/** A start completed here: checks begin one interval later; a fresh start earns a new restart. */
export function startedHere(st: Step, slot: GroupSlot): void {
  slot.heldSince = st.now;
  slot.checkAt = st.now + monitorIntervalMs(st);
  slot.misses = 0;
  if (slot.reason !== 'restart') slot.restarted = false;
}

export function monitorTimers(st: Step): void {
  const s = st.s;
  if (monitorIntervalMs(st) <= 0 || s.mode === 'leaving') return;
  for (const g of s.config.groups) {
    const slot = s.groups[g.id]!;
    if (!slot.token || slot.state !== 'held' || slot.giveAway || slot.checking || st.now < slot.checkAt) continue;
    slot.checking = true;
    slot.checkSentAt = st.now;
    st.out.push({ type: 'check-group', group: g.id });
  }
}

export function onCheckResult(st: Step, group: string, ok: boolean, detail?: string): void {
  const s = st.s;
  const c = s.config;
  const slot = s.groups[group];
  if (!slot?.checking) return;
  slot.checking = false;
  // The group was stopped, or stopped and started again, while the check ran: its answer is old.
  if (!slot.token || slot.state !== 'held' || slot.giveAway || slot.heldSince > slot.checkSentAt) return;
  slot.checkAt = st.now + monitorIntervalMs(st);
  if (ok) {
    if (slot.misses > 0) log(st, 'info', `Resource group ${group} passes its check again`);
    slot.misses = 0;
    return;
  }
  const needed = c.monitorFailures ?? 1;
  slot.misses += 1;
  const count = needed > 1 ? ` (${slot.misses} of ${needed} in a row)` : '';
  log(st, 'error', `Resource group ${group} failed its check${count}: ${detail || 'no detail'}`);
  if (slot.misses < needed) return;
  slot.misses = 0;
  if (!slot.restarted || c.failoverOnMonitor === false) {
    slot.restarted = true;
    stopFor(st, group, slot, 'restart');
    decide(st, 'restart-in-place', { group, stays: c.failoverOnMonitor === false });
    return;
  }
  slot.monitorFailed = true;
  stopFor(st, group, slot, 'monitor');
  const view = s.contact === 'alive' ? s.peer.view : null;
  decide(st, 'stop-failed-checks', { group, handing: !!view && view.mode === 'active' && !view.failed.includes(group) });
}

function stopFor(st: Step, group: string, slot: GroupSlot, reason: 'restart' | 'monitor'): void {
  slot.state = 'stopping';
  slot.reason = reason;
  st.out.push({ type: 'stop-group', group });
}

/** `twinbeat cleanup GROUP`: the group's failures here are forgotten; if it is ours and stopped, it starts. */
export function onCleanup(st: Step, group: string): void {
  const s = st.s;
  const slot = s.groups[group];
  if (!slot) {
    log(st, 'warn', `Cleanup refused: no resource group ${group} (groups: ${s.config.groups.map((g) => g.id).join(' ')})`);
    return;
  }
  const stuck = forgetStopFailure(st, group, slot);
  const failed = stuck === 'here' || failedHere(slot, st.now);
  // A mark cleaned up is a health cause cleared: a failback here waits for the hold-down.
  if (slot.monitorFailed) noteHealthChange(st, `${group} (cleaned up)`);
  forgetFailures(slot);
  slot.misses = 0;
  if (stuck === 'peer') {
    decide(st, 'cleanup-peer-stop-failure', { group });
    return;
  }
  decide(st, failed ? 'cleanup-failures' : 'cleanup-nothing', { group });
}

/**
 * A group this node may run but will not, because it failed here, and nobody else runs it
 * either: said once, loudly, with what the operator can do.
 */
export function reportStoppedGroups(st: Step): void {
  const s = st.s;
  const c = s.config;
  for (const g of c.groups) {
    const slot = s.groups[g.id]!;
    const stuck = slot.token && slot.monitorFailed && !slot.giveAway && (slot.state === 'failed' || slot.state === 'released');
    if (!stuck) continue;
    const view = s.contact === 'alive' ? s.peer.view : null;
    const peerIs = view?.failed.includes(g.id) ? 'failed-too' : view?.mode === 'standby' ? 'standby' : 'not-up';
    decideOnce(st, 'stays-stopped', { group: g.id, peerIs });
  }
}
