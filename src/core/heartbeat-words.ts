// What the Heartbeat-peer files share (heartbeat-peer.ts, heartbeat-standby.ts): the peer's slot
// in the core state, Heartbeat's holdings as bits, and how a message in Heartbeat's words leaves.
import type { DecisionCause } from './decisions';
import { log, mayRun, type CoreState, type Step } from './state';
import type { HeartbeatHolding, HeartbeatOut } from './types';

export const LOCAL = 1;
export const FOREIGN = 2;
export const BITS: Record<HeartbeatHolding, number> = { none: 0, local: LOCAL, foreign: FOREIGN, all: LOCAL | FOREIGN };
export const HOLDINGS: HeartbeatHolding[] = ['none', 'local', 'foreign', 'all'];

/** Heartbeat's standby exchange (`ask_resources`): `me`, `other`, `done`, in the order docs/heartbeat-peer.md gives. */
export interface Exchange {
  /** What moves, from the point of view of the node going standby (the giver). */
  holds: HeartbeatHolding;
  /**
   * Taking: `agreed` once we answered `other`, `acquiring` once it said `done` (released).
   * Giving: `asked` once we said `me`, `releasing` once it answered `other`, `released` once we said `done`.
   */
  phase: 'agreed' | 'acquiring' | 'asked' | 'releasing' | 'released';
  /** When it began (a `me` nobody answers is given up after STANDBY_ANSWER_MS, as Heartbeat does). */
  at: number;
  /** Giving: why (the operator's standby here or hb_takeover there, or failback), for the decision that hands each group over. */
  cause?: DecisionCause;
  /** Taking: the number of the giver's `me`; its `done` is numbered above it. */
  seq?: number;
}

export interface HeartbeatPeerSlot {
  /** The peer's run (`hg`) this slot describes. */
  generation: number;
  /**
   * The `seq`s of that run whose content was taken in, newest last (at most SEEN_SEQS): a copy on
   * another path only proves the path. Not a high-water mark: Heartbeat numbers a message when it
   * is queued, so its standby `done` can come after a `resource` numbered above it.
   */
  seen: number[];
  /** Counts the frames whose content was taken in: the number the rest of the core sees them by, in the order they changed this slot. */
  viewSeq: number;
  /** Its last `st`. */
  status: string;
  /** The number of its last `resource` taken in: one numbered below is an older word held back on a lossy path, not news. */
  resourceSeq: number;
  /** What it holds, as bits of its own point of view (LOCAL: its home groups); null until it said. */
  holds: number | null;
  /** Its last `isstable`; null until it said. */
  stable: boolean | null;
  /** `holds` is a fact: its last word was a stable full update (or it finished handing us groups); otherwise a direction. */
  settled: boolean;
  /** False once it said something twinbeat does not understand (crm, a third node, an unknown kind): no view until its next run. */
  understood: boolean;
  /** When our `starting` went to this run (the peer answers it with what it holds); null: not yet. */
  startingAt: number | null;
  /** When our first `starting` went to this run: a peer silent about what it holds long after is not one we can pair with (auto_failback legacy). */
  firstStartingAt: number | null;
  /** Our last `starting` has not been answered yet: its answer is followed by our holding, as a starting Heartbeat node says its own after the answer. */
  awaitingAnswer: boolean;
  /** When its last `resource` was taken in (a view left in transition for long is asked again). */
  resourceAt: number;
  /** It answered a `starting` of this run of ours: it knows this run, so it may judge it dead and, hearing it again, give everything up. */
  answered: boolean;
  /** It took over from a dead node (mach_down) before it answered this run of ours: at initdead, never having heard us. */
  tookOverUnknowing: boolean;
  /** When it was (last) heard while judged dead here, which of us runs what then to be settled; null: never. */
  partitionedAt: number | null;
  /** Our `starting` went to it PARTITION_RESTART_MS after that, for a word said once it would have restarted. */
  askedAfterPartition: boolean;
  /** Since then it said, stably, what it holds: it did not judge us dead (a Heartbeat node that did gives everything up and restarts, unstable meanwhile). */
  keepsAfterPartition: boolean;
  /** It asked what we hold (its `starting`, or our own `starting` which it answers): say it at the end of the step. */
  resourcesDue: boolean;
  /** Our holding and stability as last said (`local 1`), '' when never. */
  lastSent: string;
  /** Our `shutdone` went to this run (graceful shutdown here). */
  shutdoneSent: boolean;
  /** The peer's standby exchange in which this node takes (its hb_standby, or its failback to us). */
  taking: Exchange | null;
  /** Our standby exchange in which this node gives (failback to it, its hb_takeover). */
  giving: Exchange | null;
  /** This run went standby and handed its groups here: no failback to it until it starts again (Heartbeat's own rule). */
  stoodBy: boolean;
  /** Notices already logged, kept across the peer's runs: each is said once. */
  said: string[];
}

