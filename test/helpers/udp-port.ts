// A UDP port nobody on this host uses right now, for tests that bind a fixed port on two
// loopback addresses (both nodes of a pair use the same udpport, as in ha.cf).
import { createSocket } from 'node:dgram';

export async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}
