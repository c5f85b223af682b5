// A peer that runs Heartbeat 3.0 (`crm no`) instead of twinbeat: the first step of a rolling
// migration (issue 24; docs/heartbeat-peer.md). Its frames arrive as HeartbeatNews. This file
// keeps what they say (which run, what it holds, whether it is understood), answers in
// Heartbeat's words (`starting`, `resource`), and gives the rest of the core what a twinbeat
// peer's message would: liveness through onMessage, and a view of the groups it holds.
//
// Safety first: until the peer has said what it holds (its `resource` answer to our `starting`),
// or once it said something twinbeat does not understand, its view is withheld, and without a
// view the core claims nothing from a peer it hears (handover.ts). Groups move while both run
// only through Heartbeat's standby exchange (heartbeat-standby.ts): the view's mode is `standby`,
// to which the rest of the core hands nothing by twinbeat's own hand-over messages.
import { onMessage } from './liveness';
import { heartbeatStandbyDuties, onHandover } from './heartbeat-standby';

export { adminWithHeartbeatPeer } from './heartbeat-standby';
import { BITS, FOREIGN, freshSlot, groupsOfHolding, once, ourHolding, PARTITION_RESTART_MS, RQSTDELAY_MS, SEEN_SEQS, sendHeartbeat, type HeartbeatPeerSlot } from './heartbeat-words';
import { log, mayRun, type CoreState, type Step } from './state';
import type { HeartbeatHolding, HeartbeatNews, Message, SenderView } from './types';

export type { HeartbeatPeerSlot } from './heartbeat-words';

/**
 * A message in twinbeat's words from the peer: it runs twinbeat now (the second step of a
 * migration), so nothing more is said to it in Heartbeat's words.
 */
export function forgetHeartbeatPeer(st: Step): void {
  if (!st.s.heartbeat) return;
  st.s.heartbeat = null;
  log(st, 'info', `${st.s.config.peer} runs twinbeat now: no longer speaking Heartbeat's words with it`);
}

/** A frame from a Heartbeat peer: learn from it, answer it, and let liveness and placement see it. */
export function onHeartbeatNews(st: Step, path: string, news: HeartbeatNews): void {
  const s = st.s;
  const c = s.config;
  // A run older than the peer's newest (a twinbeat run that replaced it, say): old news.
  if (news.generation < s.peer.generation) return;
  if (!s.heartbeat) {
    s.heartbeat = freshSlot(news.generation, []);
    log(st, 'info', `${c.peer} runs Heartbeat 3.0, not twinbeat: pairing with it in Heartbeat's own words (see docs/heartbeat-peer.md)`);
  }
  if (news.generation < s.heartbeat.generation) return; // an older run: old news, and not a sign of life
  const sameRun = news.generation === s.heartbeat.generation && s.heartbeat.seen.length > 0;
  if (news.generation > s.heartbeat.generation) s.heartbeat = freshSlot(news.generation, s.heartbeat.said);
  const hb = s.heartbeat;
  // The same run heard while judged dead here: it may or may not have judged us dead (see
  // heartbeatPeerKeeps; a run that started meanwhile never knew ours, which `answered` tells).
  // What both run now, we took: whether it took something before it knew us no longer matters.
  if (sameRun && s.contact === 'dead') {
    hb.partitionedAt = st.now;
    hb.askedAfterPartition = false;
    hb.keepsAfterPartition = false;
    hb.tookOverUnknowing = false;
  }
  const newest = hb.seen.length > 0 ? Math.max(...hb.seen) : 0;
  if (!hb.seen.includes(news.seq) && news.seq > newest - SEEN_SEQS) {
    hb.seen = [...hb.seen, news.seq].slice(-SEEN_SEQS);
    hb.viewSeq++;
    learn(st, hb, news, news.seq > newest);
  }
  askWhatItHolds(st, hb);
  onMessage(st, path, asMessage(s, hb, news));
}

