// Core messages <-> the name=value fields of a frame. Heartbeat's field names where the meaning
// is the same (t, st, src, dest, seq, hg, ts); twinbeat's own for the rest (`bid`, `ackbid`,
// `chal`/`ans` carry the boot numbers and challenges that tell a run from a replay,
// src/core/liveness.ts). A heartbeat is
// Heartbeat's `t=status`; the handover messages are new `t=` values. Lists of groups are
// space-separated: a haresources word never contains whitespace. Reading never throws: a
// frame that does not make a complete message comes back as a reason to drop and count it.
import type { HealthMove, Message, MessageKind, NodeMode, SenderView } from '../core';

export type Fields = [name: string, value: string][];

const TYPE_OF: Record<MessageKind, string> = {
  heartbeat: 'status',
  'release-request': 'tb-release-request',
  'release-done': 'tb-release-done',
  shutdown: 'tb-shutdown',
  'shutdown-ack': 'tb-shutdown-ack',
};
const KIND_OF = Object.fromEntries(Object.entries(TYPE_OF).map(([k, t]) => [t, k as MessageKind]));
const MODES: readonly NodeMode[] = ['active', 'standby', 'leaving'];

export interface Envelope {
  src: string;
  dest: string;
  /** Wall-clock seconds, Heartbeat's `ts` (informational: replay protection uses hg + seq). */
  unixSeconds: number;
}

const hex = (n: number) => Math.max(0, Math.floor(n)).toString(16);
const list = (ids: string[]) => ids.join(' ');

export function messageToFields(message: Message, envelope: Envelope): Fields {
  const fields: Fields = [
    ['t', TYPE_OF[message.kind]],
    ['st', message.mode],
    ['src', envelope.src],
    ['dest', envelope.dest],
    ['seq', hex(message.seq)],
    ['hg', hex(message.generation)],
    ['ts', hex(envelope.unixSeconds)],
    ['ackhg', hex(message.ackGeneration)],
    ['held', list(message.held)],
    ['granted', list(message.granted)],
    ['failed', list(message.failed)],
    ['epochs', Object.entries(message.epochs).map(([id, n]) => `${id}:${n}`).join(' ')],
    // The core's clock is fractional (performance.now): the field carries whole milliseconds.
    ['fence', String(Math.round(message.fenceInMs))],
  ];
  if (message.boot !== undefined) fields.push(['bid', hex(message.boot)], ['ackbid', hex(message.ackBoot ?? 0)]);
  if (message.challenge !== undefined) fields.push(['chal', hex(message.challenge)]);
  if (message.answer !== undefined) fields.push(['ans', hex(message.answer)]);
  if (message.marked !== undefined && message.marked.length > 0) fields.push(['marked', list(message.marked)]);
  if (message.stuck !== undefined && message.stuck.length > 0) fields.push(['stuck', list(message.stuck)]);
  if (message.resetMe === true) fields.push(['resetme', '1']);
  if (message.reach !== undefined && message.reach >= 0) fields.push(['reach', String(message.reach)]);
  if (message.down !== undefined) fields.push(['down', list(message.down)]);
  // `steady=800 eth0`: whole milliseconds, then what changed (it may contain spaces: `ping targets`).
  if (message.steady !== undefined) fields.push(['steady', `${Math.max(0, Math.round(message.steady.forMs))} ${message.steady.cause}`]);
  // `moves=192.0.2.50:5:1200 ...`: group, the epoch of the move, ms ago (a group may hold colons: IPv6).
  if (message.moves !== undefined) {
    const entries = Object.entries(message.moves).flatMap(([id, ms]) => ms.map((m) => `${id}:${m.epoch}:${Math.max(0, Math.round(m.agoMs))}`));
    if (entries.length > 0) fields.push(['moves', entries.join(' ')]);
  }
  if (message.kind === 'release-request' || message.kind === 'release-done') fields.push(['groups', list(message.groups)]);
  return fields;
}

export type Parsed = { ok: true; message: Message; src: string; dest: string } | { ok: false; reason: string };

const bad = (reason: string): Parsed => ({ ok: false, reason });
const words = (text: string) => (text === '' ? [] : text.split(' '));

