// Peer and path liveness: what a message from the peer tells us, and what silence does.
// A path is up while it delivered within deadtime; the peer is alive while some path did.
//
// Which run of the peer a message is from is its `boot`, a random number drawn at each start,
// not its generation: a swapped unit, a lost state directory or a clock behind at boot give a
// generation lower than before, and that run must still join. A run other than the one joined
// joins only by echoing a challenge drawn afresh when it was heard: only a run alive after the
// draw, holding the key, can. Then the joined run's messages count only if they name this run
// of ours (`ackBoot`), each seq once per path. So a replay of frames recorded from an earlier
// run of either node proves nothing: it is at most a hello, which draws a challenge.
import { learnMoves } from './damping';
import { onPeerLost, cancelFencing } from './fencing';
import { onPeerLeft, onReleaseRequest } from './handover';
import { acknowledgeShutdown } from './notices';
import { decide, log, logPath, logPeerDead, takeToken, type CoreState, type Step } from './state';
import type { Message, SenderView } from './types';

/** Earlier runs of the peer remembered as old news: one per restart of the peer during our run. */
const RETIRED_RUNS = 32;
/** How far (in messages) a copy on a slower path may lag the newest heard and still prove its path works. */
const COPY_LAG = 16;

/** The run a message is from; a peer without boot numbers (an older twinbeat) is known by its generation. */
const bootOf = (m: Message): number => m.boot ?? m.generation;

/**
 * The message may join its run: it echoes our outstanding challenge. From a peer without boot
 * numbers (an older twinbeat, the scenario scripts), echoing our generation stands in.
 */
function answersChallenge(st: Step, m: Message): boolean {
  const s = st.s;
  if (m.boot === undefined) return m.ackGeneration === s.generation && !maySpeakFromBeforeReset(st);
  return s.peer.challenge !== 0 && m.answer === s.peer.challenge;
}

/**
 * Right after a successful reset, a new run that joins without a challenge (a Heartbeat peer names
 * its run by its generation alone) may be one that started as the power came back and spoke just
 * before the relay cut it again: its frames were on the way when the result came. Joined, it would
 * be judged dead deadtime later and reset a second time, perhaps as it boots again. So its
 * messages within a keepalive of the reset prove nothing; a live run is heard again a keepalive
 * later and joins then. (A run with boot numbers is challenged, which only a live run answers.)
 */
function maySpeakFromBeforeReset(st: Step): boolean {
  const s = st.s;
  return s.contact === 'reset' && s.fence.resetAt !== undefined && st.now - s.fence.resetAt < s.config.keepaliveMs;
}

/** The joined run's message names this run of ours (it was written after it joined us). */
function namesUs(s: CoreState, m: Message): boolean {
  return m.boot === undefined ? m.ackGeneration === s.generation : m.ackBoot === s.boot;
}

