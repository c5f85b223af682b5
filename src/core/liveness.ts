// Peer and path liveness: what a message from the peer tells us, and what silence does.
// A path is up while it delivered within deadtime; the peer is alive while some path did.
import { learnMoves } from './damping';
import { onPeerLost, cancelFencing } from './fencing';
import { onPeerLeft, onReleaseRequest } from './handover';
import { acknowledgeShutdown } from './notices';
import { decide, log, takeToken, type Step } from './state';
import type { Message, SenderView } from './types';

/**
 * Silence is measured from the last message or from the end of our own stall, whichever is
 * later; during a late event's grace (see step.ts) it counts as none yet.
 */
export function silentFor(st: Step, since: number): number {
  if (st.now < st.s.graceUntil) return 0;
  return st.now - Math.max(since, st.s.resumedAt);
}

export function onMessage(st: Step, pathId: string, msg: Message): void {
  const s = st.s;
  const c = s.config;
  const path = s.paths[pathId];
  if (!path) {
    log(st, 'warn', `Message from ${c.peer} on unknown path ${pathId} ignored`);
    return;
  }
  // A generation we reset, or that said goodbye, or that was replaced: its messages are old news.
  if (msg.generation <= s.peer.goneGeneration || msg.generation < s.peer.generation) {
    // Except that a leaving peer repeats its notice until it hears our acknowledgement: it may
    // have missed the first one (a copy of the same notice on another path needs none).
    if (msg.kind === 'shutdown' && s.contact === 'left' && msg.generation === s.peer.goneGeneration && msg.seq > s.peer.lastSeq) {
      s.peer.lastSeq = msg.seq;
      acknowledgeShutdown(st);
    }
    return;
  }

  path.lastHeardAt = st.now;
  const pathName = c.paths.find((p) => p.id === pathId)!.name;
  if (path.up === false) st.contactRegained ??= `link ${pathName} is up again`;
  if (s.contact === 'lost' || s.contact === 'dead') st.contactRegained = `${c.peer} is heard again`;
  if (path.up !== true) {
    path.up = true;
    log(st, 'info', `Link ${c.peer}:${pathName} up.`);
  }
  if (msg.generation > s.peer.generation) join(st, msg.generation);

  if (s.contact === 'alive') {
    const interval = st.now - Math.max(s.peer.lastHeardAt, s.resumedAt);
    if (interval > c.warntimeMs) log(st, 'warn', `Late heartbeat: Node ${c.peer}: interval ${interval} ms`);
  }
  s.peer.lastHeardAt = st.now;
  if (s.contact !== 'alive') becomeAlive(st);

  // Duplicates and messages overtaken on a faster path prove the path works, nothing more.
  if (msg.seq <= s.peer.lastSeq) return;
  s.peer.lastSeq = msg.seq;
  s.peer.shootsAt = msg.fenceInMs >= 0 ? st.now + msg.fenceInMs : null;
  // A view that does not acknowledge our generation was written before the peer knew us.
  s.peer.view = msg.ackGeneration === s.generation ? viewOf(msg) : null;
  // Kept apart from the view, which is dropped when the peer leaves: what it could not stop stays true after it left.
  s.peer.stuck = msg.stuck ?? [];
  s.peer.resetMe = msg.resetMe === true;
  learnMoves(st, msg.moves);

  if (msg.kind === 'shutdown') {
    onPeerLeft(st, msg.generation);
    acknowledgeShutdown(st);
  } else if (msg.kind === 'shutdown-ack') {
    if (s.farewell && msg.ackGeneration === s.generation) s.farewell.acked = true;
  } else if (msg.kind === 'release-request') onReleaseRequest(st, msg.groups);
  else if (msg.kind === 'release-done') log(st, 'info', `${c.peer} released ${msg.groups.join(' ')}`);
}

