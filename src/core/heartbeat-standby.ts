// Heartbeat's standby exchange (`ask_resources`), the one way groups move between a twinbeat node
// and a Heartbeat 3.0 peer while both run (hb_standby, hb_takeover, auto_failback). The node
// going standby says `me` (with what it gives, from its own point of view), the other answers
// `other`, the giver releases and says `done`, the taker acquires and says `done`. A group is
// started here only after the giver said `done`, and stopped here only after the taker said
// `other`: nobody is asked to run what the other may still run, and nothing is given up to a
// node that has not agreed to take it.
import { BITS, groupsOfHolding, ourHolding, sendHeartbeat, once, type Exchange, type HeartbeatPeerSlot } from './heartbeat-words';
import type { DecisionCause } from './decisions';
import { decide, log, takeToken, type CoreState, type Step } from './state';
import type { AdminCommand, HeartbeatHolding } from './types';

/** Heartbeat gives up a `me` nobody answered after 10 s (STANDBY_INIT_TO_MS); so do we. */
export const STANDBY_ANSWER_MS = 10_000;

/** A step of the exchange (or hb_takeover) from the peer. */
export function onHandover(st: Step, hb: HeartbeatPeerSlot, type: string, holds: HeartbeatHolding, info: string | undefined, seq: number): void {
  const c = st.s.config;
  if (type === 'hb_takeover') return startGiving(st, hb, flip(holds), `${c.peer} asked for them (hb_takeover)`, 'peer-asked');
  if (type !== 'ask_resources') return;
  if (info === 'me') return offerToTake(st, hb, holds, seq);
  // A Heartbeat run numbers the giver's `done` above its `me`: one numbered below is an earlier exchange's, held back on a lossy path.
  if (info === 'done' && hb.taking?.phase === 'agreed' && seq > (hb.taking.seq ?? -1)) return acquireGiven(st, hb, hb.taking, seq);
  if (info === 'other' && hb.giving?.phase === 'asked') return releaseAgreed(st, hb, hb.giving);
  if (info === 'done' && hb.giving?.phase === 'released') {
    log(st, 'info', `Other node completed standby takeover of ${hb.giving.holds} resources.`);
    hb.giving = null;
    return;
  }
  once(st, hb, `ask_resources ${info ?? ''} out of turn`, 'warn', `${c.peer} sent a standby step out of turn (ask_resources info=${info} rsc_hold=${holds}): ignored, as Heartbeat ignores one`);
}

/** Their `local` is our `foreign`: hb_takeover names what the asker wants from its own side. */
function flip(holds: HeartbeatHolding): HeartbeatHolding {
  return holds === 'local' ? 'foreign' : holds === 'foreign' ? 'local' : holds;
}

// --- taking: the peer goes standby (its hb_standby, its failback of our groups) ---

function offerToTake(st: Step, hb: HeartbeatPeerSlot, holds: HeartbeatHolding, seq: number): void {
  const s = st.s;
  const why = whyNotTake(st, hb);
  if (why) {
    log(st, 'warn', `${s.config.peer} wants to go standby [${holds}]: not taking its groups (${why}); it keeps them`);
    return;
  }
  hb.taking = { holds, phase: 'agreed', at: st.now, seq };
  log(st, 'info', `${s.config.peer} wants to go standby [${holds}]: taking its groups once it has released them`);
  sendHeartbeat(st, { what: 'standby', holds, info: 'other' });
}

function whyNotTake(st: Step, hb: HeartbeatPeerSlot): string | null {
  const s = st.s;
  if (s.mode !== 'active') return `this node is ${s.mode}`;
  if (s.farewell) return 'this node is shutting down';
  if (!hb.understood || hb.holds === null || !hb.answered) return 'what it holds is not known';
  if (hb.giving) return 'this node is handing groups to it';
  // A `me` while we agreed is ignored, as Heartbeat ignores one ("Standby in progress"): its
  // `done` would be taken for this one's. Once the giver has given its exchange up (10 s), it is a new attempt.
  if (hb.taking?.phase === 'agreed' && st.now - hb.taking.at < STANDBY_ANSWER_MS) return 'a standby exchange is under way';
  if (hb.taking?.phase === 'acquiring') return 'its groups are still being started here';
  return null;
}