/**
 * Our `starting`, which a Heartbeat peer answers with what it holds. Its resource manager answers
 * only once it is active (before that it has not registered for resource messages, and drops
 * them), and a peer that cannot hear us (a cable cut one way) never does: while it has not
 * answered, ask again every two keepalives. A view left in transition for RQSTDELAY (a settling
 * `resource` lost past what retransmission repairs) is asked again too, and so is a peer that
 * never answers, which is also said once; and a run heard again after a partition, once it would
 * have restarted had it judged us dead.
 */
function askWhatItHolds(st: Step, hb: HeartbeatPeerSlot): void {
  const c = st.s.config;
  if (hb.status !== 'active' || !hb.understood || hb.taking || hb.giving) return;
  const since = hb.startingAt;
  // After a partition, a Heartbeat peer that keeps what it holds says nothing more unless asked.
  const afterPartition = pastRestartDelay(st, hb) && !hb.keepsAfterPartition && !hb.askedAfterPartition;
  const due =
    since === null ||
    afterPartition ||
    (hb.awaitingAnswer && st.now - since >= 2 * c.keepaliveMs) ||
    (hb.holds !== null && !hb.settled && st.now - Math.max(since, hb.resourceAt) >= RQSTDELAY_MS);
  if (afterPartition) hb.askedAfterPartition = true;
  if (due) {
    hb.startingAt = st.now;
    hb.firstStartingAt ??= st.now;
    hb.awaitingAnswer = true;
    hb.resourcesDue = true;
    sendHeartbeat(st, { what: 'starting' });
  }
  if (hb.holds === null && hb.firstStartingAt !== null && st.now - hb.firstStartingAt >= RQSTDELAY_MS) {
    once(
      st,
      hb,
      'never answers starting',
      'error',
      `${c.peer} (Heartbeat) has not said what it holds ${RQSTDELAY_MS / 1000} s after our \`starting\`: it may run auto_failback legacy (nice_failback off), which never says so; twinbeat claims nothing from it while it is heard: set auto_failback to on or off in ha.cf on both nodes`,
    );
  }
}

