// The shapes a pair can be wired in for the end-to-end tests (issue 15): which heartbeat paths
// ha.cf names, how haresources names the VIP, which links each node should see come up, and how
// one of two independent paths can be cut. Graceful handover was once tested only with a serial
// line beside UDP; each shape here is one way a real pair is wired.
import { CROSSOVER, LAN } from './netns';
import type { SerialCable } from './serial-cable';

export const SHAPES = ['tutorial', 'udp', 'serial', 'serial+udp', 'mcast', 'ipv6'] as const;
export type Shape = (typeof SHAPES)[number];

/** The shape the existing suites were written for. */
export const DEFAULT_SHAPE: Shape = 'serial+udp';

/** The multicast group of the `mcast` shape: the one the link tests use; TTL 1 keeps it on the crossover. */
export const MCAST_GROUP = '239.0.0.1';

type Side = 'a' | 'b';
const other = (node: Side): Side => (node === 'a' ? 'b' : 'a');
const serialEnd = (node: Side, cable: SerialCable) => (node === 'a' ? cable.endA : cable.endB);

/** The media lines of ha.cf for `node` (udpport and baud are written for every shape; unused ones are harmless). */
export function mediaLines(shape: Shape, node: Side, cable: SerialCable): string[] {
  const peer = CROSSOVER[other(node)];
  switch (shape) {
    case 'tutorial':
      // The seed tutorial's two lines, both on the crossover: one cable carries both paths.
      return ['bcast eth1', `ucast eth1 ${peer}`];
    case 'udp':
      return ['bcast eth0', `ucast eth1 ${peer}`];
    case 'serial':
      return [`serial ${serialEnd(node, cable)}`];
    case 'serial+udp':
      return [`ucast eth1 ${peer}`, `serial ${serialEnd(node, cable)}`];
    case 'mcast':
      // Port 694 as udpport: docs/wire-format.md asks for a port of its own only when ucast or bcast
      // lines share the node (Linux hands a group's datagrams to every socket on its port);
      // this shape has none.
      return [`mcast eth1 ${MCAST_GROUP} 694 1 0`];
    case 'ipv6':
      return [`ucast eth1 ${CROSSOVER[other(node) === 'a' ? 'a6' : 'b6']}`];
  }
}

/**
 * The haresources line. The tutorial writes a bare address (the agent finds eth0 by its
 * subnet, Heartbeat's IPaddr rule); the others name prefix and interface as the suites always did.
 */
export function haresourcesLine(shape: Shape, home: string, services: string): string {
  const vip = shape === 'tutorial' ? LAN.vip : `${LAN.vip}/${LAN.prefix}/eth0`;
  return `${home} ${[vip, services].filter(Boolean).join(' ')}\n`;
}

/**
 * The tutorial's authkeys is `1 crc` and its shape keeps it, so that the pair runs the files as
 * the tutorial's reader has them; every other shape keeps the suites' sha256 key.
 */
export function authkeys(shape: Shape): string {
  return shape === 'tutorial' ? 'auth 1\n1 crc\n' : 'auth 1\n1 sha256 e2e-pair-secret\n';
}

/**
 * The link names `node` logs as up once it hears its peer (`Link node-b:NAME up.`), one per
 * distinct name: Heartbeat names a UDP path by its interface and a serial path by its device,
 * so the tutorial's two lines on eth1 are both `eth1`.
 */
export function expectedLinks(shape: Shape, node: Side, cable: SerialCable): string[] {
  // The second word of every media line: the interface, or the serial device.
  return [...new Set(mediaLines(shape, node, cable).map((line) => line.split(' ')[1] ?? ''))];
}

/**
 * How to cut one path while another keeps carrying heartbeats, or why the shape has no such
 * cut: a cut there would be a loss of contact (both nodes up, every path silent), not a path cut.
 */
export type PathCut =
  | { applies: true; what: string; /** The cut path's name in each node's log. */ links: { a: string; b: string }; cut: () => void; heal: () => Promise<void> }
  | { applies: false; why: string };

export interface CutTools {
  /** Runs a command in node a's namespace. */
  inA: (args: string[]) => void;
  cable: SerialCable;
}

/** Why the shape has no path cut (a cut there would silence every path), or undefined when it has one. */
export function noPathCut(shape: Shape): string | undefined {
  switch (shape) {
    case 'udp':
    case 'serial+udp':
      return undefined;
    case 'tutorial':
      return 'its bcast and ucast paths share the one crossover cable: no cut leaves a path up';
    case 'serial':
    case 'mcast':
    case 'ipv6':
      return 'a single heartbeat path: cutting it is a loss of contact, not a path cut';
  }
}

export function pathCut(shape: Shape, tools: CutTools): PathCut {
  const why = noPathCut(shape);
  if (why) return { applies: false, why };
  switch (shape) {
    case 'udp':
      // eth1 only: the VIP lives on eth0, which keeps the bcast path and the clients.
      return {
        applies: true,
        what: 'crossover eth1 down on node-a (bcast eth0 carries on)',
        links: { a: 'eth1', b: 'eth1' },
        cut: () => tools.inA(['ip', 'link', 'set', 'eth1', 'down']),
        heal: async () => tools.inA(['ip', 'link', 'set', 'eth1', 'up']),
      };
    case 'serial+udp':
      return {
        applies: true,
        what: 'serial cable pulled (ucast eth1 carries on)',
        links: { a: tools.cable.endA, b: tools.cable.endB },
        cut: () => tools.cable.cut(),
        heal: () => tools.cable.plug(),
      };
    default:
      throw new Error(`no path cut for the ${shape} shape`);
  }
}
