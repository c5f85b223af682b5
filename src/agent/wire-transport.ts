// The real PeerTransport: core messages become signed classic frames sent on every link, and
// frames that arrive become core messages only after every check: framing, digest, a message
// twinbeat understands, from the peer, to us, not replayed. Everything else is counted by
// reason (shown by `twinbeat status`) and logged once in a while, never thrown.
import type { Message } from '../core';
import type { AuthConfig, Config } from '../config/types';
import type { Link } from '../links/link';
import type { Logger } from '../log';
import { decodeFrame, emptyDropCounters, encodeFrame, ReplayGuard, textFields, type DropReason } from '../wire';
import type { WireField } from '../wire/fields';
import { fieldsToMessage, messageToFields, type Fields } from '../wire/messages';
import { fieldsToHeartbeatNews, heartbeatToFields, retransmissionToFields, speaksHeartbeat, type RetransmissionWords } from '../wire/heartbeat-messages';
import { HeartbeatRetransmission } from '../wire/heartbeat-rexmit';
import type { Deliver, DeliverHeartbeat, PeerTransport } from './transport';

/** A reason to drop is logged at most this often (a flood of junk must not flood the log). */
const DROP_LOG_INTERVAL_MS = 60_000;
/** Frames from the peer that fail authentication are a problem in `status` until none has come for this long. */
const AUTH_PROBLEM_MS = 60_000;

export interface WireTransportDeps {
  logger: Logger;
  links: Link[];
  /** Monotonic ms, for rate-limiting the drop log. */
  clock?: () => number;
  /** Wall-clock seconds for Heartbeat's `ts` field. */
  unixSeconds?: () => number;
}

export interface WireTransport extends PeerTransport {
  /** New authkeys (SIGHUP): frames are signed and checked with them from now on. */
  setAuth(auth: AuthConfig): void;
}

