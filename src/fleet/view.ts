// The fleet view as a pure function of what the broker delivered: every retained availability
// and state of every node under the prefix, plus the events seen while watching. No I/O, no
// clock (`now` is passed in), so the table an operator reads can be tested message by message.
import { parseTopic } from '../mqtt/topics';
import { parseEvent, parseState, type WireState } from '../mqtt/wire';
import type { PeerState, PathState, Role } from '../snapshot';

export interface FleetMessage {
  topic: string;
  payload: string;
  /** ISO 8601 of receipt. */
  receivedAt: string;
}

interface NodeRecord {
  cluster: string;
  node: string;
  availability?: 'online' | 'offline';
  state?: WireState;
}

interface FailoverRecord {
  at: string;
  node: string;
  text: string;
  source: 'event' | 'decision';
}

/** What has been received so far; fold messages into it with applyMessage. */
export interface FleetState {
  prefix: string;
  nodes: Map<string, NodeRecord>;
  /** The newest failover or handover event per cluster. */
  failovers: Map<string, FailoverRecord>;
  /**
   * Clusters (as topic levels) whose retained states are still on their way: the watcher asks
   * for them slice by slice (watch.ts) and says when each slice is in.
   */
  loading: Set<string>;
}

export const FLAGS = ['offline node', 'path down', 'both active', 'waiting for operator', 'incomplete'] as const;
export type Flag = (typeof FLAGS)[number];

export interface NodeView {
  node: string;
  /**
   * `unknown`: named as a peer by the other node, never heard from on the broker. `dead`: its
   * peer declared it dead after hearing everything its own state says (see `deadPer`), which
   * a power loss shows at once while the broker waits out the keepalive before the Last Will.
   */
  availability: 'online' | 'offline' | 'unknown' | 'dead';
  /** With `dead`: the peer whose verdict it is. */
  deadPer?: string;
  role: Role | 'unknown';
  /** What this node thinks of its peer. */
  peerState?: PeerState;
  paths: { name: string; state: PathState }[];
  generation?: number;
  version?: string;
  uptimeS?: number;
  publishedAt?: string;
}

export interface GroupView {
  id: string;
  /** The node that holds it, or null when nobody does. */
  holder: string | null;
  /** Nodes that each claim to hold it (more than one: both active). */
  claimedBy: string[];
  failedOn: string[];
}

export interface PairView {
  cluster: string;
  nodes: NodeView[];
  groups: GroupView[];
  lastFailover?: FailoverRecord;
  flags: Flag[];
  /**
   * Retained topics that should be there and did not arrive (`NODE/state` of an online node,
   * `NODE/availability` of a node with a state): the broker dropped them, or they were
   * cleared. Flagged `incomplete`.
   */
  missing: string[];
  /** Its retained states are still being fetched. */
  loading?: true;
}

export interface FleetView {
  prefix: string;
  at: string;
  pairs: PairView[];
  flagged: number;
  /** Every pair's retained messages arrived: nothing loading, nothing missing. */
  complete: boolean;
  /** Pairs still loading or missing a topic. */
  incomplete: number;
}

export function emptyFleet(prefix: string): FleetState {
  return { prefix, nodes: new Map(), failovers: new Map(), loading: new Set() };
}

const key = (cluster: string, node: string) => `${cluster}\u0000${node}`;

/** Folds one message in; messages that are not twinbeat's are ignored. */
export function applyMessage(fleet: FleetState, message: FleetMessage): void {
  const topic = parseTopic(fleet.prefix, message.topic);
  if (!topic) return;
  if (topic.kind === 'events') {
    const event = parseEvent(message.payload);
    if (!event || (event.type !== 'failover' && event.type !== 'handover')) return;
    const previous = fleet.failovers.get(topic.cluster);
    if (!previous || previous.at <= event.at) fleet.failovers.set(topic.cluster, { at: event.at, node: event.node, text: event.text, source: 'event' });
    return;
  }
  if (topic.kind === 'command') return;
  const k = key(topic.cluster, topic.node);
  const record = fleet.nodes.get(k) ?? { cluster: topic.cluster, node: topic.node };
  if (topic.kind === 'availability') {
    // An empty retained payload is someone clearing the topic.
    if (message.payload === 'online' || message.payload === 'offline') record.availability = message.payload;
    else delete record.availability;
  } else {
    const state = parseState(message.payload);
    if (state) record.state = state;
    else if (message.payload === '') delete record.state;
    else return;
  }
  if (record.availability === undefined && record.state === undefined) fleet.nodes.delete(k);
  else fleet.nodes.set(k, record);
}