/**
 * Heartbeat's RQSTDELAY: how long it waits for a peer that stays in transition before asking
 * again; twinbeat asks a peer whose view stays in transition this long again (`starting`), and
 * says once that a peer silent this long about what it holds cannot be paired with.
 */
export const RQSTDELAY_MS = 10_000;

/**
 * A Heartbeat node that hears again the run it judged dead restarts two seconds later (its
 * CauseShutdownRestart timer), giving everything up: a stable word of it said this long after we
 * heard it again is one of a node that did not judge us dead.
 */
export const PARTITION_RESTART_MS = 3000;

/** How many recent `seq`s a slot remembers (Heartbeat's own retransmission window is 200 messages). */
export const SEEN_SEQS = 256;

export function freshSlot(generation: number, said: string[]): HeartbeatPeerSlot {
  return { generation, seen: [], viewSeq: 0, status: '', resourceSeq: -1, holds: null, stable: null, settled: false, understood: true, startingAt: null, firstStartingAt: null, awaitingAnswer: false, answered: false, tookOverUnknowing: false, resourceAt: -Infinity, partitionedAt: null, askedAfterPartition: false, keepsAfterPartition: false, resourcesDue: false, lastSent: '', shutdoneSent: false, taking: null, giving: null, stoodBy: false, said };
}

/** The groups a holding covers, `node` being the one that said it (its `local` are the groups whose home it is). */
export function groupsOfHolding(s: CoreState, bits: number, node: string): string[] {
  return s.config.groups.filter((g) => (g.home === node ? bits & LOCAL : bits & FOREIGN)).map((g) => g.id);
}

/** What this node holds, in Heartbeat's words from this node's point of view (a group counts from its claim until its stop completes). */
export function ourHolding(s: CoreState): HeartbeatHolding {
  let bits = 0;
  for (const g of s.config.groups) {
    const slot = s.groups[g.id]!;
    if (slot.token || mayRun(slot.state)) bits |= g.home === s.config.local ? LOCAL : FOREIGN;
  }
  return HOLDINGS[bits]!;
}

type HeartbeatWords =
  | { what: 'starting' }
  | { what: 'resources'; holds: HeartbeatHolding; stable: boolean; info?: string }
  | { what: 'standby'; holds: HeartbeatHolding; info: 'me' | 'other' | 'done' }
  | { what: 'takeover'; holds: HeartbeatHolding }
  | { what: 'shutdone' };

/** A message in Heartbeat's words, numbered from the same counter as every message of this run. */
export function sendHeartbeat(st: Step, words: HeartbeatWords): void {
  const message = { generation: st.s.generation, seq: ++st.s.seq, ...words } as HeartbeatOut;
  st.out.push({ type: 'send-heartbeat', message });
}

/**
 * A Heartbeat peer keeps what it holds for good when both nodes run a group after contact was lost
 * without a reset: Heartbeat gives its groups up after a partition only when the run it judged dead
 * speaks again (it releases everything and restarts). So a run that never knew this run of ours
 * keeps them (it started during the partition, or took over at initdead before it answered us),
 * and so does one that said, stably, what it holds since we heard it again after judging it dead
 * (it did not judge us dead). Otherwise it may be about to give everything up: keep ours meanwhile.
 */
export function heartbeatPeerKeeps(s: CoreState): boolean {
  const hb = s.heartbeat;
  return !!hb && hb.stable === true && (!hb.answered || hb.tookOverUnknowing || hb.keepsAfterPartition);
}

/** A notice said once per key, across the peer's runs. */
export function once(st: Step, hb: HeartbeatPeerSlot, key: string, level: 'info' | 'warn' | 'error', text: string): void {
  if (hb.said.includes(key)) return;
  hb.said.push(key);
  log(st, level, text);
}
