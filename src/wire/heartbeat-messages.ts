// Heartbeat 3.0's own vocabulary <-> the core's HeartbeatNews / HeartbeatOut (issue 24; the
// messages are described in test/fixtures/heartbeat-3.0.6/README.md). A frame is in Heartbeat's
// words when it lacks twinbeat's `ackhg`, which every twinbeat message carries. Reading never
// throws: a frame that does not make sense comes back as a reason to drop and count it.
import type { HeartbeatHolding, HeartbeatNews, HeartbeatOut } from '../core';
import type { Envelope, Fields } from './messages';

/** True when the frame is in Heartbeat's words, not twinbeat's. */
export function speaksHeartbeat(fields: Fields): boolean {
  return !fields.some(([name]) => name === 'ackhg');
}

export type HeartbeatParsed =
  | { ok: true; news: HeartbeatNews; src: string }
  /** A frame Heartbeat does not number (`NS_ackmsg`): Heartbeat's flow control, nothing for the core. */
  | { ok: true; unnumbered: string; src: string }
  /** Retransmission, not numbered either (heartbeat-rexmit.ts): the peer asks for frames again, or says it cannot send one. */
  | { ok: true; retransmission: RetransmissionWords; dest: string | undefined; src: string }
  | { ok: false; reason: string };

/** `NS_rexmit` asks for `first`..`last` again; `NS_nakrexmit` says `refused` is no longer kept. */
export type RetransmissionWords = { what: 'rexmit'; first: number; last: number } | { what: 'nak'; refused: number };

const HOLDINGS: readonly HeartbeatHolding[] = ['none', 'local', 'foreign', 'all'];
const STATUSES = ['init', 'up', 'active'] as const;
/**
 * Understood, nothing to decide on: node-list questions, the resource scripts' address exchange,
 * and a local API client (ipfail, say) joining or leaving (`hbapi-clstat`).
 */
const ROUTINE = new Set(['reqnodes', 'ip-request', 'ip-request-resp', 'hbapi-clstat']);
/** ipfail's words to its partner on the other node (`respawn ... ipfail` with ping nodes). */
const IPFAIL = new Set(['num_ping_nodes', 'you_are_dead', 'abort_giveup']);
/** What Pacemaker's daemons send through Heartbeat when it runs with `crm yes`. */
const PACEMAKER = /^(cib|crmd|attrd|stonith-ng|stonithd|pingd|mgmtd|lrmd|pengine|ccm|CCM.*|crm.*)$/;

const hexNumber = (text: string | undefined) => (text !== undefined && /^[0-9a-f]{1,13}$/i.test(text) ? parseInt(text, 16) : undefined);
const holding = (text: string | undefined) => HOLDINGS.find((h) => h === text);

/** `fields` as decoded from an authenticated frame in Heartbeat's words. */
export function fieldsToHeartbeatNews(fields: Fields): HeartbeatParsed {
  const get = (name: string) => fields.find(([n]) => n === name)?.[1];
  const type = get('t');
  const src = get('src');
  if (!type || !src) return { ok: false, reason: 'Heartbeat frame without t or src' };
  const generation = hexNumber(get('hg'));
  const seq = hexNumber(get('seq'));
  if (type === 'NS_ackmsg' && seq === undefined) return { ok: true, unnumbered: type, src };
  if (type === 'NS_rexmit' || type === 'NS_nakrexmit') return retransmission(type, get, src);
  if (generation === undefined || seq === undefined) return { ok: false, reason: `Heartbeat t=${type} without a hex hg and seq` };
  const base = { generation, seq };
  const news = (n: HeartbeatNews): HeartbeatParsed => ({ ok: true, news: n, src });
  switch (type) {
    case 'status': {
      const st = STATUSES.find((s) => s === get('st'));
      return st ? news({ ...base, what: 'status', status: st }) : news({ ...base, what: 'unknown', type, detail: `status st=${get('st')}` });
    }
    case 'starting':
      return news({ ...base, what: 'starting' });
    case 'resource': {
      const holds = holding(get('rsc_hold'));
      if (!holds) return { ok: false, reason: `Heartbeat resource message with rsc_hold=${get('rsc_hold')}` };
      const stable = get('isstable');
      const info = get('info');
      return news({ ...base, what: 'resources', holds, full: get('rtype') === 'full', ...(stable !== undefined ? { stable: stable === '1' } : {}), ...(info ? { info } : {}) });
    }
    case 'shutdone':
      return news({ ...base, what: 'shutdone' });
    case 'repnodes':
      return news({ ...base, what: 'nodes', nodes: (get('nodelist') ?? '').split(' ').filter(Boolean) });
    case 'ask_resources':
    case 'hb_takeover': {
      const info = get('info');
      return news({ ...base, what: 'handover', type, holds: holding(get('rsc_hold')) ?? 'all', ...(info ? { info } : {}) });
    }
  }
  if (ROUTINE.has(type)) return news({ ...base, what: 'routine', type });
  if (IPFAIL.has(type)) return news({ ...base, what: 'ipfail', type });
  if (PACEMAKER.test(type)) return news({ ...base, what: 'crm', type });
  return news({ ...base, what: 'unknown', type, detail: 'not a message of a two-node Heartbeat 3.0.6 pair with crm no' });
}

