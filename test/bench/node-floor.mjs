// The floor of an idle agent's cost (npm run bench compare): bare Node doing the I/O an idle
// twinbeat pair in the tutorial's shape must do and nothing else. One UDP socket on port 694
// with broadcast on; every second a 240-byte datagram to the crossover's broadcast address and
// one to the peer (a heartbeat on `bcast eth1` and on `ucast eth1`); whatever arrives is
// dropped. Usage: node node-floor.mjs BROADCAST PEER
import { createSocket } from 'node:dgram';

const [broadcast, peer] = process.argv.slice(2);
const socket = createSocket({ type: 'udp4', reuseAddr: true });
socket.on('message', () => {});
socket.bind(694, () => socket.setBroadcast(true));
const frame = Buffer.alloc(240, 0x78);
setInterval(() => {
  socket.send(frame, 694, broadcast);
  socket.send(frame, 694, peer);
}, 1000);