/** A run we have not joined spoke: ask it (once per run heard) to echo a number drawn now. */
function challenge(st: Step, boot: number): void {
  const p = st.s.peer;
  if (p.challenge !== 0 && p.challengeFor === boot) return;
  p.challenges += 1;
  p.challenge = (st.s.boot + p.challenges) % 2 ** 48 || 1;
  p.challengeFor = boot;
  // Asked at once rather than at the next heartbeat: the join costs a round trip and a half.
  st.s.nextHeartbeatAt = Math.min(st.s.nextHeartbeatAt, st.now);
}

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
  const boot = bootOf(msg);
  // A run we reset, or that said goodbye, or that was replaced: its messages are old news.
  if (boot === s.peer.goneBoot || s.peer.retired.includes(boot)) {
    // Except that a leaving peer repeats its notice until it hears our acknowledgement: it may
    // have missed the first one (a copy of the same notice on another path needs none).
    if (msg.kind === 'shutdown' && s.contact === 'left' && boot === s.peer.goneBoot && msg.seq > s.peer.lastSeq) {
      s.peer.lastSeq = msg.seq;
      acknowledgeShutdown(st);
    }
    return;
  }
  // Echo the peer's newest challenge (answered at once), until its run has joined us.
  if (msg.challenge !== undefined && msg.challenge !== s.peer.answer && !(boot === s.peer.boot && namesUs(s, msg))) {
    s.peer.answer = msg.challenge;
    s.nextHeartbeatAt = Math.min(s.nextHeartbeatAt, st.now);
  }
  if (boot === s.peer.boot && s.peer.boot !== 0) {
    // Written before it joined this run of ours (in flight across our restart, or it does not
    // hear us yet): nothing of what it says counts, but it speaks, as a hello does.
    if (!namesUs(s, msg)) {
      s.peer.helloAt = st.now;
      return;
    }
    if (msg.challenge === undefined) s.peer.answer = 0;
  } else if (answersChallenge(st, msg)) {
    join(st, boot, msg.generation, msg.boot !== undefined);
  } else {
    // A hello (a run that has not joined us) or a replay of an earlier run: believe nothing.
    // (A peer without boot numbers cannot answer a challenge: it joins by our generation.)
    if (msg.boot !== undefined) challenge(st, boot);
    s.peer.helloAt = st.now;
    return;
  }
  // The same message on the same path again (a replay, or reordered): it proves nothing new.
  if (msg.seq <= path.lastSeq) return;
  // A copy of a message that came first on a faster path proves this path works, if it is
  // recent; it says nothing new of the peer, so that a recorded frame replayed on another path
  // cannot make a silent peer look alive.
  const copy = msg.seq <= s.peer.lastSeq;
  if (copy && msg.seq + COPY_LAG < s.peer.lastSeq) return;
  path.lastSeq = msg.seq;

  path.lastHeardAt = st.now;
  const pathName = c.paths.find((p) => p.id === pathId)!.name;
  if (path.up === false) st.contactRegained ??= `link ${pathName} is up again`;
  if (path.up !== true) {
    path.up = true;
    logPath(st, pathName, true);
  }
  if (copy) return;
  if (s.contact === 'lost' || s.contact === 'dead') st.contactRegained = `${c.peer} is heard again`;

  if (s.contact === 'alive') {
    const interval = st.now - Math.max(s.peer.lastHeardAt, s.resumedAt);
    if (interval > c.warntimeMs) log(st, 'warn', `Late heartbeat: Node ${c.peer}: interval ${interval} ms`);
  }
  s.peer.lastHeardAt = st.now;
  // News of the joined run that names us: it hears us, and nothing unanswered stands.
  s.peer.helloAt = 0;
  if (s.contact !== 'alive') becomeAlive(st);
  s.peer.lastSeq = msg.seq;
  s.peer.shootsAt = msg.fenceInMs >= 0 ? st.now + msg.fenceInMs : null;
  // An answer to our challenge from a run that has not joined us yet says nothing of what it runs for us.
  s.peer.view = namesUs(s, msg) && !msg.withheld ? viewOf(msg) : null;
  // Kept apart from the view, which is dropped when the peer leaves: what it could not stop stays true after it left.
  s.peer.stuck = msg.stuck ?? [];
  s.peer.resetMe = msg.resetMe === true;
  learnMoves(st, msg.moves);

  if (msg.kind === 'shutdown') {
    onPeerLeft(st, boot);
    acknowledgeShutdown(st);
  } else if (msg.kind === 'shutdown-ack') {
    // Only an acknowledgement that names this run ends the farewell.
    if (s.farewell && s.peer.view) s.farewell.acked = true;
  } else if (msg.kind === 'release-request') onReleaseRequest(st, msg.groups);
  else if (msg.kind === 'release-done') log(st, 'info', `${c.peer} released ${msg.groups.join(' ')}`);
}

