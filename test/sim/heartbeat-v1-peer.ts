// A model of a node that runs Linux-HA Heartbeat 3.0 with its v1 resource manager (`crm no`), for
// the simulator's mixed pairs (issue 24): one twinbeat core beside one of these. It is written
// from Heartbeat's rules (heartbeat/heartbeat.c and heartbeat/hb_resource.c, the rc.d scripts,
// hb_standby and hb_takeover) and from the frames of test/fixtures/heartbeat-3.0.6; it keeps only
// what twinbeat can see or what decides where a group runs. No I/O, no clock: the world feeds it
// events carrying `now` and carries out the effects it returns, as it does for a core.
//
// What it models:
// - its status frames every keepalive (`init`, `up`, then `active` once its communication is up:
//   the peer heard, or declared dead after initdead), and the peer judged dead after deadtime of
//   silence (initdead before the first word);
// - nice_failback (auto_failback on or off): `starting` once active, `resource` answers with
//   `isstable`, the ten-second wait (RQSTDELAY) for a peer that stays in transition, its own groups
//   acquired once the peer is stable (`req_our_resources`), the three-step standby exchange
//   (`ask_resources` me / other / done, the 10 s limit on an unanswered `me`, the hour-long one on
//   the rest), `hb_takeover` answered by going standby for the mirrored set, auto_failback on (a
//   standby of the foreign groups, only after this run took them over from a dead peer), the
//   peer's `shutdone` (take the rest at once), and its own graceful shutdown (release everything,
//   `resource none isstable=0 info=shutdown`, then `shutdone`);
// - auto_failback legacy (nice_failback off): no `starting` and no `resource` at all; its own
//   groups taken as soon as its communication is up, standby messages ignored ("Standby mode only
//   implemented when nice_failback on");
// - a dead peer's groups taken over after deadtime with no reset device (mach_down), and a peer
//   that comes back with the same generation (a healed partition): Heartbeat releases everything
//   and restarts two seconds later ("Cluster node ... returning after partition");
// - resource scripts run one at a time, each group started or stopped by the world.
//
// What it leaves out: retransmission requests (twinbeat answers none), ipfail, STONITH, the
// notify_world scripts but rc.d/hb_takeover, and the hour-long EmergencyShutdown.
import type { HeartbeatHolding, HeartbeatNews, HeartbeatOut } from '../../src/core';

export type HbFailback = 'on' | 'off' | 'legacy';

export interface HbConfig {
  local: string;
  peer: string;
  /** In haresources order; `home` is the first word of the line. */
  groups: { id: string; home: string }[];
  keepaliveMs: number;
  deadtimeMs: number;
  initdeadMs: number;
  autoFailback: HbFailback;
}

/** What reaches it from a twinbeat peer: any frame (its run and number), or one in Heartbeat's words. */
export type HbFrame =
  | { from: 'twinbeat'; generation: number; seq: number; status: boolean }
  | { from: 'twinbeat-words'; message: HeartbeatOut };

export type HbEffect =
  | { type: 'send'; news: HeartbeatNews }
  | { type: 'start-group'; group: string }
  | { type: 'stop-group'; group: string }
  | { type: 'log'; text: string }
  /** The process exits; `restartInMs` >= 0 when it restarts itself (a healed partition). */
  | { type: 'exit'; restartInMs: number };

const NONE = 0;
const LOCAL = 1;
const FOREIGN = 2;
const ALL = 3;
const NAMES: HeartbeatHolding[] = ['none', 'local', 'foreign', 'all'];
const BITS: Record<HeartbeatHolding, number> = { none: NONE, local: LOCAL, foreign: FOREIGN, all: ALL };

/** Heartbeat's RQSTDELAY: a peer that stays in transition this long after its first `resource`. */
export const RQSTDELAY_MS = 10_000;
/** STANDBY_INIT_TO_MS and HB_STANDBY_RSC_TO_MS. */
const STANDBY_INIT_MS = 10_000;
const STANDBY_RSC_MS = 60 * 60 * 1000;

type RState = 'init' | 'starting' | 'bothstarting' | 'rscrcvd' | 'stable' | 'shutdown';
type Going = 'not' | 'me' | 'other' | 'done';

interface Job {
  name: string;
  ops: { group: string; action: 'start' | 'stop' }[];
  then: () => void;
}