/** A higher generation: the peer restarted, so it runs nothing and anything we handed it is void. */
function join(st: Step, generation: number): void {
  const s = st.s;
  const old = s.peer.generation;
  if (old !== 0) log(st, 'info', `node ${s.config.peer}: restarted (generation ${old} -> ${generation}): a fresh join`);
  s.peer.generation = generation;
  s.peer.lastSeq = 0;
  s.peer.view = null;
  s.peer.shootsAt = null;
  s.peer.stuck = [];
  s.peer.resetMe = false;
  s.askedReset = { attempts: 0, nextAt: 0 };
  s.forced = false;
  for (const g of s.config.groups) {
    const slot = s.groups[g.id]!;
    if (slot.grantedTo !== 0) {
      // We handed it over but the peer restarted since: nobody runs it, and it is ours again.
      takeToken(s, slot);
      log(st, 'info', `${g.id}: ${s.config.peer} restarted before taking it up; it is ours again`);
    }
  }
}

function becomeAlive(st: Step): void {
  const s = st.s;
  const c = s.config;
  const was = s.contact;
  if (s.fence.phase === 'resetting') {
    // The reset is already under way and cannot be called back; its result decides.
    return;
  }
  s.contact = 'alive';
  // An operator's --force covered one silence; the next one is judged afresh.
  s.forced = false;
  if (was === 'waiting') {
    log(st, 'info', `Status update for node ${c.peer}: status up`);
  } else if (was === 'lost') {
    cancelFencing(st);
    decide(st, `${c.peer} is heard again: reset cancelled, not taking over`);
  } else if (was === 'dead') {
    decide(st, `${c.peer} is heard again after being declared dead: comparing who runs what`, 'warn');
  } else {
    log(st, 'info', `Status update for node ${c.peer}: status up`);
  }
}

export function livenessTimers(st: Step): void {
  const s = st.s;
  const c = s.config;
  if (s.exited) return;
  for (const p of c.paths) {
    const path = s.paths[p.id]!;
    if (path.up === true && silentFor(st, path.lastHeardAt) >= c.deadtimeMs) {
      path.up = false;
      log(st, 'info', `Link ${c.peer}:${p.name} dead.`);
    }
  }
  if (s.contact === 'alive' && silentFor(st, s.peer.lastHeardAt) >= c.deadtimeMs) {
    log(st, 'warn', `node ${c.peer}: is dead`);
    // Leaving, with nothing held: nothing to take over and nobody to reset; admin.ts exits.
    if (s.farewell) s.contact = 'dead';
    else onPeerLost(st);
  } else if (s.contact === 'waiting' && st.now - s.startedAt >= c.initdeadMs && silentFor(st, 0) >= c.deadtimeMs) {
    bootSilence(st);
  }
}

/** Never heard the peer since start-up, and initdead has passed. */
function bootSilence(st: Step): void {
  const s = st.s;
  const c = s.config;
  if (c.canResetPeer) {
    if (s.waitExplained || s.forced) return;
    s.waitExplained = true;
    // No fence loop: a node that was just reset would otherwise shoot back.
    decide(
      st,
      `Not taking over: ${c.peer} has not been heard since start-up and a reset device is configured; ${c.peer} may be serving behind a broken link. Waiting for ${c.peer} or \`twinbeat takeover --force\``,
      'warn',
    );
    return;
  }
  log(st, 'warn', `node ${c.peer}: is dead`);
  s.contact = 'dead';
  decide(st, `Taking over: ${c.peer} not heard within initdead (${c.initdeadMs} ms) and no reset device is configured (Heartbeat v1 behaviour)`, 'warn');
}

/** What the message says about its sender: all of it but its kind and the groups it names. */
function viewOf(m: Message): SenderView {
  const { kind: _kind, ...rest } = m;
  const { groups: _groups, ...view } = rest as SenderView & { groups?: string[] };
  return view;
}

/**
 * After contact came back, the holder announces its groups again: while the pair could not hear
 * each other, the peer may have announced the same address, and a switch or a client may still
 * point there (keepalived#166, #1528). Only what is held here once the step's decisions are made.
 */
export function announceAfterContact(st: Step): void {
  const why = st.contactRegained;
  if (!why || st.s.exited) return;
  for (const g of st.s.config.groups) {
    const slot = st.s.groups[g.id]!;
    if (slot.state !== 'held' || !slot.token || slot.giveAway) continue;
    log(st, 'info', `Announcing resource group ${g.id} again: ${why}`);
    st.out.push({ type: 'announce-group', group: g.id });
  }
}
