// Two agents in one process, for the agent's own tests and for the demo on a machine where
// namespaces are not available. It is the real transport (frames encoded, signed, decoded and
// checked by src/wire) over an in-memory link pair whose paths can be cut and healed.
// Delivery is asynchronous (setImmediate), as from a socket, so an agent is never re-entered.
import type { Config } from '../config/types';
import { FakeLinkPair } from '../links';
import type { Logger } from '../log';
import type { PeerTransport } from './transport';
import { createWireTransport } from './wire-transport';

const quiet: Logger = { log: () => {} };

export class LoopbackNetwork {
  private pair: FakeLinkPair | undefined;
  private readonly ends = new Map<string, 'a' | 'b'>();
  /** Frames that crossed each path (both ways), for tests. */
  readonly delivered: Record<string, number> = {};

  /** The transport of `config.localNode`; the first node to ask gets end a, its peer end b. */
  transport(config: Config, logger: Logger = quiet): PeerTransport {
    const pathIds = config.paths.map((p) => p.id);
    this.pair ??= new FakeLinkPair({ paths: pathIds });
    const end = this.ends.get(config.localNode) ?? (this.ends.size === 0 ? 'a' : 'b');
    this.ends.set(config.localNode, end);
    const link = this.pair[end];
    const counted = {
      ...link,
      paths: link.paths,
      start: (onFrame: Parameters<typeof link.start>[0]) =>
        link.start((frame, path, at) => {
          this.delivered[path] = (this.delivered[path] ?? 0) + 1;
          onFrame(frame, path, at);
        }),
      send: link.send.bind(link),
      stop: link.stop.bind(link),
      counters: link.counters.bind(link),
    };
    return createWireTransport(config, { logger, links: [counted] });
  }

  cutPath(id: string): void {
    this.pair?.cut(id);
  }

  healPath(id: string): void {
    this.pair?.heal(id);
  }
}
