// Operator commands (hb_standby, hb_takeover) and graceful shutdown.
import { operatorFence } from './fencing';
import { runningGroups } from './handover';
import { repeatForMs, sendNotice } from './notices';
import { decide, forgetFailures, giveUpToken, log, nextEpoch, senderView, stuckHere, type Step } from './state';
import type { AdminCommand } from './types';

export function onAdmin(st: Step, command: AdminCommand): void {
  const s = st.s;
  const peer = s.config.peer;
  if (s.mode === 'leaving') {
    decide(st, 'refused-shutting-down', { command });
    return;
  }
  if (command === 'fence') {
    operatorFence(st);
    return;
  }
  if (command === 'standby') {
    if (s.contact !== 'alive') {
      decide(st, 'standby-refused');
      return;
    }
    s.mode = 'standby';
    s.request = null; // An earlier takeover's request no longer stands.
    decide(st, 'standby');
    return;
  }
  s.mode = 'active';
  // The operator wants the groups here: a start that failed here before may be tried again.
  for (const slot of Object.values(s.groups)) forgetFailures(slot);
  if (s.contact === 'alive') {
    const wanted = s.peer.view?.held ?? [];
    decide(st, 'takeover-asked', { groups: wanted });
    s.request = [...wanted];
    sendNotice(st, { kind: 'release-request', groups: wanted, ...senderView(s, st.now) });
    return;
  }
  if (s.contact === 'dead' || s.contact === 'reset' || s.contact === 'left') {
    decide(st, 'takeover-unopposed');
    return;
  }
  if (command === 'takeover-force') {
    s.forced = true;
    s.fence = { ...s.fence, phase: 'idle', until: 0 };
    decide(st, 'takeover-forced');
    return;
  }
  decide(st, 'takeover-refused');
}

export function onShutdownRequest(st: Step): void {
  const s = st.s;
  if (s.mode === 'leaving') return;
  s.mode = 'leaving';
  log(st, 'info', 'Giving up all HA resources.');
  decide(st, 'shutting-down');
}

/**
 * Once nothing runs any more, hand every group to the peer in one shutdown notice, then wait
 * (two keepalives at most) for the peer to acknowledge it before exiting: the process must not
 * end while the notice may still be unsent or lost, or the peer waits a whole deadtime.
 */
export function finishShutdownIfDone(st: Step): void {
  const s = st.s;
  if (s.mode !== 'leaving' || s.exited) return;
  if (s.farewell) return awaitAcknowledgement(st);
  if (runningGroups(st).length > 0) return;
  // Sent even when the peer is not heard: it costs nothing, and a peer that hears it knows at
  // once that nothing runs here.
  const tellPeer = s.peer.boot !== 0;
  for (const g of s.config.groups) {
    const slot = s.groups[g.id]!;
    if (slot.token) {
      giveUpToken(slot);
      // A group that would not stop is not given away (unless its rule says handover): the
      // notice lists it as stuck, and the peer resets this node or leaves it (stop-failure.ts).
      slot.grantedTo = tellPeer && !stuckHere(s, g.id) ? s.peer.boot : 0;
      slot.epoch = nextEpoch(s, slot.epoch);
    }
  }
  log(st, 'info', 'All HA resources relinquished.');
  s.farewell = { until: st.now + repeatForMs(s), acked: false };
  sendNotice(st, { kind: 'shutdown', ...senderView(s, st.now) });
  // Nobody is heard who could answer: nothing to wait for.
  if (s.contact !== 'alive') exit(st);
}

function awaitAcknowledgement(st: Step): void {
  const s = st.s;
  const peer = s.config.peer;
  if (s.farewell!.acked) {
    // A Heartbeat peer was told in its own words, which it does not answer (heartbeat-peer.ts).
    if (!s.heartbeat) log(st, 'info', `${peer} acknowledged the shutdown notice.`);
    exit(st);
  } else if (s.contact !== 'alive') {
    exit(st);
  } else if (st.now >= s.farewell!.until) {
    log(st, 'warn', `${peer} did not acknowledge the shutdown notice within ${repeatForMs(s)} ms: exiting anyway (if it missed the notice, it takes over after deadtime)`);
    exit(st);
  }
}

function exit(st: Step): void {
  st.s.exited = true;
  st.out.push({ type: 'exit' });
}
