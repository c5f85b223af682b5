// A group that will not stop (a stop script that fails or hangs until it is killed at its time
// limit). It may still run here, so it must never be started on the peer as if it had stopped,
// and trying the stop again and again only hides the outage. Instead, once, loudly, the
// group's rule (on_stop_failure, Pacemaker's on-fail of the stop operation) decides:
//   fence     this node says so (`resetMe`) and its peer resets it, then takes over as after
//             any reset; meanwhile the group is listed as `stuck` so the peer does not start it;
//   block     the group stays here, marked `stop failed` and listed as `stuck`, until an
//             operator has stopped the service by hand and runs `twinbeat cleanup GROUP`;
//   handover  the group is handed to the peer anyway (services local to each node).
// The shell's stop goes on past a failed resource, so the addresses are removed either way.
// The same holds for a leftover of an earlier run that will not stop at start-up: only that
// group is kept from starting, the heartbeats go on and the peer is told.
import { shoot } from './fencing';
import { decide, decideOnce, peerMarkedFailed, ruleOf, type CoreState, type GroupSlot, type Step } from './state';

export function onStopFailed(st: Step, group: string, slot: GroupSlot, detail: string | undefined): void {
  const s = st.s;
  const facts = { group, detail, leftover: slot.reason === 'leftover' };
  slot.state = 'stop-failed';
  slot.stopFailed = true;
  switch (ruleOf(s, group)) {
    case 'fence':
      decide(st, 'stop-failed-fence', facts);
      return;
    case 'handover':
      // Handed over as any group is: never to a peer that is not up, nor where it failed its checks.
      if (slot.token && !(s.contact === 'alive' && s.peer.view && !peerMarkedFailed(s, group))) {
        decide(st, 'stop-failed-kept', facts);
        return;
      }
      if (slot.token) slot.giveAway = true;
      decide(st, 'stop-failed-hand-over', facts);
      return;
    case 'block':
      decide(st, 'stop-failed-block', facts);
  }
}

/**
 * `twinbeat cleanup GROUP`: the operator says the service is really stopped. Says which stop
 * failure was forgotten: this node's, or that of a peer that left (no longer heard, so only
 * this node's operator can speak for it); null if none.
 */
export function forgetStopFailure(st: Step, group: string, slot: GroupSlot): 'here' | 'peer' | null {
  const s = st.s;
  if (slot.stopFailed) {
    slot.stopFailed = false;
    if (slot.state === 'stop-failed') slot.state = 'released';
    return 'here';
  }
  if (s.contact !== 'alive' && s.peer.stuck.includes(group)) {
    s.peer.stuck = s.peer.stuck.filter((g) => g !== group);
    return 'peer';
  }
  return null;
}

/** The peer said it cannot stop these groups: it may still run them. */
export function peerStuck(st: Step, group: string): boolean {
  const s = st.s;
  if (s.contact === 'alive') return s.peer.view?.stuck?.includes(group) ?? false;
  return s.contact === 'left' && s.peer.stuck.includes(group);
}

/** Whether the peer's current run asks to be reset (said in its last view; kept after it left). */
function peerAsksReset(s: CoreState): boolean {
  if (s.contact === 'alive') return s.peer.view?.resetMe === true;
  return s.contact === 'left' && s.peer.resetMe;
}

/** When this node next resets a peer that asked for it, or null (for nextDeadline). */
export function askedResetAt(s: CoreState): number | null {
  return peerAsksReset(s) && s.config.canResetPeer && s.fence.phase === 'idle' && s.mode !== 'leaving' ? s.askedReset.nextAt : null;
}

/**
 * The peer cannot stop a group and asks to be reset: reset it (its result decides, as after any
 * reset). A reset that fails is tried again after a pause that doubles, each time said.
 */
export function stopFailureTimers(st: Step): void {
  const s = st.s;
  const c = s.config;
  if (!peerAsksReset(s) || s.mode === 'leaving') return;
  if (!c.canResetPeer) {
    decideOnce(st, 'not-taking-peer-stuck', { groups: s.peer.stuck });
    return;
  }
  if (s.fence.phase !== 'idle' || st.now < s.askedReset.nextAt) return;
  s.askedReset.attempts += 1;
  const askedFrom = s.contact === 'left' ? 'left' : 'alive';
  s.contact = 'lost';
  s.fence = { phase: 'delay', until: st.now, attempts: 0, first: true, lostAt: st.now, askedFrom };
  shoot(st, 'reset-asked-for', { groups: s.peer.stuck, figures: { attempt: s.askedReset.attempts } });
}

/** A group stuck here while nobody can act on it: said once, with what the operator can do. */
export function reportStuckGroups(st: Step): void {
  const s = st.s;
  const c = s.config;
  if (s.contact === 'alive') return;
  for (const g of c.groups) {
    const slot = s.groups[g.id]!;
    if (!slot.stopFailed || ruleOf(s, g.id) !== 'fence') continue;
    decideOnce(st, 'stuck-no-one-to-reset', { group: g.id });
  }
}
