// Two agents in one process, joined by named paths that can be cut and healed: for the
// agent's own tests and for the demo on a machine where namespaces are not available.
// Delivery is asynchronous (setImmediate), as from a socket, so an agent is never re-entered.
import type { Message } from '../core';
import type { Deliver, PeerTransport } from './transport';

export class LoopbackNetwork {
  private readonly inboxes = new Map<string, Deliver>();
  private readonly cut = new Set<string>();
  /** Messages delivered per path, for tests. */
  readonly delivered: Record<string, number> = {};

  /** The transport of `node`, whose peer is `peer`, over the paths `pathIds`. */
  transport(node: string, peer: string, pathIds: string[]): PeerTransport {
    const counters: Record<string, number> = {};
    return {
      start: async (deliver) => {
        this.inboxes.set(node, deliver);
      },
      send: (message: Message, path?: string) => {
        for (const id of path ? [path] : pathIds) {
          if (this.cut.has(id)) continue;
          const copy = structuredClone(message);
          setImmediate(() => {
            const inbox = this.inboxes.get(peer);
            if (!inbox || this.cut.has(id)) return;
            this.delivered[id] = (this.delivered[id] ?? 0) + 1;
            inbox(id, copy);
          });
        }
      },
      stop: async () => {
        this.inboxes.delete(node);
      },
      counters: () => counters,
    };
  }

  cutPath(id: string): void {
    this.cut.add(id);
  }

  healPath(id: string): void {
    this.cut.delete(id);
  }
}