function learn(st: Step, hb: HeartbeatPeerSlot, news: HeartbeatNews, newest: boolean): void {
  const c = st.s.config;
  switch (news.what) {
    case 'status':
      // A status sent again on request (NS_rexmit) is older than one taken already.
      if (newest) hb.status = news.status;
      break;
    case 'starting':
      hb.resourcesDue = true;
      break;
    case 'resources': {
      // Its `resource`s are numbered in the order it said them: one below the last taken is older news.
      if (news.seq < hb.resourceSeq) {
        once(st, hb, 'stale resource', 'info', `${c.peer} sent a resource message numbered below news already taken (held back on a path, or sent again on request): older news, ignored`);
        break;
      }
      hb.resourceSeq = news.seq;
      hb.resourceAt = st.now;
      // mach_down's own message (no rtype) is its takeover of a node it judged dead, never an
      // answer; before any answer, that node was not this run of ours as far as it knew.
      if (!news.full && !hb.answered) hb.tookOverUnknowing = true;
      // The answer to our `starting` (Heartbeat answers with a full word without `info`; its
      // scripts' words carry one, `req_our_resources()`, `standby`, `shutdown`): say our holding
      // after it (see awaitingAnswer).
      if (hb.awaitingAnswer && news.full && !news.info) {
        hb.awaitingAnswer = false;
        // A first answer that holds groups of ours: a run can hold them only by taking over from
        // a node it judged dead (or by our standby, which needs an answer first), so it took
        // them before it knew this run (its mach_down word may have been lost on the way).
        if (!hb.answered && BITS[news.holds] & FOREIGN) hb.tookOverUnknowing = true;
        hb.answered = true;
        hb.resourcesDue = true;
      }
      const before = `${hb.holds} ${hb.settled}`;
      hb.holds = holdingAfter(hb.holds, news.holds, news.full, news.stable);
      hb.settled = news.full && news.stable !== false;
      if (news.stable !== undefined) hb.stable = news.stable;
      if (pastRestartDelay(st, hb) && hb.settled && hb.stable) hb.keepsAfterPartition = true;
      if (before !== `${hb.holds} ${hb.settled}`) {
        const settled = hb.settled;
        const groups = groupsOfHolding(st.s, hb.holds, c.peer);
        const why = [`rsc_hold=${news.holds}`, ...(news.info ? [news.info] : []), ...(settled ? [] : ['in transition: nothing is claimed or given up here until it is stable'])].join(', ');
        log(st, 'info', `${c.peer} (Heartbeat) ${settled ? 'holds' : 'may hold'} ${groups.length > 0 ? groups.join(' ') : 'no group'} (${why})`);
      }
      break;
    }
    case 'nodes':
      for (const node of news.nodes.filter((n) => !c.nodes.includes(n))) {
        hb.understood = false;
        once(st, hb, `node ${node}`, 'error', `${c.peer} lists node ${node} in its cluster: twinbeat runs a pair (${c.nodes.join(' and ')}), so ${c.peer}'s view of who holds what is not understood; ${c.peer} is heard, so nothing is taken over from it while it is heard`);
      }
      break;
    case 'handover':
      onHandover(st, hb, news.type, news.holds, news.info, news.seq);
      break;
    case 'crm':
      hb.understood = false;
      once(st, hb, 'crm', 'error', `${c.peer} runs Heartbeat with crm yes (Pacemaker; it sent t=${news.type}): twinbeat pairs only with crm no; ${c.peer} is heard but not understood, so nothing is taken over from it while it is heard`);
      break;
    case 'unknown':
      hb.understood = false;
      once(st, hb, `t=${news.type}`, 'warn', `${c.peer} sent a Heartbeat message twinbeat does not understand (t=${news.type}: ${news.detail}): ${c.peer} is heard but not understood, so nothing is taken over from it while it is heard`);
      break;
    case 'shutdone':
      // Sent once its release is complete: it holds nothing now, whatever an older word says.
      hb.holds = 0;
      hb.resourceSeq = Math.max(hb.resourceSeq, news.seq);
      break;
    case 'routine':
      break;
    case 'ipfail':
      // Its ipfail waits for an ipfail here to answer; none does, so it gives nothing up for
      // ping nodes, and twinbeat's own ping rule needs a twinbeat peer's count: ping nodes move
      // nothing in a mixed pair. Failover, hand-over and failback are not affected.
      once(
        st,
        hb,
        'ipfail',
        'info',
        `${c.peer} runs ipfail (it sent t=${news.type}): twinbeat does not answer ipfail, so ping nodes move no group between ${c.local} and ${c.peer} until ${c.peer} runs twinbeat too; power loss, stops, standby and failback are unaffected`,
      );
      break;
  }
}

/**
 * What the peer may hold after a `resource` message. Heartbeat says the holding it is moving to
 * when a transition begins (`rsc_hold=none isstable=0 info=shutdown` comes before its scripts
 * stop anything), so only a stable full update can take groups away; an unstable one, or the
 * mach_down script's (no rtype), only adds. Before the first stable word, what it held is unknown:
 * all of it, as far as claims go.
 */
export function holdingAfter(before: number | null, said: HeartbeatHolding, full: boolean, stable: boolean | undefined): number {
  if (full && stable !== false) return BITS[said];
  return (before ?? BITS.all) | BITS[said];
}

/** Heard again after a partition, long enough ago that a peer which judged us dead would be restarting by now. */
function pastRestartDelay(st: Step, hb: HeartbeatPeerSlot): boolean {
  return hb.partitionedAt !== null && st.now - hb.partitionedAt >= PARTITION_RESTART_MS;
}

/** What the rest of the core sees: a twinbeat message with the view a Heartbeat peer's words support. */
/**
 * What the peer holds: what it said, and, while it gives us groups in its standby exchange, those
 * too until its `done` (not those that run here: an exchange for `all` names them too; but one
 * whose right this node kept after stopping it, a split brain's release, may still run there). Its
 * `isstable` reflects its resources, not the release its standby script is still doing, so a
 * stable word in the middle says nothing of them: only `done` does.
 */