export class HeartbeatV1Peer {
  readonly c: HbConfig;
  readonly generation: number;
  readonly bootAt: number;
  private seq = 0;
  private out: HbEffect[] = [];
  private now: number;

  status: 'init' | 'up' | 'active' = 'up';
  private commUp = false;
  private activeAt: number | null = null;
  private nextStatusAt: number;
  // The peer as this node sees it.
  peerDead = false;
  private peerHeardAt: number | null = null;
  private peerGeneration = 0;
  private peerSeqs = new Set<number>();
  private peerStatusSeq = 0;
  private anyPacketsYet = false;
  /** The peer's run (generation) this run last declared dead; 0 if none. */
  deadGeneration = 0;
  /** A failback request of this run went unanswered and was cancelled: Heartbeat does not ask again. */
  failbackCancelled = false;
  private failbackAsked = false;
  /**
   * It gave groups up for a second `other` in one exchange (a peer that answered a second `me`,
   * which a Heartbeat peer ignores): its own `done`s then leave it believing it holds what it gave.
   */
  answeredTwice = false;
  private gaveUpInExchange = false;
  /** A new run of the peer spoke while its last run was not declared dead (a restart faster than deadtime). */
  fastRestartSeen = false;
  // hb_resource.c's globals, by their meaning.
  iHold = NONE;
  private otherHolds = NONE;
  /** What it last heard of the peer's stability (its `other_is_stable`). */
  otherStable = false;
  rstate: RState = 'init';
  going: Going = 'not';
  private standbyUntil = 0;
  private standbyType = ALL;
  private takeoverInProgress = false;
  private needsFailback = false;
  private failbackRetryAt: number | null = null;
  private localTakeoverAt: number | null = null;
  /** SIGTERM (or a healed partition) asked for the shutdown; `shuttingDown` once it began. */
  private needsShutdown = false;
  shuttingDown = false;
  private restartAfterShutdown = false;
  private restartAt: number | null = null;
  private exitAt: number | null = null;
  exited = false;
  /** Groups this run has started and not stopped (world truth is the world's). */
  readonly up = new Set<string>();
  private jobs: Job[] = [];
  private job: Job | null = null;
  private pendingOp: { group: string; action: 'start' | 'stop' } | null = null;

  constructor(c: HbConfig, generation: number, now: number) {
    this.c = c;
    this.generation = generation;
    this.bootAt = now;
    this.now = now;
    this.nextStatusAt = now + c.keepaliveMs;
    // The first two frames of a run, as captured: `init`, then `up` at once.
    this.sendStatus('init');
    this.sendStatus('up');
  }

  get niceFailback(): boolean {
    return this.c.autoFailback !== 'legacy';
  }

  /** Groups of a holding, from this node's point of view. */
  groupsOf(bits: number): string[] {
    return this.c.groups.filter((g) => (g.home === this.c.local ? bits & LOCAL : bits & FOREIGN)).map((g) => g.id);
  }

