// Which node runs each group. While in contact, the right to run a group (the token) moves
// only by message: the holder stops the group, and only when the stop has completed does it
// hand the group over (release-done, and `granted` in every later message until taken up).
// A group nobody holds is claimed by its home node alone, so two nodes never claim at once.
// Without contact, groups are taken only when the peer is known not to run them: it was reset,
// it said it was leaving, or (no reset device, Heartbeat v1) it was silent for deadtime.
import { decide, decideOnce, giveUpToken, isRunning, log, nextEpoch, peerMarkedFailed, ruleOf, senderView, takeToken, type GroupSlot, type Step } from './state';
import type { CoreGroup } from './types';
import type { DecisionCode } from './decisions';
import { peerCarrierWorse, peerReach } from './connectivity';
import { cameForHealth, failbackSettled, recordMove, updateFlapping } from './damping';
import { startedHere } from './monitoring';
import { sendNotice } from './notices';
import { heartbeatAgreedToTake, heartbeatHandingHere } from './heartbeat-standby';
import { heartbeatPeerKeeps } from './heartbeat-words';
import { onStopFailed, peerStuck } from './stop-failure';

export function placeGroups(st: Step): void {
  const s = st.s;
  // A failback waiting for its hold-down sets it again below (damping.ts), for nextDeadline.
  s.holdUntil = null;
  // Leaving, everything handed over: nothing is claimed or started again before the exit.
  if (s.exited || s.farewell) return;
  const takeAll =
    s.contact === 'dead' || s.contact === 'reset' || s.contact === 'left' || (s.forced && s.contact !== 'alive');
  for (const g of s.config.groups) {
    const slot = s.groups[g.id]!;
    if (s.contact === 'alive') placeWithPeer(st, g, slot);
    // A node that is shutting down claims nothing, even what a leaving or dead peer gave up.
    else if (takeAll && !slot.token && s.mode !== 'leaving') {
      // Except what a leaving peer could not stop: it may still run there.
      if (s.contact === 'left' && peerStuck(st, g.id)) notTakingLeftStuck(st, g.id);
      else {
        takeToken(s, slot);
        decide(st, takeAllCode(st), { group: g.id });
      }
    }
    drive(st, g, slot);
  }
}

function notTakingLeftStuck(st: Step, id: string): void {
  decideOnce(st, 'not-taking-left-stuck', { group: id });
}

/** Why every group is taken without the peer's word. */
function takeAllCode(st: Step): DecisionCode {
  const s = st.s;
  if (s.contact === 'reset') return 'take-from-reset-peer';
  if (s.contact === 'left') return 'take-from-leaving-peer';
  if (s.contact === 'dead') return 'take-from-dead-peer';
  return 'take-forced';
}

