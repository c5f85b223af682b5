// The one entry point. Checks what holds for every event (the run has started, time moved
// forward, a stall shows as a jump), hands the event to the file for its situation, then
// lets the timers, the fencing and the group placement catch up, and sends the heartbeat due.
import { onAdmin, onShutdownRequest, finishShutdownIfDone } from './admin';
import { fencingAfterStall, fencingTimers, onResetResult } from './fencing';
import { onGroupResult, placeGroups } from './handover';
import { announceAfterContact, livenessTimers, onMessage } from './liveness';
import { adminWithHeartbeatPeer, forgetHeartbeatPeer, heartbeatPeerDuties, onHeartbeatNews } from './heartbeat-peer';
import { probeTimers } from './probe';
import { carrierRule, connectivityTimers, onCarrier, onReachability } from './connectivity';
import { monitorTimers, onCheckResult, onCleanup, reportStoppedGroups } from './monitoring';
import { nextSlotAfter, noticeTimers, periodicMessage } from './notices';
import { reportStuckGroups, stopFailureTimers } from './stop-failure';
import { cloneState, log, type CoreState, type Step } from './state';
import type { CoreEvent, StepResult } from './types';

/** A gap between events longer than this means the node did not run (CPU stall, suspend). */
export function stallThresholdMs(s: CoreState): number {
  return 2 * s.config.keepaliveMs;
}

export function step(state: CoreState, event: CoreEvent): StepResult<CoreState> {
  if (state.exited) return { state, effects: [] };
  if (event.type !== 'start' && state.generation === 0) {
    // Before `start` nothing is known, not even our generation: ignore rather than guess.
    return { state, effects: [] };
  }
  const st: Step = { s: cloneState(state), now: event.now, out: [], standing: [] };
  const s = st.s;
  if (event.type === 'start') {
    onStart(st, event.generation, event.boot ?? event.generation, event.releasing ?? []);
  } else {
    noticeStall(st);
    s.lastEventAt = Math.max(s.lastEventAt, event.now);
    switch (event.type) {
      case 'tick':
        break;
      case 'message':
        if (event.message.generation >= s.peer.generation) forgetHeartbeatPeer(st);
        onMessage(st, event.path, event.message);
        break;
      case 'heartbeat-peer':
        onHeartbeatNews(st, event.path, event.news);
        break;
      case 'admin':
        if (!adminWithHeartbeatPeer(st, event.command)) onAdmin(st, event.command);
        break;
      case 'group-result':
        onGroupResult(st, event.group, event.action, event.ok, event.detail);
        break;
      case 'reset-result':
        onResetResult(st, event.ok, event.detail);
        break;
      case 'shutdown':
        onShutdownRequest(st);
        break;
      case 'carrier':
        onCarrier(st, event.down);
        break;
      case 'reachability':
        onReachability(st, event.reachable);
        break;
      case 'check-result':
        onCheckResult(st, event.group, event.ok, event.detail);
        break;
      case 'cleanup':
        onCleanup(st, event.group);
        break;
    }
  }
  livenessTimers(st);
  probeTimers(st);
  fencingTimers(st);
  stopFailureTimers(st);
  connectivityTimers(st);
  carrierRule(st);
  placeGroups(st);
  reportStoppedGroups(st);
  reportStuckGroups(st);
  monitorTimers(st);
  announceAfterContact(st);
  finishShutdownIfDone(st);
  heartbeatPeerDuties(st);
  noticeTimers(st);
  s.standing = st.standing;
  if (!s.exited && st.now >= s.nextHeartbeatAt) {
    st.out.push({ type: 'send', message: periodicMessage(s, st.now) });
    s.nextHeartbeatAt = nextSlotAfter(s, st.now);
  }
  return { state: s, effects: st.out };
}

function onStart(st: Step, generation: number, boot: number, releasing: string[]): void {
  const s = st.s;
  const c = s.config;
  // What an earlier run may have left running is being released by the shell: until its
  // result, the group may run here, so nobody starts it (see stop-failure.ts for a failure).
  for (const id of releasing) {
    const slot = s.groups[id];
    if (!slot) continue;
    slot.state = 'stopping';
    slot.reason = 'leftover';
  }
  s.generation = generation;
  s.boot = boot;
  s.startedAt = s.lastEventAt = s.resumedAt = s.nextHeartbeatAt = st.now;
  log(st, 'info', `twinbeat starting on ${c.local}: generation ${generation}, peer ${c.peer}, ${c.paths.length} path(s)`);
  if (!c.canResetPeer) {
    log(
      st,
      'warn',
      `No reset device can reset ${c.peer}: if every path fails, both nodes may run the same groups (Heartbeat v1 behaviour). Configure stonith_host for safe takeover.`,
    );
  }
  if (c.autoFailbackWasLegacy) {
    log(st, 'warn', 'auto_failback legacy is read as auto_failback on (each group returns to its home node); set it explicitly in ha.cf');
  }
}

/** A node that did not run for a while must not blame the silence on its peer. */
function noticeStall(st: Step): void {
  const s = st.s;
  const gap = st.now - s.lastEventAt;
  if (gap <= stallThresholdMs(s)) {
    // Events come at least once a keepalive (a heartbeat is always due within one), so a longer
    // gap means the shell was held up, and the peer's messages may be waiting behind this event
    // (Node runs an overdue timer before it reads the sockets). Silence is judged only after
    // they had one keepalive to be read.
    if (gap > 1.5 * s.config.keepaliveMs) s.graceUntil = st.now + s.config.keepaliveMs;
    return;
  }
  s.resumedAt = st.now;
  const c = s.config;
  log(st, 'warn', `No event for ${gap} ms (CPU stall or clock jump): giving ${c.peer} a fresh deadtime before judging it`);
  fencingAfterStall(st);
}