function acquireGiven(st: Step, hb: HeartbeatPeerSlot, taking: Exchange, seq: number): void {
  const s = st.s;
  const given = BITS[taking.holds];
  // Its `done` says the release is complete: what it still holds is a fact again, and a
  // `resource` numbered below it (sent again on request, or held back on a path) is older news.
  hb.holds = (hb.holds ?? BITS.all) & ~given;
  hb.resourceSeq = Math.max(hb.resourceSeq, seq);
  hb.settled = true;
  taking.phase = 'acquiring';
  // Heartbeat does not fail a group back to a node that went standby, until that node starts again.
  hb.stoodBy = true;
  for (const id of groupsOfHolding(s, given, s.config.peer)) {
    const slot = s.groups[id]!;
    if (slot.token) {
      // Being released here (a split brain's release crossed the peer's failback): the peer no
      // longer runs it and waits for us to, so it is not handed to a node that just gave it up.
      if (slot.giveAway) {
        slot.giveAway = false;
        decide(st, 'keep-from-heartbeat-standby', { group: id });
      }
      continue;
    }
    takeToken(s, slot);
    decide(st, 'take-from-heartbeat-standby', { group: id });
  }
}

// --- giving: failback to the peer, its hb_takeover, `twinbeat standby` ---

function startGiving(st: Step, hb: HeartbeatPeerSlot, holds: HeartbeatHolding, why: string, cause: DecisionCause): void {
  const s = st.s;
  const groups = heldOf(s, holds);
  const not = whyNotGive(s, hb) ?? (groups.length === 0 ? 'nothing of it runs here' : null);
  if (not) {
    log(st, 'warn', `Not going standby [${holds}] (${why}): ${not}`);
    return;
  }
  // Heartbeat ignores a `me` from a side it last heard unstable (a start that just completed here
  // is not said yet): say the stable holding first.
  const stable = `${ourHolding(s)} 1`;
  if (hb.lastSent !== stable) {
    hb.lastSent = stable;
    sendHeartbeat(st, { what: 'resources', holds: ourHolding(s), stable: true });
  }
  hb.giving = { holds, phase: 'asked', at: st.now, cause };
  log(st, 'info', `${s.config.local} wants to go standby [${holds}] (${why}): asking ${s.config.peer} (Heartbeat) to take ${groups.join(' ')}`);
  sendHeartbeat(st, { what: 'standby', holds, info: 'me' });
}

function whyNotGive(s: CoreState, hb: HeartbeatPeerSlot): string | null {
  if (s.mode !== 'active') return `this node is ${s.mode}`;
  if (s.farewell) return 'this node is shutting down';
  if (!hb.understood || hb.holds === null || !hb.answered) return `what ${s.config.peer} holds is not known`;
  if (hb.stable !== true) return `${s.config.peer} is in a transition`;
  if (hb.taking || hb.giving) return 'an exchange is under way';
  if (s.config.groups.some((g) => s.groups[g.id]!.state === 'starting' || s.groups[g.id]!.state === 'stopping')) return 'a group is starting or stopping here';
  return null;
}

/** The peer is handing the group here in its standby exchange: the exchange decides where it runs. */
export function heartbeatHandingHere(s: CoreState, group: string): boolean {
  const taking = s.heartbeat?.taking;
  return !!taking && groupsOfHolding(s, BITS[taking.holds], s.config.peer).includes(group);
}

/** A Heartbeat peer answered `other` to our standby exchange for a holding that covers the group: it will take it once released. */
export function heartbeatAgreedToTake(s: CoreState, group: string): boolean {
  const giving = s.heartbeat?.giving;
  return giving?.phase === 'releasing' && groupsOfHolding(s, BITS[giving.holds], s.config.local).includes(group);
}