function placeWithPeer(st: Step, g: CoreGroup, slot: GroupSlot): void {
  const s = st.s;
  const c = s.config;
  const view = s.peer.view;
  if (!view) return; // Nothing heard from the peer's current run yet: nothing is decided on old news.
  const peerHolds = view.held.includes(g.id);
  const peerGrants = view.granted.includes(g.id);
  const peerFailed = view.failed.includes(g.id);

  const peerEpoch = view.epochs[g.id] ?? 0;
  if (!slot.token && peerGrants && peerEpoch > slot.epoch) {
    takeToken(s, slot, peerEpoch);
    decide(st, 'take-handed-over', { group: g.id });
    // Handed over by a peer in standby while this node was in standby too (a standby there
    // after a takeover left this one in standby): the later command wins, this node is active.
    if (s.mode === 'standby' && view.mode === 'standby') {
      s.mode = 'active';
      decide(st, 'leave-standby', { group: g.id });
    }
  }
  // Learn how often it changed hands, so that our next grant or claim is newer than anything
  // seen. A grant of ours still waiting to be taken up is re-stamped above what the peer has,
  // or the peer would take it for an old one and nobody would run the group.
  if (peerEpoch > slot.epoch) slot.epoch = slot.grantedTo !== 0 && !slot.token ? nextEpoch(s, peerEpoch) : peerEpoch;
  if (slot.grantedTo !== 0 && peerHolds) slot.grantedTo = 0;
  // A group the peer could not stop may still run there: nobody claims it (stop-failure.ts).
  if (!slot.token && !peerHolds && !peerGrants && !peerStuck(st, g.id) && slot.grantedTo === 0 && g.home === c.local) {
    takeToken(s, slot);
    decide(st, 'acquire', { group: g.id });
  }
  if (!slot.token || slot.giveAway) return;
  // It would not stop here: it stays until cleanup or a reset, whatever else would move it.
  if (slot.stopFailed) return;

  if (peerHolds) {
    // Only after contact was lost without a reset (or a forced takeover): the home node keeps it.
    if (slot.monitorFailed && !isRunning(slot.state)) {
      // It will not run here until cleanup, and the peer runs it: ours is given up (no grant).
      slot.giveAway = true;
      decide(st, 'split-brain-leave-there', { group: g.id });
    } else if (g.home !== c.local && peerMarkedFailed(s, g.id)) {
      decideOnce(st, 'split-brain-keep', { group: g.id, home: g.home });
    } else if (g.home !== c.local) {
      slot.giveAway = true;
      decide(st, 'split-brain-release', { group: g.id, home: g.home });
    } else if (heartbeatPeerKeeps(s) && !heartbeatHandingHere(s, g.id)) {
      // A Heartbeat peer that will not give it up (heartbeat-words.ts): the home node's right to
      // keep it would leave two holders for good.
      slot.giveAway = true;
      decide(st, 'split-brain-release-to-heartbeat', { group: g.id });
    }
    return;
  }
  // A standby hands its groups over even to a peer in standby (which leaves standby by taking
  // them); nothing else hands a group to a peer that is not active.
  if (view.mode === 'leaving' || (view.mode !== 'active' && s.mode !== 'standby')) return;
  if (c.autoFailback === 'on' && g.home === c.peer && s.mode === 'active') updateFlapping(st, g, slot);
  if (s.mode === 'standby') {
    if (peerMarkedFailed(s, g.id)) {
      decideOnce(st, 'standby-keep-failed-there', { group: g.id });
      return;
    }
    slot.giveAway = true;
    decide(st, 'standby-hand-over', { group: g.id });
  } else if (
    c.autoFailback === 'on' &&
    g.home === c.peer &&
    !peerFailed &&
    !peerStuck(st, g.id) &&
    !reachesFewer(st) &&
    !peerCarrierWorse(st) &&
    failbackSettled(st, g, slot)
  ) {
    // Not while the home node is still releasing a leftover of the group (stuck): that may not stop.
    slot.giveAway = true;
    slot.healthMove = cameForHealth(slot);
    decide(st, 'failback', { group: g.id });
  } else if (slot.failedUntil > st.now && !peerFailed) {
    slot.giveAway = true;
    decide(st, 'hand-over-failed-start', { group: g.id });
  } else if (slot.monitorFailed && slot.state !== 'stopping' && !peerFailed) {
    slot.giveAway = true;
    slot.healthMove = true;
    decide(st, 'hand-over-failed-checks', { group: g.id });
  }
}

/** With ping nodes: the peer reaches fewer targets than this node, so failback would make things worse. */
function reachesFewer(st: Step): boolean {
  const theirs = peerReach(st);
  return theirs !== undefined && st.s.reach >= 0 && theirs < st.s.reach;
}

/** Start what we have the right to run; stop what we are giving away; hand over once stopped. */
function drive(st: Step, g: CoreGroup, slot: GroupSlot): void {
  const s = st.s;
  if (!slot.token) return;
  // A failed start is tried again after failedRetryMs; a group that failed its checks waits for an operator.
  if (slot.state === 'failed' && slot.failedUntil <= st.now && !slot.monitorFailed && !slot.giveAway) slot.state = 'released';
  if (s.mode === 'leaving' || slot.giveAway) {
    if (slot.state === 'held') {
      slot.state = 'stopping';
      slot.reason = s.mode === 'leaving' ? 'shutdown' : 'handover';
      log(st, 'info', `Releasing resource group: ${g.line}`);
      st.out.push({ type: 'stop-group', group: g.id });
    } else if ((slot.state === 'released' || slot.state === 'failed' || (slot.state === 'stop-failed' && ruleOf(s, g.id) === 'handover')) && s.mode !== 'leaving') {
      handOver(st, g, slot);
    }
    return;
  }
  // Heard, but the peer has not yet said what it runs (it does not know our generation): after
  // a split brain both may have the right to a group, so nothing starts until we know.
  if (s.contact === 'alive' && !s.peer.view) return;
  // Never start what the peer says it runs: after a split brain the home node waits here
  // until the other node's stop has completed.
  if (s.contact === 'alive' && s.peer.view!.held.includes(g.id)) return;
  // Nor what the peer could not stop (it may still run there), even once it has left.
  if (peerStuck(st, g.id)) {
    if (s.contact === 'left') notTakingLeftStuck(st, g.id);
    return;
  }
  if (slot.state === 'released' && slot.failedUntil <= st.now && !slot.monitorFailed) {
    slot.state = 'starting';
    if (slot.reason === 'restart') {
      log(st, 'info', `Starting resource group ${g.id} again (restart in place)`);
    } else {
      slot.reason = 'takeover';
      log(st, 'info', `Taking over resource group ${g.id}`);
    }
    st.out.push({ type: 'start-group', group: g.id });
  }
}

