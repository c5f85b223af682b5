// Replay protection, per peer and path. A frame is taken only if its generation (`hg`, which a
// node raises at every start) is not older than the newest seen from that node, and its
// sequence number (`seq`) was not seen before on that path within a window. A higher generation
// is a restart: the windows start afresh and the core sees a fresh join. The window is per
// path because each path carries its own copy of every frame; per path, a copy comes once.
export const REPLAY_WINDOW = 256;

interface PathWindow {
  highest: number;
  /** seen[seq % WINDOW] holds the seq last recorded in that slot. */
  seen: Float64Array;
}

interface PeerState {
  generation: number;
  paths: Map<string, PathWindow>;
}

export type ReplayVerdict = 'ok' | 'replay' | 'old-generation';

export class ReplayGuard {
  private readonly peers = new Map<string, PeerState>();

  /** Records the frame if it is new; says why not otherwise. */
  check(peer: string, path: string, generation: number, seq: number): ReplayVerdict {
    let state = this.peers.get(peer);
    if (state && generation < state.generation) return 'old-generation';
    if (!state || generation > state.generation) {
      state = { generation, paths: new Map() };
      this.peers.set(peer, state);
    }
    let window = state.paths.get(path);
    if (!window) {
      window = { highest: -1, seen: new Float64Array(REPLAY_WINDOW).fill(-1) };
      state.paths.set(path, window);
    }
    if (seq <= window.highest - REPLAY_WINDOW) return 'replay';
    const slot = seq % REPLAY_WINDOW;
    if (window.seen[slot] === seq) return 'replay';
    window.seen[slot] = seq;
    if (seq > window.highest) window.highest = seq;
    return 'ok';
  }

  /** The newest generation seen from `peer`, if any. */
  generationOf(peer: string): number | undefined {
    return this.peers.get(peer)?.generation;
  }
}