/** Heartbeat writes a request's numbers in decimal (ha_msg_add_int) and a refusal's in hex. */
function retransmission(type: 'NS_rexmit' | 'NS_nakrexmit', get: (name: string) => string | undefined, src: string): HeartbeatParsed {
  const dest = get('dest');
  if (type === 'NS_nakrexmit') {
    const refused = hexNumber(get('firstseq'));
    return refused === undefined ? { ok: false, reason: `Heartbeat NS_nakrexmit with firstseq=${get('firstseq')}` } : { ok: true, retransmission: { what: 'nak', refused }, dest, src };
  }
  const decimal = (text: string | undefined) => (text !== undefined && /^[0-9]{1,15}$/.test(text) ? Number(text) : undefined);
  const first = decimal(get('firstseq'));
  const last = decimal(get('lastseq'));
  if (first === undefined || last === undefined || first > last) return { ok: false, reason: `Heartbeat NS_rexmit with firstseq=${get('firstseq')} lastseq=${get('lastseq')}` };
  return { ok: true, retransmission: { what: 'rexmit', first, last }, dest, src };
}

/** Our retransmission words to a Heartbeat peer, not numbered, as Heartbeat writes them. */
export function retransmissionToFields(words: RetransmissionWords, envelope: Envelope): Fields {
  const body: Fields =
    words.what === 'rexmit'
      ? [['t', 'NS_rexmit'], ['dest', envelope.dest], ['firstseq', String(words.first)], ['lastseq', String(words.last)]]
      : [['t', 'NS_nakrexmit'], ['firstseq', hex(words.refused)], ['dest', envelope.dest], ['comment', 'seqno not found']];
  return [...body, ['src', envelope.src], ['ts', hex(envelope.unixSeconds)]];
}

const hex = (n: number) => Math.max(0, Math.floor(n)).toString(16);

/** A message to a Heartbeat peer, as Heartbeat writes it: cluster-wide (no `dest`), then its sender, run and number. */
export function heartbeatToFields(message: HeartbeatOut, envelope: Envelope): Fields {
  return [...wordsOf(message), ['src', envelope.src], ['seq', hex(message.seq)], ['hg', hex(message.generation)], ['ts', hex(envelope.unixSeconds)]];
}

function wordsOf(message: HeartbeatOut): Fields {
  switch (message.what) {
    case 'starting':
      return [['t', 'starting']];
    case 'shutdone':
      return [['t', 'shutdone'], ['st', 'dead']];
    case 'standby':
      return [['t', 'ask_resources'], ['rsc_hold', message.holds], ['info', message.info]];
    case 'takeover':
      return [['t', 'hb_takeover'], ['rsc_hold', message.holds]];
    case 'resources':
      return [['t', 'resource'], ['rsc_hold', message.holds], ['rtype', 'full'], ['isstable', message.stable ? '1' : '0'], ...(message.info ? ([['info', message.info]] as Fields) : [])];
  }
}