function handOver(st: Step, g: CoreGroup, slot: GroupSlot): void {
  const s = st.s;
  const view = s.peer.view;
  slot.giveAway = false;
  const health = slot.healthMove;
  slot.healthMove = false;
  // A Heartbeat peer that agreed to take it in our standby exchange takes it, whatever a late,
  // older word of it says meanwhile (the view withheld): the exchange decides, not a transient view.
  if (s.contact !== 'alive' || (!view && !heartbeatAgreedToTake(s, g.id))) {
    decide(st, 'keep-peer-gone', { group: g.id });
    return;
  }
  giveUpToken(slot);
  if (view?.held.includes(g.id)) return; // The peer runs it already (split brain resolved).
  slot.grantedTo = s.peer.boot;
  slot.epoch = nextEpoch(s, slot.epoch);
  if (health) recordMove(st, slot);
  sendNotice(st, { kind: 'release-done', groups: [g.id], ...senderView(s, st.now) });
  log(st, 'info', `Resource group ${g.id} released: handed to ${s.config.peer}`);
}

export function onGroupResult(st: Step, group: string, action: 'start' | 'stop', ok: boolean, detail?: string): void {
  const s = st.s;
  const slot = s.groups[group];
  if (!slot) {
    log(st, 'warn', `Result for unknown resource group ${group} ignored`);
    return;
  }
  if (action === 'start') {
    if (slot.state !== 'starting') return;
    if (ok) {
      slot.state = 'held';
      slot.startFailed = false;
      startedHere(st, slot);
      log(st, 'info', `Resource group ${group} is running here`);
      return;
    }
    // Part of it may be up (the address, say): stop it all before anyone else may start it.
    slot.state = 'stopping';
    slot.reason = 'cleanup';
    slot.failedUntil = st.now + s.config.failedRetryMs;
    slot.startFailed = true;
    decide(st, 'start-failed', { group, detail, figures: { failedRetryMs: s.config.failedRetryMs } });
    st.out.push({ type: 'stop-group', group });
    return;
  }
  if (slot.state !== 'stopping') return;
  if (!ok) {
    // A group that may still run must not be handed over, nor stopped again and again in silence.
    onStopFailed(st, group, slot, detail);
    return;
  }
  const leftover = slot.reason === 'leftover';
  // Failed here and still ours: `failed` until retried or cleaned up. Given up meanwhile (a
  // shutdown hands everything over while stops run): released, the marks keep the failure.
  slot.state = slot.token && (slot.reason === 'cleanup' || slot.reason === 'monitor') ? 'failed' : 'released';
  // A leftover's release says what it found in the shell's log; nothing at all is the usual case.
  if (!leftover) log(st, 'info', `Resource group ${group} stopped`);
}

/** The peer stopped all its groups and is going away: take everything now, not after deadtime. */
export function onPeerLeft(st: Step, boot: number): void {
  const s = st.s;
  s.contact = 'left';
  s.peer.goneBoot = boot;
  s.peer.view = null;
  // A reset the peer asked for that is under way cannot be called back: its result decides.
  if (!(s.fence.phase === 'resetting' && s.fence.askedFrom)) s.fence = { ...s.fence, phase: 'idle', until: 0 };
  log(st, 'info', `Received shutdown notice from '${s.config.peer}'.`);
}

/** hb_takeover on the peer: it wants every group; this node goes standby so nothing fails back. */
export function onReleaseRequest(st: Step, groups: string[]): void {
  const s = st.s;
  // Leaving hands over everything anyway; in standby the request was heard already (it is repeated until answered).
  if (s.mode !== 'active') return;
  s.mode = 'standby';
  decide(st, 'release-asked', { groups });
}

export function runningGroups(st: Step): string[] {
  return st.s.config.groups.filter((g) => isRunning(st.s.groups[g.id]!.state)).map((g) => g.id);
}
