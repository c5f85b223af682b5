// Runs in the client's namespace: subscribes to everything on the broker at URL and prints one
// JSON line per message: {"t": epoch ms, "topic": ..., "retain": bool, "payload": text}.
// Usage: node --import tsx mqtt-watch.ts URL LIMIT_S
import mqtt from 'mqtt';

const [url = 'mqtt://127.0.0.1:1883', limitS = '120'] = process.argv.slice(2);
const client = mqtt.connect(url, { reconnectPeriod: 100, connectTimeout: 2000 });
client.on('connect', () => {
  client.subscribe('#', { qos: 1 });
  process.stdout.write(`${JSON.stringify({ t: Date.now(), connected: true })}\n`);
});
client.on('message', (topic, payload, packet) => {
  process.stdout.write(`${JSON.stringify({ t: Date.now(), topic, retain: packet.retain, payload: payload.toString('utf8') })}\n`);
});
client.on('error', () => {});
setTimeout(() => process.exit(0), Number(limitS) * 1000).unref();