/** The groups of a holding (our point of view) that this node has the right to run. */
function heldOf(s: CoreState, holds: HeartbeatHolding): string[] {
  return groupsOfHolding(s, BITS[holds], s.config.local).filter((id) => s.groups[id]!.token);
}

function releaseAgreed(st: Step, hb: HeartbeatPeerSlot, giving: Exchange): void {
  const s = st.s;
  giving.phase = 'releasing';
  log(st, 'info', `standby: ${s.config.peer} can take our ${giving.holds} resources`);
  for (const id of heldOf(s, giving.holds)) {
    const slot = s.groups[id]!;
    slot.giveAway = true;
    decide(st, 'standby-hand-to-heartbeat', { group: id, cause: giving.cause });
  }
}

/** After the step's decisions: the exchange's next words, its time limit, and failback to the peer. */
export function heartbeatStandbyDuties(st: Step, hb: HeartbeatPeerSlot): void {
  const s = st.s;
  const c = s.config;
  const taking = hb.taking;
  if (taking?.phase === 'acquiring') {
    const ids = groupsOfHolding(s, BITS[taking.holds], c.peer);
    // Done when every group it gave up runs here or failed to (the giver waits for our word either
    // way); one still stopping here (kept from a release the exchange crossed) starts after its stop.
    if (ids.every((id) => !['starting', 'released', 'stopping'].includes(s.groups[id]!.state))) {
      sendHeartbeat(st, { what: 'standby', holds: taking.holds, info: 'done' });
      log(st, 'info', `Standby resource acquisition done [${taking.holds}].`);
      hb.taking = null;
    }
  }
  const giving = hb.giving;
  if (giving?.phase === 'asked' && st.now - giving.at >= STANDBY_ANSWER_MS) {
    log(st, 'warn', 'No reply to standby request.  Standby request cancelled.');
    hb.giving = null;
  } else if (giving?.phase === 'releasing') {
    const ids = groupsOfHolding(s, BITS[giving.holds], c.local);
    // Released: handed over (no token, stopped). A group that would not stop stays here, and so does the exchange.
    if (ids.every((id) => !s.groups[id]!.token && s.groups[id]!.state === 'released')) {
      giving.phase = 'released';
      sendHeartbeat(st, { what: 'resources', holds: ourHolding(s), stable: false, info: 'standby' });
      sendHeartbeat(st, { what: 'standby', holds: giving.holds, info: 'done' });
      log(st, 'info', `Local standby completed [${giving.holds}]: released here, waiting for ${c.peer} to acquire.`);
    }
  }
  failBackToPeer(st, hb);
}

/**
 * auto_failback on: the groups whose home is the peer go back to it once it runs again and is
 * stable, as Heartbeat's own failback does (a standby of our foreign groups) -- but not to a run
 * that went standby itself.
 */
function failBackToPeer(st: Step, hb: HeartbeatPeerSlot): void {
  const s = st.s;
  if (s.config.autoFailback !== 'on' || hb.stoodBy || hb.giving || hb.taking || hb.stable !== true || !hb.understood) return;
  if (heldOf(s, 'foreign').some((id) => s.groups[id]!.state === 'held')) startGiving(st, hb, 'foreign', `auto_failback on: ${s.config.peer} is its home`, 'auto-failback');
}

/**
 * The operator's standby and takeover beside a Heartbeat peer: standby gives everything held
 * here in the exchange; takeover asks the peer to (hb_takeover), which it does by starting one.
 * `takeover --force` is for a silent peer, so it is not this file's.
 */
export function adminWithHeartbeatPeer(st: Step, command: AdminCommand): boolean {
  const s = st.s;
  const hb = s.heartbeat;
  if (!hb || s.contact !== 'alive') return false;
  if (command === 'standby') {
    startGiving(st, hb, 'all', 'twinbeat standby', 'operator');
    return true;
  }
  if (command === 'takeover' || command === 'takeover-force') {
    log(st, 'info', `Asking ${s.config.peer} (Heartbeat) to hand over every group (hb_takeover)`);
    sendHeartbeat(st, { what: 'takeover', holds: 'all' });
    return true;
  }
  return false;
}