/**
 * The peer that declared this node dead after the node's own state was made, if any.
 *
 * "After" is judged without clocks: the two nodes' wall clocks may differ (a swapped unit can
 * run behind), so neither `publishedAt` can be compared with the other node's. Instead the
 * node's state carries the generation and sequence number of its last message to the peer
 * when the state was made, and the peer's verdict carries those of the last message it heard
 * from the node. A verdict that heard that message or a later one is newer than the state: the
 * node was heard after it said what it says, and then went silent for deadtime. A node that is
 * in fact alive (a cut cable, not a power loss) keeps sending, and its next state, made when it
 * loses its peer, has a higher number than any verdict on it, so it is not hidden. The one
 * case left to the Last Will: a state made in the very step whose message the cut swallowed
 * is newer than the verdict (the peer never heard it), and both claims stand until then.
 */
function deadPer(record: NodeRecord, peer: NodeRecord | undefined): string | undefined {
  const verdict = peer?.state?.peer;
  if (!peer?.state || !verdict || verdict.node !== nameOf(record) || verdict.state !== 'dead') return undefined;
  const own = record.state;
  // A node that never stated anything has nothing newer than the verdict.
  if (!own) return peer.state.node;
  // A verdict on another run of the node (the peer has not joined the run that made this state,
  // which is the node's newest): not about this state. Generations cannot say which run is newer.
  if (typeof own.boot === 'number' && typeof verdict.boot === 'number' && own.boot !== verdict.boot) return undefined;
  if (typeof verdict.generation !== 'number' || typeof own.generation !== 'number') return undefined;
  if (own.generation !== verdict.generation) return own.generation < verdict.generation ? peer.state.node : undefined;
  // An agent from before `seq` and `lastSeq` existed: its word cannot be placed, so it stands.
  if (typeof own.seq !== 'number' || typeof verdict.lastSeq !== 'number') return undefined;
  return own.seq <= verdict.lastSeq ? peer.state.node : undefined;
}

/** The node's own name (its topic level has "/", "+" and "#" replaced). */
const nameOf = (record: NodeRecord) => record.state?.node ?? record.node;

function nodeView(record: NodeRecord, verdictBy: string | undefined): NodeView {
  const s = record.state;
  // The broker's `offline` (the Last Will, a clean stop) is settled; the peer's verdict speaks for a node still shown online.
  const declaredDeadBy = record.availability === 'offline' ? undefined : verdictBy;
  return {
    node: nameOf(record),
    availability: declaredDeadBy ? 'dead' : (record.availability ?? 'unknown'),
    ...(declaredDeadBy ? { deadPer: declaredDeadBy } : {}),
    role: s?.role ?? 'unknown',
    ...(s ? { peerState: s.peer.state, generation: s.generation, version: s.version, uptimeS: s.uptimeS, publishedAt: s.publishedAt } : {}),
    paths: (s?.paths ?? []).map((p) => ({ name: p.name, state: p.state })),
  };
}

/** `speaking`: the nodes whose word counts now (online, a state, not declared dead by their peer). */
function groupsOf(records: NodeRecord[], speaking: NodeRecord[]): GroupView[] {
  const online = speaking;
  const ids = [...new Set(records.flatMap((r) => r.state?.groups.map((g) => g.id) ?? []))];
  return ids.map((id) => {
    const reports = online.map((r) => ({ node: r.state!.node, group: r.state!.groups.find((g) => g.id === id) }));
    // A node's word about itself beats its peer's word about it.
    const claimedBy = reports.filter((r) => r.group?.holder === r.node && r.group.state !== 'released').map((r) => r.node);
    // The peer's word counts only for a holder that does not speak for itself.
    const speaks = (node: string) => online.some((r) => r.state!.node === node);
    const reported = reports.map((r) => r.group?.holder).find((h): h is string => typeof h === 'string' && !speaks(h)) ?? null;
    const failedOn = [...new Set(records.flatMap((r) => r.state?.groups.find((g) => g.id === id)?.failedOn ?? []))];
    return { id, holder: claimedBy[0] ?? reported, claimedBy, failedOn };
  });
}