function heldByPeer(s: CoreState, hb: HeartbeatPeerSlot): string[] {
  const said = groupsOfHolding(s, hb.holds!, s.config.peer);
  const giving = hb.taking?.phase === 'agreed' ? groupsOfHolding(s, BITS[hb.taking.holds], s.config.peer).filter((id) => !mayRun(s.groups[id]!.state)) : [];
  return [...new Set([...said, ...giving])];
}

function asMessage(s: CoreState, hb: HeartbeatPeerSlot, news: HeartbeatNews): Message {
  // Withheld while it is in a transition too: what it holds then is a direction, not a fact, and a
  // view that said it holds our group would make the rest of the core release it (handover.ts).
  // And until it answered our `starting`: what reached us before may be an older word held back
  // on a path (a Heartbeat node drops a `resource` that comes before its own `starting`).
  const known = hb.understood && hb.holds !== null && hb.settled && hb.answered;
  const view: SenderView = {
    generation: news.generation,
    // In the order its frames changed what we know (see `seen`): a copy repeats the number and only proves its path.
    seq: hb.viewSeq,
    // Heartbeat has no challenge: its run is known by its generation (older ones are dropped
    // above), and it is joined as a twinbeat from before boot numbers would be, by naming ours.
    ackGeneration: s.generation,
    // The view counts only when it is complete: a withheld one keeps the core from claiming anything.
    ...(known ? {} : { withheld: true }),
    mode: 'standby',
    held: known ? heldByPeer(s, hb) : [],
    granted: [],
    failed: [],
    epochs: {},
    fenceInMs: -1,
  };
  // shutdone comes after everything was released (`resource rsc_hold=none info=shutdown`): the peer left.
  return news.what === 'shutdone' ? { kind: 'shutdown', ...view } : { kind: 'heartbeat', ...view };
}

/**
 * After the step's decisions: tell a Heartbeat peer what we hold when it asked or when that
 * changed; when this node is leaving with everything stopped, say so as Heartbeat does, so that
 * the peer takes over at once.
 */
export function heartbeatPeerDuties(st: Step): void {
  const s = st.s;
  const hb = s.heartbeat;
  // A peer judged dead ends any standby exchange with it, as Heartbeat cancels one ("Cancelling
  // pending standby operation"): otherwise this node would say it is unstable for good once the
  // peer is heard again, and the peer waits for a stable word before giving its copy up.
  if (hb && s.contact !== 'alive' && (hb.taking || hb.giving)) {
    hb.taking = null;
    hb.giving = null;
    log(st, 'info', `Cancelling the standby exchange with ${s.config.peer}: it is not heard`);
  }
  if (!hb || hb.startingAt === null || s.contact !== 'alive' || s.exited) return;
  if (s.farewell) {
    if (hb.shutdoneSent) return;
    hb.shutdoneSent = true;
    sendHeartbeat(st, { what: 'resources', holds: 'none', stable: false, info: 'shutdown' });
    sendHeartbeat(st, { what: 'shutdone' });
    // Heartbeat answers shutdone with nothing (it sends its own once, on every medium): said is done.
    s.farewell.acked = true;
    log(st, 'info', `Told ${s.config.peer} (Heartbeat) that all HA resources here are released (shutdone).`);
    return;
  }
  heartbeatStandbyDuties(st, hb);
  const holds = ourHolding(s);
  // Stable: no group starting or stopping here, and no standby exchange under way.
  const stable =
    !hb.giving &&
    !hb.taking &&
    s.config.groups.every((g) => {
      const state = s.groups[g.id]!.state;
      return state !== 'starting' && state !== 'stopping';
    });
  const said = `${holds} ${stable ? 1 : 0}`;
  if (!hb.resourcesDue && said === hb.lastSent) return;
  hb.resourcesDue = false;
  hb.lastSent = said;
  sendHeartbeat(st, { what: 'resources', holds, stable });
}