  private take(): HbEffect[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  private log(text: string): void {
    this.out.push({ type: 'log', text });
  }

  private send(news: HeartbeatNewsBody): void {
    this.out.push({ type: 'send', news: { generation: this.generation, seq: ++this.seq, ...news } as HeartbeatNews });
  }

  private sendStatus(st: 'init' | 'up' | 'active'): void {
    this.status = st;
    this.send({ what: 'status', status: st });
  }

  nextDeadline(): number | null {
    if (this.exited) return null;
    const due = [this.nextStatusAt];
    if (this.activeAt !== null) due.push(this.activeAt);
    if (!this.peerDead) due.push(this.peerDeadline());
    if (this.localTakeoverAt !== null && this.rstate === 'rscrcvd') due.push(this.localTakeoverAt + 1);
    if (this.failbackRetryAt !== null) due.push(this.failbackRetryAt);
    if (this.restartAt !== null) due.push(this.restartAt);
    if (this.exitAt !== null) due.push(this.exitAt);
    return Math.min(...due);
  }

  private peerDeadline(): number {
    if (this.peerHeardAt === null) return this.bootAt + this.c.initdeadMs;
    return Math.max(this.peerHeardAt + this.c.deadtimeMs, this.anyPacketsYet ? 0 : this.bootAt + this.c.initdeadMs);
  }

  // --- events ---

  tick(now: number): HbEffect[] {
    this.now = now;
    this.timers();
    return this.take();
  }

  private timers(): void {
    const now = this.now;
    if (this.exited) return;
    if (this.exitAt !== null && now >= this.exitAt) {
      this.exited = true;
      this.log('Heartbeat shutdown complete.');
      this.out.push({ type: 'exit', restartInMs: this.restartAfterShutdown ? 1000 : -1 });
      return;
    }
    if (!this.peerDead && now >= this.peerDeadline()) this.markPeerDead();
    if (!this.commUp && (this.anyPacketsYet || this.peerDead)) {
      this.commUp = true;
      // reqnodes / repnodes, then `active` (half a second to a second later in the capture).
      this.activeAt = now + 500;
    }
    if (this.activeAt !== null && now >= this.activeAt) {
      this.activeAt = null;
      this.sendStatus('active');
      this.send({ what: 'nodes', nodes: [this.c.local, this.c.peer] });
      this.commUpResourceAction();
    }
    if (now >= this.nextStatusAt) {
      this.nextStatusAt = now + this.c.keepaliveMs;
      if (!this.shuttingDown || this.exitAt === null) this.sendStatus(this.status);
    }
    // polled_input_dispatch: a peer still in transition RQSTDELAY after its first `resource`.
    if (this.niceFailback && this.rstate === 'rscrcvd' && this.localTakeoverAt !== null && now > this.localTakeoverAt) {
      this.rstate = 'stable';
      this.reqOurResources(false);
      this.log('local resource transition completed.');
      this.sendHeld(true);
    }
    if (this.failbackRetryAt !== null && now >= this.failbackRetryAt) {
      this.failbackRetryAt = null;
      this.performAutoFailback();
    }
    if (this.restartAt !== null && now >= this.restartAt) {
      this.restartAt = null;
      this.causeShutdownRestart();
    }
    this.shutdownIfNeeded();
  }

  /** A frame from the peer, on any path (a copy on the second path is dropped by its seq). */
  receive(now: number, frame: HbFrame): HbEffect[] {
    this.now = now;
    if (this.exited) return [];
    this.checkStandbyTimer();
    const { generation, seq } = frame.from === 'twinbeat' ? frame : frame.message;
    if (generation < this.peerGeneration) return this.take(); // "attempted replay attack"
    if (generation > this.peerGeneration) {
      if (this.peerGeneration > 0) this.log(`Heartbeat restart on node ${this.c.peer}`);
      if (this.peerGeneration > 0 && !this.peerDead) this.fastRestartSeen = true;
      this.peerGeneration = generation;
      this.peerSeqs.clear();
      this.peerStatusSeq = 0;
      if (this.peerDead) this.peerBack();
    } else if (this.peerSeqs.has(seq)) {
      return this.take();
    } else if (this.peerDead && frame.from === 'twinbeat' && frame.status && seq > this.peerStatusSeq) {
      // The same run speaks again after it was declared dead: no restart happened.
      this.log(`Cluster node ${this.c.peer} returning after partition.`);
      this.peerBack();
      if (this.restartAt === null && !this.shuttingDown) this.restartAt = now + 2000;
    } else if (this.peerDead) {
      return this.take(); // not a status: stale news of a dead node
    }
    this.peerSeqs.add(seq);
    if (frame.from === 'twinbeat' && frame.status) this.peerStatusSeq = Math.max(this.peerStatusSeq, seq);
    this.peerHeardAt = now;
    this.anyPacketsYet = true;
    if (frame.from === 'twinbeat-words') this.words(frame.message);
    this.timers();
    return this.take();
  }

  private peerBack(): void {
    this.peerDead = false;
    this.log(`Status update for node ${this.c.peer}: status active`);
  }

  private checkStandbyTimer(): void {
    if (this.standbyUntil !== 0 && this.now >= this.standbyUntil) {
      this.standbyUntil = 0;
      this.otherStable = true;
      if (this.going === 'me' && this.failbackAsked) this.failbackCancelled = true;
      this.going = 'not';
      this.log('No reply to standby request.  Standby request cancelled.');
      this.shutdownIfNeeded();
    }
  }

  /** The peer's messages in Heartbeat's words; before communication is up they have no handler (dropped), but shutdone. */
  private words(m: HeartbeatOut): void {
    if (m.what === 'shutdone') return this.onShutdone();
    if (!this.commUp || this.activeAt !== null) return;
    switch (m.what) {
      case 'starting':
        return this.processResources('starting', m);
      case 'resources':
        return this.processResources('resources', m);
      case 'standby':
        return this.askForResources(m.info, BITS[m.holds], false);
      case 'takeover':
        // rc.d/hb_takeover runs hb_standby with the mirrored set, queued behind any running script.
        return this.queue({ name: 'hb_takeover', ops: [], then: () => this.goingStandby(mirror(BITS[m.holds])) });
    }
  }

  // --- the operator ---

  /** hb_standby [all]: `ask_resources rsc_hold=all info=me`, to the peer and to itself. */
  hbStandby(now: number): HbEffect[] {
    this.now = now;
    if (this.exited) return [];
    this.goingStandby(ALL);
    return this.take();
  }

  private goingStandby(bits: number): void {
    this.log(`Going standby [${NAMES[bits]}].`);
    this.send({ what: 'handover', type: 'ask_resources', holds: NAMES[bits]!, info: 'me' });
    this.askForResources('me', bits, true);
  }

  /** hb_takeover [all]: asks the peer for everything. */
  hbTakeover(now: number): HbEffect[] {
    this.now = now;
    if (this.exited) return [];
    this.send({ what: 'handover', type: 'hb_takeover', holds: 'all' });
    return this.take();
  }

  /** SIGTERM. */
  sigterm(now: number): HbEffect[] {
    this.now = now;
    if (this.exited) return [];
    this.needsShutdown = true;
    this.shutdownIfNeeded();
    return this.take();
  }

  groupDone(now: number, group: string, action: 'start' | 'stop'): HbEffect[] {
    this.now = now;
    if (this.exited || !this.pendingOp || this.pendingOp.group !== group || this.pendingOp.action !== action) return [];
    this.pendingOp = null;
    this.runJob();
    this.timers();
    return this.take();
  }

  // --- resource scripts, one at a time ---

  private queue(job: Job): void {
    this.jobs.push(job);
    if (!this.job && !this.pendingOp) this.runJob();
  }

  /** It heard a run it had declared dead speak again and will give everything up and restart (or is doing so). */
  get restartingAfterPartition(): boolean {
    return this.restartAt !== null || (this.restartAfterShutdown && this.shuttingDown);
  }

  /**
   * Its shutdown (or healed-partition restart) waits for hb_rsc_isstable: a standby exchange under
   * way (up to an hour as the taker, HB_STANDBY_RSC_TO_MS), a peer last heard unstable; or, having
   * waited, it is giving up now.
   */
  get shutdownDelayed(): boolean {
    return (this.needsShutdown && !this.shuttingDown && !this.isStable()) || (this.shutdownWasDelayed && this.shuttingDown);
  }
  private shutdownWasDelayed = false;

  /** A shutdown (SIGTERM, or its restart after a healed partition) is asked for and waits (see isStable). */
  get shutdownWaiting(): boolean {
    return this.needsShutdown && !this.shuttingDown;
  }

  /** Its scripts are taking over from a peer it declared dead (mach_down, then its own groups anyway). */
  get takingOverDeadPeer(): boolean {
    return [this.job, ...this.jobs].some((j) => j?.name === 'mach_down' || j?.name === 'req_our_resources (takeover)');
  }

  /** Its standby script is giving groups up (or is queued to). */
  get releasingForStandby(): boolean {
    return [this.job, ...this.jobs].some((j) => j?.name === 'go_standby give up');
  }

  get busy(): boolean {
    return this.job !== null;
  }

  private runJob(): void {
    for (;;) {
      // A script's end may queue and start the next one (a shutdown that waited for it): one op at a time.
      if (this.pendingOp) return;
      if (!this.job) {
        this.job = this.jobs.shift() ?? null;
        if (!this.job) return;
      }
      const op = this.job.ops.shift();
      if (op) {
        // takegroup of a running group, givegroup of a stopped one: nothing to do.
        if ((op.action === 'start') === this.up.has(op.group)) continue;
        if (op.action === 'start') this.up.add(op.group);
        else this.up.delete(op.group);
        this.pendingOp = op;
        this.out.push({ type: op.action === 'start' ? 'start-group' : 'stop-group', group: op.group });
        return;
      }
      const done = this.job;
      this.job = null;
      done.then();
      this.shutdownIfNeeded();
    }
  }

  // --- hb_resource.c ---

  private commUpResourceAction(): void {
    // A SIGTERM before its communication came up: it is giving up (resource state SHUTDOWN).
    if (this.shuttingDown) return;
    if (this.niceFailback) {
      this.send({ what: 'starting' });
      this.rstate = 'starting';
    } else {
      this.reqOurResources(false);
    }
  }

  private processResources(type: 'starting' | 'resources', m: HeartbeatOut): void {
    this.shutdownIfNeeded();
    if (!this.niceFailback) return;
    let next = this.rstate;
    if (type === 'starting') {
      if (this.rstate === 'starting') next = 'bothstarting';
      else if (this.rstate !== 'rscrcvd' && this.rstate !== 'stable' && this.rstate !== 'shutdown') return;
      this.otherStable = false;
      this.sendHeld(this.rstate === 'stable');
    } else if (m.what === 'resources') {
      if (this.rstate === 'starting' || this.rstate === 'bothstarting') next = 'rscrcvd';
      else if (this.rstate !== 'rscrcvd' && this.rstate !== 'stable' && this.rstate !== 'shutdown') return;
      // twinbeat always says rtype=full. Kept as the peer said it (its `foreign` are our groups).
      this.otherHolds = BITS[m.holds];
      if (m.stable) {
        if (!this.otherStable) {
          this.otherStable = true;
          this.sendHeld(this.rstate === 'stable');
          this.performAutoFailback();
        }
      } else {
        this.otherStable = false;
      }
      if (next !== 'stable' && next !== 'shutdown' && this.otherStable) {
        this.reqOurResources(false);
        next = 'stable';
        this.rstate = 'stable';
        this.sendHeld(true);
        this.performAutoFailback();
      }
    }
    this.rstate = next;
    if (this.rstate === 'rscrcvd' && this.localTakeoverAt === null) this.localTakeoverAt = this.now + RQSTDELAY_MS;
    this.shutdownIfNeeded();
  }

  private sendHeld(stable: boolean, info?: string): void {
    if (!this.niceFailback) return;
    this.send({ what: 'resources', holds: NAMES[this.iHold]!, full: true, stable, ...(info ? { info } : {}) });
  }

  /** req_our_resources: its own groups, unless someone holds them already (getAnyway: after a takeover). */
  private reqOurResources(getAnyway: boolean): void {
    if (this.shuttingDown) return;
    if (this.niceFailback) {
      if (((this.otherHolds & FOREIGN) !== 0 || (this.iHold & LOCAL) !== 0) && !getAnyway && this.going === 'not') {
        this.log('Local Resource acquisition completed. (none)');
        return;
      }
      this.iHold |= LOCAL;
    }
    this.queue({
      name: getAnyway ? 'req_our_resources (takeover)' : 'req_our_resources',
      ops: this.groupsOf(LOCAL).map((group) => ({ group, action: 'start' as const })),
      then: () => this.sendHeld(true, 'req_our_resources()'),
    });
  }

  private performAutoFailback(): void {
    if (this.shuttingDown || (this.iHold & FOREIGN) === 0 || !this.needsFailback || this.c.autoFailback !== 'on') {
      this.needsFailback = false;
      return;
    }
    if (this.going !== 'not' || !this.otherStable || this.rstate !== 'stable') {
      this.failbackRetryAt = this.now + 1000;
      return;
    }
    this.standbyType = FOREIGN;
    this.failbackAsked = true;
    this.send({ what: 'handover', type: 'ask_resources', holds: 'foreign', info: 'me' });
    this.needsFailback = false;
    this.askForResources('me', FOREIGN, true);
  }

  /** ask_for_resources: one step of the standby exchange, from the peer or from this node itself. */
  private askForResources(info: string | undefined, rtype: number, fromMe: boolean): void {
    if (!this.niceFailback) {
      this.log('Standby mode only implemented when nice_failback on');
      return;
    }
    if (this.rstate === 'shutdown') return;
    const from = fromMe ? this.c.local : this.c.peer;
    if (this.standbyUntil !== 0 && this.now < this.standbyUntil && info === 'me') {
      this.log(`Standby in progress- new request from ${from} ignored`);
      return;
    }
    let ignored = false;
    const before = this.going;
    switch (this.going) {
      case 'not':
        if (!this.otherStable) return this.log(`standby message [${info}] from ${from} ignored.  Other side is in flux.`);
        if (this.rstate !== 'stable') return this.log(`standby message [${info}] from ${from} ignored.  local resources in flux.`);
        this.standbyType = rtype;
        if (info === 'me') {
          this.otherStable = false;
          this.gaveUpInExchange = false;
          this.log(`${from} wants to go standby [${NAMES[rtype]}]`);
          if (fromMe) {
            this.standbyUntil = this.now + STANDBY_INIT_MS;
            this.going = 'me';
          } else {
            this.going = 'other';
            this.send({ what: 'handover', type: 'ask_resources', holds: NAMES[rtype]!, info: 'other' });
            this.standbyUntil = this.now + STANDBY_RSC_MS;
          }
        } else ignored = true;
        break;
      case 'me':
        if (!fromMe) {
          this.standbyType = rtype;
          this.standbyUntil = this.now + STANDBY_RSC_MS;
          if (info === 'other') {
            this.log(`standby: ${from} can take our ${NAMES[rtype]} resources`);
            if (this.gaveUpInExchange) this.answeredTwice = true;
            this.gaveUpInExchange = true;
            this.goStandby('me', rtype);
          } else ignored = true;
        } else if (info === 'done') {
          this.log(`Local standby process completed [${NAMES[rtype]}].`);
          this.going = 'done';
          this.iHold &= ~this.standbyType;
          this.standbyUntil = this.now + STANDBY_RSC_MS;
        } else ignored = true;
        break;
      case 'other':
        this.standbyType = rtype;
        if (info === 'done') {
          this.standbyUntil = this.now + STANDBY_RSC_MS;
          if (!fromMe) {
            this.log(`standby: acquire [${NAMES[rtype]}] resources from ${from}`);
            this.goStandby('other', this.standbyType);
            this.going = 'done';
          } else ignored = true;
        } else if (!fromMe || info !== 'other') ignored = true;
        break;
      case 'done':
        this.standbyType = rtype;
        if (info === 'done') {
          this.standbyUntil = 0;
          this.going = 'not';
          if (fromMe) {
            this.log(`Standby resource acquisition done [${NAMES[rtype]}].`);
            this.iHold |= mirror(rtype);
          } else {
            this.log(`Other node completed standby takeover of ${NAMES[rtype]} resources.`);
          }
          this.sendHeld(true);
        } else ignored = true;
        break;
    }
    if (ignored) this.log(`Ignored standby message '${info}' from ${from} in state ${before}`);
    this.shutdownIfNeeded();
  }

  /** go_standby: give up (who = me) or acquire (who = other) a set named from the giver's side. */
  private goStandby(who: 'me' | 'other', set: number): void {
    if (who === 'me') {
      this.otherStable = false;
      this.iHold &= ~set;
      this.sendHeld(false, 'standby');
    }
    // The giver acts on the set as it named it; the acquirer on its mirror (all stays all).
    const act = who === 'me' ? set : mirror(set);
    const ids = this.groupsOf(act);
    const type = this.standbyType;
    this.queue({
      name: who === 'me' ? 'go_standby give up' : 'go_standby acquire',
      ops: ids.map((group) => ({ group, action: who === 'me' ? ('stop' as const) : ('start' as const) })),
      then: () => {
        this.send({ what: 'handover', type: 'ask_resources', holds: NAMES[type]!, info: 'done' });
        this.askForResources('done', type, true);
      },
    });
  }

  /** The peer is silent for deadtime (initdead before its first word): hb_rsc_recover_dead_resources. */
  private markPeerDead(): void {
    this.peerDead = true;
    this.deadGeneration = this.peerGeneration;
    this.log(`node ${this.c.peer}: is dead`);
    const hadPackets = this.anyPacketsYet;
    this.anyPacketsYet = false;
    if (this.going !== 'not') {
      this.log('Cancelling pending standby operation');
      this.going = 'not';
      this.standbyUntil = 0;
      if (!this.otherStable && this.iHold === ALL) this.otherStable = true;
    }
    // Giving up already: nothing to take over (Heartbeat gives up at once if still starting).
    if (this.shuttingDown) return;
    this.needsFailback = true;
    let needStonith = true;
    // Without nice_failback Heartbeat asks whether the node `has_resources`, which it does not
    // track for a twinbeat peer (no `resource` words): taken as held, so it takes over.
    if (hadPackets && this.niceFailback) needStonith = this.otherHolds !== NONE;
    if (needStonith) {
      this.log('No STONITH device configured.');
      this.takeoverFromNode();
    } else {
      this.log(`Dead node ${this.c.peer} gave up resources.`);
      if (this.iHold === ALL) {
        this.otherStable = true;
        return;
      }
      if ((this.iHold & LOCAL) === 0) this.reqOurResources(true);
      if ((this.iHold & FOREIGN) === 0) this.takeoverFromNode();
    }
  }

  /** takeover_from_node: mach_down acquires the peer's groups, then its own groups anyway. */
  private takeoverFromNode(): void {
    if (this.shuttingDown) {
      this.log('Resource takeover cancelled - shutdown in progress.');
      return;
    }
    this.log(`Resources being acquired from ${this.c.peer}.`);
    if (this.niceFailback) {
      this.iHold |= FOREIGN;
      this.otherHolds = NONE;
      this.otherStable = true;
      this.takeoverInProgress = true;
    }
    this.queue({
      name: 'mach_down',
      ops: this.groupsOf(FOREIGN).map((group) => ({ group, action: 'start' as const })),
      then: () => {
        // mach_down's own message: no rtype, no isstable; on receipt here the takeover is complete.
        if (this.niceFailback) this.send({ what: 'resources', holds: 'foreign', full: false, info: 'mach_down' });
        this.log('mach_down takeover complete.');
        this.takeoverInProgress = false;
        this.iHold |= FOREIGN;
        this.needsFailback = true;
        this.otherStable = true;
      },
    });
    this.reqOurResources(true);
  }

  /** The peer released everything and is stopping: take what this node does not hold, at once. */
  private onShutdone(): void {
    if (this.commUp && this.activeAt === null && this.niceFailback) {
      this.otherStable = true;
      this.otherHolds = NONE;
      if (this.iHold !== ALL && !this.shuttingDown) {
        const rtype = this.iHold === FOREIGN ? LOCAL : this.iHold === LOCAL ? FOREIGN : ALL;
        this.going = 'done';
        this.standbyType = rtype;
        this.goStandby('other', rtype);
      }
    }
    this.log(`Received shutdown notice from '${this.c.peer}'.`);
    this.takeoverFromNode();
  }

  // --- graceful shutdown ---

  private isStable(): boolean {
    // hb_rsc_isstable: its peer stable, no takeover, no standby exchange, no script, its own
    // resource state settled (a shutdown asked during start-up waits until then).
    if (this.shuttingDown) return true;
    const settled = this.rstate === 'stable' || this.rstate === 'shutdown' || this.rstate === 'init';
    return this.otherStable && settled && !this.takeoverInProgress && this.going === 'not' && this.standbyUntil === 0 && !this.job && this.jobs.length === 0;
  }

  private shutdownIfNeeded(): void {
    if (!this.needsShutdown || this.shuttingDown) return;
    if (this.isStable()) this.giveUpResources();
    else this.shutdownWasDelayed = true;
  }

  private causeShutdownRestart(): void {
    this.restartAfterShutdown = true;
    this.needsShutdown = true;
    this.shutdownIfNeeded();
  }

  /** hb_giveup_resources: say so, stop every group, then `shutdone`; exit a second later. */
  private giveUpResources(): void {
    this.needsShutdown = false;
    this.shuttingDown = true;
    this.iHold = NONE;
    this.rstate = 'shutdown';
    this.sendHeld(false, 'shutdown');
    this.log(`Heartbeat shutdown in progress.`);
    this.queue({
      name: 'hb_giveup_resources',
      ops: [...this.c.groups].reverse().map((g) => ({ group: g.id, action: 'stop' as const })),
      then: () => {
        this.log('All HA resources relinquished.');
        this.send({ what: 'shutdone' });
        this.exitAt = this.now + 1000;
      },
    });
  }
}

/** A holding named from the other node's side. */
function mirror(bits: number): number {
  return bits === LOCAL ? FOREIGN : bits === FOREIGN ? LOCAL : bits;
}

type Distribute<T> = T extends unknown ? Omit<T, 'generation' | 'seq'> : never;
type HeartbeatNewsBody = Distribute<HeartbeatNews>;