export function createWireTransport(initial: Config, deps: WireTransportDeps): WireTransport {
  let config = initial;
  const { logger, links } = deps;
  const clock = deps.clock ?? (() => performance.now());
  const unixSeconds = deps.unixSeconds ?? (() => Math.floor(Date.now() / 1000));
  const drops = emptyDropCounters();
  const lastLogged = new Map<DropReason, number>();
  const replay = new ReplayGuard();
  const linkOfPath = new Map(links.flatMap((link) => link.paths.map((p) => [p, link] as const)));
  const pathName = new Map(config.paths.map((p) => [p.id, p.name]));
  // The links count frames and bytes; these count messages, so the names must not collide.
  const tally = {
    'messages-decoded': 0,
    'messages-accepted': 0,
    'messages-sent': 0,
    'own-frames': 0,
    'heartbeat-unnumbered': 0,
    'heartbeat-resent': 0,
    'heartbeat-rexmit-asked': 0,
    'heartbeat-rexmit-refused': 0,
    'heartbeat-recovered': 0,
  };
  // A Heartbeat peer's retransmission (heartbeat-rexmit.ts): every numbered frame sent to all
  // paths is kept to be sent again; a gap in the peer's numbers is asked for.
  const rexmit = new HeartbeatRetransmission<Buffer>();
  let askTimer: ReturnType<typeof setTimeout> | undefined;
  let askDue: number | undefined;
  // A node that is neither of the pair is said once by name (a third node of a Heartbeat
  // cluster, a neighbour pair on the same LAN with the same keys), besides the drop count.
  const strangers = new Set<string>();

  function drop(reason: DropReason, path: string, detail: string) {
    drops[reason]++;
    const now = clock();
    const last = lastLogged.get(reason);
    if (last !== undefined && now - last < DROP_LOG_INTERVAL_MS) return;
    lastLogged.set(reason, now);
    logger.log('warn', `Dropped a frame on ${pathName.get(path) ?? path} (${reason}): ${detail} [${drops[reason]} so far; logged at most once a minute]`);
  }

  // The classic swap mistake: authkeys not copied to a new unit. Its frames name the peer but
  // fail the digest; say what that means once, in words, rather than only count it.
  let authFailure: { at: number; reason: DropReason; path: string } | undefined;
  function claimsToBePeer(fields: WireField[] | undefined): boolean {
    return fields?.find((f) => f.name === 'src')?.value.toString('latin1') === config.peerNode;
  }
  const authProblem = (reason: DropReason, path: string) =>
    `frames from ${config.peerNode} on ${pathName.get(path) ?? path} fail authentication (${reason}): do both nodes have the same authkeys? ${config.peerNode} is heard but not understood, so it is not counted as up`;

  // The peer sends each message on every path as the same bytes. Every check but the replay
  // guard's (which is per path) depends on those bytes alone, so a copy of the last frame that
  // passed them is not decoded and authenticated again: its message is taken as it was. (An
  // idle agent decoded a second copy every second.) Forgotten when the keys change.
  let lastPassed: { frame: Buffer; message: Message } | undefined;

  function receive(deliver: Deliver, frame: Buffer, path: string) {
    tally['messages-decoded']++;
    const message = lastPassed?.frame.equals(frame) ? lastPassed.message : understood(frame, path);
    if (!message) return;
    const verdict = replay.check(config.peerNode, path, message.boot ?? message.generation, message.seq);
    if (verdict !== 'ok') return drop(verdict, path, `seq ${message.seq} of generation ${message.generation}`);
    tally['messages-accepted']++;
    deliver(path, message);
  }

  /** The peer's message to us in `frame`, once framing, digest, sender and addressee are checked; undefined (counted) if not. */
  function understood(frame: Buffer, path: string): Message | undefined {
    const decoded = decodeFrame(frame, config.auth);
    if (!decoded.ok) {
      if ((decoded.reason === 'bad-auth' || decoded.reason === 'unknown-key') && claimsToBePeer(decoded.fields)) {
        if (!authFailure || clock() - authFailure.at > AUTH_PROBLEM_MS) logger.log('ERROR', authProblem(decoded.reason, path));
        authFailure = { at: clock(), reason: decoded.reason, path };
      }
      return void drop(decoded.reason, path, decoded.detail);
    }
    const fields = textFields(decoded.fields);
    const src = fields.find(([n]) => n === 'src')?.[1];
    // Our own frame coming back (a serial loop-back plug, a bridged broadcast): not news, not an attack.
    if (src === config.localNode) return void tally['own-frames']++;
    if (src !== config.peerNode) {
      if (src && !strangers.has(src) && strangers.size < 16) {
        strangers.add(src);
        logger.log('warn', `Node ${src} is heard on ${pathName.get(path) ?? path} with our keys, but ha.cf names only ${config.localNode} and ${config.peerNode}: twinbeat runs a pair, not a cluster of three; ${src}'s frames are ignored`);
      }
      return void drop('unknown-node', path, `src=${src ?? '(none)'} is not ${config.peerNode}`);
    }
    // A Heartbeat 3.0 peer's frame is read in its words and delivered apart (never cached: its copies are rare).
    if (speaksHeartbeat(fields)) return void receiveHeartbeat(fields, path);
    const parsed = fieldsToMessage(fields);
    if (!parsed.ok) return void drop('bad-message', path, parsed.reason);
    if (parsed.dest !== config.localNode) return void drop('not-for-us', path, `dest=${parsed.dest}`);
    lastPassed = { frame, message: parsed.message };
    return parsed.message;
  }

  let deliverHeartbeat: DeliverHeartbeat | undefined;
  /** A peer that runs Heartbeat 3.0: its frames are checked as twinbeat's are (numbered, not replayed), then read in its words. */
  function receiveHeartbeat(fields: Fields, path: string) {
    const parsed = fieldsToHeartbeatNews(fields);
    if (!parsed.ok) return drop('bad-message', path, parsed.reason);
    if ('unnumbered' in parsed) return void tally['heartbeat-unnumbered']++;
    if ('retransmission' in parsed) {
      if (parsed.dest !== config.localNode) return drop('not-for-us', path, `NS_ retransmission for dest=${parsed.dest}`);
      return retransmissionAsked(parsed.retransmission);
    }
    const { generation, seq } = parsed.news;
    const verdict = replay.check(parsed.src, path, generation, seq);
    if (verdict !== 'ok') return drop(verdict, path, `seq ${seq} of generation ${generation}`);
    tally['messages-accepted']++;
    if (rexmit.heard(generation, seq, clock())) tally['heartbeat-recovered']++;
    askLater();
    deliverHeartbeat?.(path, parsed.news);
  }

  /**
   * The peer's retransmission words. Not numbered, so they could be replayed: what they cause is
   * bounded (a frame is sent again at most every REXMIT_MS, authentic bytes the peer takes once).
   */
  function retransmissionAsked(words: RetransmissionWords) {
    if (words.what === 'nak') return rexmit.refusedByPeer(words.refused);
    const { again, refused } = rexmit.requested(words.first, words.last, clock());
    for (const frame of again) {
      toEveryPath(frame);
      tally['heartbeat-resent']++;
    }
    for (const seq of refused) sendRetransmission({ what: 'nak', refused: seq });
  }

  function sendRetransmission(words: RetransmissionWords) {
    if (words.what === 'rexmit') tally['heartbeat-rexmit-asked']++;
    else tally['heartbeat-rexmit-refused']++;
    const envelope = { src: config.localNode, dest: config.peerNode, unixSeconds: unixSeconds() };
    toEveryPath(encodeFrame(retransmissionToFields(words, envelope), config.auth));
  }

  /** Ask for what is missing when it is due (a timer only while something is missing). */
  function askLater() {
    const due = rexmit.nextDue();
    if (due === undefined || (askTimer && askDue !== undefined && askDue <= due)) return;
    if (askTimer) clearTimeout(askTimer);
    askDue = due;
    askTimer = setTimeout(
      () => {
        askTimer = undefined;
        askDue = undefined;
        for (const [first, last] of rexmit.due(clock())) sendRetransmission({ what: 'rexmit', first, last });
        askLater();
      },
      Math.max(0, due - clock()) + 1,
    );
  }

  function toEveryPath(frame: Buffer) {
    for (const p of config.paths) toPath(frame, p.id);
  }

  function toPath(frame: Buffer, id: string) {
    const link = linkOfPath.get(id);
    if (!link) return;
    link.send(frame, id);
    tally['messages-sent']++;
  }

  return {
    async start(deliver, heartbeat) {
      deliverHeartbeat = heartbeat;
      await Promise.all(links.map((link) => link.start((frame, path) => receive(deliver, frame, path))));
    },
    sendHeartbeat(message) {
      const envelope = { src: config.localNode, dest: config.peerNode, unixSeconds: unixSeconds() };
      const frame = encodeFrame(heartbeatToFields(message, envelope), config.auth);
      rexmit.sent(message.seq, frame);
      toEveryPath(frame);
    },
    send(message: Message, path?: string) {
      const envelope = { src: config.localNode, dest: config.peerNode, unixSeconds: unixSeconds() };
      const frame = encodeFrame(messageToFields(message, envelope), config.auth);
      if (path) return toPath(frame, path);
      // Sent on every path, it counts in a Heartbeat peer's numbering and may be asked for again.
      rexmit.sent(message.seq, frame);
      toEveryPath(frame);
    },
    setAuth(auth) {
      config = { ...config, auth };
      authFailure = undefined;
      lastPassed = undefined;
    },
    problems() {
      if (authFailure && clock() - authFailure.at > AUTH_PROBLEM_MS) authFailure = undefined;
      return authFailure ? [authProblem(authFailure.reason, authFailure.path)] : [];
    },
    async stop() {
      if (askTimer) clearTimeout(askTimer);
      askTimer = undefined;
      await Promise.all(links.map((link) => link.stop()));
    },
    counters() {
      const out: Record<string, number> = { ...tally };
      for (const [reason, n] of Object.entries(drops)) if (n > 0) out[`dropped-${reason}`] = n;
      for (const link of links) for (const [k, n] of Object.entries(link.counters())) out[k] = (out[k] ?? 0) + n;
      return out;
    },
  };
}