/** Without a failover event seen, the newest decision of either node that moved a group says when. */
const MOVES = new Set(['failover', 'handover']);

function lastFailover(cluster: string, records: NodeRecord[], fleet: FleetState): FailoverRecord | undefined {
  const fromEvent = fleet.failovers.get(cluster);
  const decisions = records
    .map((r) => r.state?.lastDecision && { ...r.state.lastDecision, node: r.state.node })
    .filter((d): d is NonNullable<typeof d> => !!d && MOVES.has(d.event ?? ''))
    .sort((a, b) => (a.at < b.at ? 1 : -1));
  const decision = decisions[0];
  if (decision && (!fromEvent || decision.at > fromEvent.at)) return { at: decision.at, node: decision.node, text: decision.text, source: 'decision' };
  return fromEvent;
}

/** What a settled pair lacks; see PairView.missing. */
function missingOf(records: NodeRecord[]): string[] {
  return records.flatMap((r) => [
    ...(r.availability === 'online' && !r.state ? [`${r.node}/state`] : []),
    ...(r.state && !r.availability ? [`${r.node}/availability`] : []),
  ]);
}

function flagsOf(nodes: NodeView[], groups: GroupView[], missing: string[]): Flag[] {
  const online = nodes.filter((n) => n.availability === 'online');
  const flags: Flag[] = [];
  if (nodes.length < 2 || nodes.some((n) => n.availability !== 'online')) flags.push('offline node');
  if (online.some((n) => n.paths.some((p) => p.state === 'dead'))) flags.push('path down');
  if (online.filter((n) => n.role === 'active').length > 1 || groups.some((g) => g.claimedBy.length > 1)) flags.push('both active');
  if (online.some((n) => n.role === 'waiting' || n.role === 'failed') || groups.some((g) => g.failedOn.length > 0)) flags.push('waiting for operator');
  if (missing.length > 0) flags.push('incomplete');
  return flags;
}

export function fleetView(fleet: FleetState, now: Date): FleetView {
  const clusters = new Map<string, NodeRecord[]>();
  for (const record of fleet.nodes.values()) {
    const list = clusters.get(record.cluster) ?? [];
    list.push(record);
    clusters.set(record.cluster, list);
  }
  const pairs: PairView[] = [...clusters].map(([cluster, records]) => {
    const declared = new Map(records.map((r) => [r, deadPer(r, records.find((other) => other !== r && other.state?.peer.node === nameOf(r)))] as const));
    const nodes = records.map((r) => nodeView(r, declared.get(r))).sort((a, b) => a.node.localeCompare(b.node));
    // A peer that one node names but that never reached the broker is shown, and flagged.
    for (const r of records) {
      const peer = r.state?.peer.node;
      if (peer && !nodes.some((n) => n.node === peer)) {
        const dead = r.state?.peer.state === 'dead';
        nodes.push({ node: peer, availability: dead ? 'dead' : 'unknown', ...(dead ? { deadPer: nameOf(r) } : {}), role: 'unknown', paths: [] });
      }
    }
    const groups = groupsOf(records, records.filter((r) => r.availability === 'online' && r.state && !declared.get(r)));
    const failover = lastFailover(cluster, records, fleet);
    const loading = fleet.loading.has(cluster);
    const missing = loading ? [] : missingOf(records);
    return { cluster, nodes, groups, ...(failover ? { lastFailover: failover } : {}), flags: flagsOf(nodes, groups, missing), missing, ...(loading ? { loading: true as const } : {}) };
  });
  // What needs a look comes first.
  pairs.sort((a, b) => Number(b.flags.length > 0) - Number(a.flags.length > 0) || a.cluster.localeCompare(b.cluster));
  const incomplete = pairs.filter((p) => p.loading || p.missing.length > 0).length;
  return { prefix: fleet.prefix, at: now.toISOString(), pairs, flagged: pairs.filter((p) => p.flags.length > 0).length, complete: incomplete === 0, incomplete };
}

/** The view after `messages`, from nothing. */
export function viewOfMessages(prefix: string, messages: Iterable<FleetMessage>, now: Date): FleetView {
  const fleet = emptyFleet(prefix);
  for (const m of messages) applyMessage(fleet, m);
  return fleetView(fleet, now);
}
