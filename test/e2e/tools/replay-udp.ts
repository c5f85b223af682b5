// Replays the UDP payloads of a pcap capture (Ethernet, IPv4) as an attacker without the key
// would: `replay-udp.ts FILE FROM_ADDRESS TO_ADDRESS PORT EVERY_MS FOR_S`. Each datagram sent
// from FROM_ADDRESS in the capture is sent again, in order and round and round, from
// FROM_ADDRESS:PORT to TO_ADDRESS:PORT. Prints `replayed N` at the end.
import { readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';

const [file, from, to, portText, everyText, forText] = process.argv.slice(2);
const port = Number(portText);
const bytes = readFileSync(file!);
const little = bytes.readUInt32LE(0) === 0xa1b2c3d4;
const u32 = (at: number) => (little ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
const payloads: Buffer[] = [];
// Global header 24 bytes; each record: 16-byte header, then the Ethernet frame.
for (let at = 24; at + 16 <= bytes.length && payloads.length < 10_000; ) {
  const length = u32(at + 8);
  const frame = bytes.subarray(at + 16, at + 16 + length);
  at += 16 + length;
  if (frame.length < 14 + 20 + 8 || frame.readUInt16BE(12) !== 0x0800) continue;
  const ip = frame.subarray(14);
  const headerLength = (ip[0]! & 0x0f) * 4;
  if (ip[9] !== 17 || ip.subarray(12, 16).join('.') !== from) continue;
  payloads.push(Buffer.from(ip.subarray(headerLength + 8)));
}
if (payloads.length === 0) {
  process.stderr.write(`no UDP datagram from ${from} in ${file}\n`);
  process.exit(2);
}
const socket = createSocket('udp4');
socket.bind({ address: from, port }, () => {
  let sent = 0;
  const end = Date.now() + Number(forText) * 1000;
  const timer = setInterval(() => {
    if (Date.now() > end) {
      clearInterval(timer);
      process.stdout.write(`replayed ${sent}\n`);
      socket.close();
      return;
    }
    socket.send(payloads[sent % payloads.length]!, port, to);
    sent += 1;
  }, Number(everyText));
});