function number(text: string | undefined, radix: 10 | 16): number | undefined {
  if (text === undefined) return undefined;
  const valid = radix === 16 ? /^[0-9a-f]{1,13}$/i : /^-?\d{1,15}$/;
  return valid.test(text) ? parseInt(text, radix) : undefined;
}

/** `fields` as decoded from an authenticated frame. */
export function fieldsToMessage(fields: Fields): Parsed {
  const get = (name: string) => fields.find(([n]) => n === name)?.[1];
  const kind = KIND_OF[get('t') ?? ''];
  if (!kind) return bad(`unknown message type t=${get('t')}`);
  const mode = get('st') as NodeMode;
  if (!MODES.includes(mode)) return bad(`bad status st=${get('st')}`);
  const src = get('src');
  const dest = get('dest');
  if (!src || !dest) return bad('missing src or dest');
  const seq = number(get('seq'), 16);
  const generation = number(get('hg'), 16);
  const ackGeneration = number(get('ackhg'), 16);
  const fenceInMs = number(get('fence'), 10);
  const reach = number(get('reach'), 10);
  // Boot numbers: absent from a twinbeat that predates them (then the generation stands in).
  const boot = number(get('bid'), 16);
  const ackBoot = number(get('ackbid'), 16);
  const challenge = number(get('chal'), 16);
  const answer = number(get('ans'), 16);
  if ((get('bid') !== undefined && !boot) || (get('ackbid') !== undefined && ackBoot === undefined) || (get('chal') !== undefined && !challenge) || (get('ans') !== undefined && !answer)) {
    return bad('malformed bid, ackbid, chal or ans');
  }
  if (get('reach') !== undefined && (reach === undefined || reach < 0)) return bad(`malformed reach=${get('reach')}`);
  if (seq === undefined || generation === undefined || ackGeneration === undefined || fenceInMs === undefined) {
    return bad('missing or malformed seq, hg, ackhg or fence');
  }
  const steadyText = get('steady');
  const steadyMatch = steadyText === undefined ? null : /^(\d{1,15}) (.+)$/.exec(steadyText);
  if (steadyText !== undefined && !steadyMatch) return bad(`malformed steady=${steadyText}`);
  const moves: Record<string, HealthMove[]> = {};
  for (const entry of words(get('moves') ?? '')) {
    const m = /^(.+):(\d{1,15}):(\d{1,15})$/.exec(entry);
    if (!m) return bad(`malformed moves entry "${entry}"`);
    (moves[m[1]!] ??= []).push({ epoch: Number(m[2]), agoMs: Number(m[3]) });
  }
  const epochs: Record<string, number> = {};
  for (const entry of words(get('epochs') ?? '')) {
    const colon = entry.lastIndexOf(':');
    const n = number(entry.slice(colon + 1), 10);
    if (colon <= 0 || n === undefined) return bad(`malformed epochs entry "${entry}"`);
    epochs[entry.slice(0, colon)] = n;
  }
  const view: SenderView = {
    generation,
    ...(boot !== undefined ? { boot } : {}),
    seq,
    ackGeneration,
    ...(boot !== undefined ? { ackBoot: ackBoot ?? 0 } : {}),
    ...(challenge !== undefined ? { challenge } : {}),
    ...(answer !== undefined ? { answer } : {}),
    mode,
    held: words(get('held') ?? ''),
    granted: words(get('granted') ?? ''),
    failed: words(get('failed') ?? ''),
    epochs,
    fenceInMs,
    ...(get('marked') !== undefined ? { marked: words(get('marked')!) } : {}),
    ...(get('stuck') !== undefined ? { stuck: words(get('stuck')!) } : {}),
    ...(get('resetme') === '1' ? { resetMe: true } : {}),
    ...(reach !== undefined ? { reach } : {}),
    ...(get('down') !== undefined ? { down: words(get('down')!) } : {}),
    ...(steadyMatch ? { steady: { forMs: Number(steadyMatch[1]), cause: steadyMatch[2]! } } : {}),
    ...(Object.keys(moves).length > 0 ? { moves } : {}),
  };
  if (kind === 'release-request' || kind === 'release-done') {
    const groups = get('groups');
    if (groups === undefined) return bad(`${TYPE_OF[kind]} without groups`);
    return { ok: true, message: { kind, groups: words(groups), ...view }, src, dest };
  }
  return { ok: true, message: { kind, ...view }, src, dest };
}
