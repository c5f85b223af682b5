// Replay protection, per peer, run and path: a frame is taken only if its sequence number
// (`seq`) was not seen before on that path, within a window, in the same run of the sender.
// A run is known by the sender's boot number (`bid`, random at each start; see
// src/core/liveness.ts), or by its generation from a twinbeat that sends none. Runs are not
// ordered here: a swapped unit or a clock behind at boot starts a newer run with a lower
// generation. Whether a run is the peer's current one, and whether a frame of it answers this
// node's challenge, is the core's decision; this guard only drops exact repeats, which it
// counts. The window is per path because each path carries its own copy of every frame.
export const REPLAY_WINDOW = 256;
/** Runs remembered per peer: the current one and a few before it (one per restart). */
export const REMEMBERED_RUNS = 8;

interface PathWindow {
  highest: number;
  /** seen[seq % WINDOW] holds the seq last recorded in that slot. */
  seen: Float64Array;
}

export type ReplayVerdict = 'ok' | 'replay';

export class ReplayGuard {
  /** Per peer, per run, per path; each peer's runs in the order last heard (newest last). */
  private readonly peers = new Map<string, Map<number, Map<string, PathWindow>>>();

  /** Records the frame if it is new; says why not otherwise. */
  check(peer: string, path: string, run: number, seq: number): ReplayVerdict {
    let runs = this.peers.get(peer);
    if (!runs) this.peers.set(peer, (runs = new Map()));
    let paths = runs.get(run);
    if (paths) runs.delete(run);
    else paths = new Map();
    runs.set(run, paths);
    if (runs.size > REMEMBERED_RUNS) runs.delete(runs.keys().next().value!);
    let window = paths.get(path);
    if (!window) {
      window = { highest: -1, seen: new Float64Array(REPLAY_WINDOW).fill(-1) };
      paths.set(path, window);
    }
    if (seq <= window.highest - REPLAY_WINDOW) return 'replay';
    const slot = seq % REPLAY_WINDOW;
    if (window.seen[slot] === seq) return 'replay';
    window.seen[slot] = seq;
    if (seq > window.highest) window.highest = seq;
    return 'ok';
  }
}
