// The seed tutorial's shape: `bcast eth1` and `ucast eth1 PEER` on one interface. The peer
// sends each frame twice, once to the broadcast address and once to us, both from its own
// address, and one socket cannot tell a broadcast from a unicast datagram (Node has no
// IP_PKTINFO). Left alone, both copies would go to the ucast path: the bcast path would never
// be heard and every second copy would be dropped as a replay. So the second identical copy of
// a recent frame goes to the bcast path. Liveness stays true (the interface carries both), but
// which line a lone copy travelled cannot be known: when one of the two stops arriving, the
// bcast path is the one reported dead.

/** How many recent frames of a ucast path are remembered to recognise their second copy. */
const REMEMBERED = 4;

export class TwinCopies {
  private readonly recent = new Map<string, Buffer[]>();

  /** The path to credit with `frame`, which the demux gave to `ucastPath`; `bcastTwin` shares its source. */
  route(frame: Buffer, ucastPath: string, bcastTwin: string): string {
    const seen = this.recent.get(ucastPath) ?? [];
    const i = seen.findIndex((f) => f.equals(frame));
    if (i >= 0) {
      seen.splice(i, 1);
      return bcastTwin;
    }
    seen.push(frame);
    if (seen.length > REMEMBERED) seen.shift();
    this.recent.set(ucastPath, seen);
    return ucastPath;
  }
}