/** A new run of the peer answered our challenge: it runs nothing, and anything we handed it is void. */
function join(st: Step, boot: number, generation: number, challenged: boolean): void {
  const s = st.s;
  const peer = s.config.peer;
  const highest = Math.max(s.peer.highestGeneration, s.peer.generation);
  if (generation < highest) {
    decide(st, 'peer-older-generation', { figures: { fromGeneration: highest, toGeneration: generation } });
  } else if (s.peer.boot !== 0) {
    log(st, 'info', `node ${peer}: restarted (generation ${s.peer.generation} -> ${generation}): a fresh join`);
  }
  if (s.peer.boot !== 0) s.peer.retired = [...s.peer.retired, s.peer.boot].slice(-RETIRED_RUNS);
  // Tell it at once that it is joined (our next message names its run in `ackBoot`): until then
  // it does not count us as heard, and its silence clock, like ours, is running.
  if (challenged) s.nextHeartbeatAt = Math.min(s.nextHeartbeatAt, st.now);
  s.peer.highestGeneration = highest;
  s.peer.boot = boot;
  s.peer.challenge = 0;
  s.peer.challengeFor = 0;
  s.peer.helloAt = 0;
  s.peer.helloExplained = false;
  s.peer.generation = generation;
  for (const id in s.paths) s.paths[id]!.lastSeq = 0;
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
    decide(st, 'reset-cancelled');
  } else if (was === 'dead') {
    decide(st, 'heard-after-dead');
  } else {
    log(st, 'info', `Status update for node ${c.peer}: status up`);
  }
}

/**
 * Without a reset device, when a run of the peer we have not joined was last heard (0: it
 * counts for nothing). A hello proves nothing of the peer (it may be a replay), but it may come
 * from a live peer that does not hear us: a one-way path, or our interface not up yet at boot
 * (the kernel reports the carrier up to a second late). That peer takes over when it judges us
 * silent; so must we not, or both run the group: a hello keeps the peer from being judged dead
 * (Heartbeat v1 counts any frame). A replay can so delay such a takeover while it plays, never
 * cause one. With a reset device, the reset is what makes a takeover safe: hellos hold nothing
 * off, and replays neither cause nor prevent a reset. An operator's --force overrides.
 */
export function heardUnjoinedAt(s: CoreState): number {
  // A leaving node takes nothing over: its farewell is not held off either.
  return s.config.canResetPeer || s.forced || s.farewell ? 0 : s.peer.helloAt;
}

/** The peer is judged dead, or not heard within initdead, but a hello (see heardUnjoinedAt) within deadtime holds the takeover off. */
function heldOffByHello(st: Step, code: 'wait-unanswered-after-silence' | 'wait-unanswered-at-start'): boolean {
  const s = st.s;
  const c = s.config;
  const hello = heardUnjoinedAt(s);
  if (hello === 0 || silentFor(st, hello) >= c.deadtimeMs) {
    s.peer.helloExplained = false;
    return false;
  }
  if (!s.peer.helloExplained) {
    s.peer.helloExplained = true;
    decide(st, code, { figures: { deadtimeMs: c.deadtimeMs, initdeadMs: c.initdeadMs } });
  }
  return true;
}

export function livenessTimers(st: Step): void {
  const s = st.s;
  const c = s.config;
  if (s.exited) return;
  for (const p of c.paths) {
    const path = s.paths[p.id]!;
    if (path.up === true && silentFor(st, path.lastHeardAt) >= c.deadtimeMs) {
      path.up = false;
      logPath(st, p.name, false);
    }
  }
  if (s.contact === 'alive' && silentFor(st, s.peer.lastHeardAt) >= c.deadtimeMs) {
    if (heldOffByHello(st, 'wait-unanswered-after-silence')) return;
    logPeerDead(st);
    // Leaving, with nothing held: nothing to take over and nobody to reset; admin.ts exits.
    if (s.farewell) s.contact = 'dead';
    else onPeerLost(st);
  } else if (s.contact === 'waiting' && st.now - s.startedAt >= c.initdeadMs && silentFor(st, 0) >= c.deadtimeMs) {
    if (heldOffByHello(st, 'wait-unanswered-at-start')) return;
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
    decide(st, 'wait-not-heard-with-device');
    return;
  }
  logPeerDead(st);
  s.contact = 'dead';
  if (s.peer.helloAt > 0) decide(st, 'takeover-never-answered', { figures: { deadtimeMs: c.deadtimeMs } });
  else decide(st, 'takeover-not-heard-at-start', { figures: { initdeadMs: c.initdeadMs } });
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
