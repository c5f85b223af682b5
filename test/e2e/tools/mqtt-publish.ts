// Runs in the client's namespace: publishes one message (QoS 1) and exits.
// Usage: node --import tsx mqtt-publish.ts URL TOPIC PAYLOAD
import mqtt from 'mqtt';

const [url = 'mqtt://127.0.0.1:1883', topic = 'test', payload = ''] = process.argv.slice(2);
const client = mqtt.connect(url, { connectTimeout: 2000, reconnectPeriod: 0 });
const fail = (why: string) => {
  process.stderr.write(`${why}\n`);
  process.exit(1);
};
setTimeout(() => fail('timed out'), 5000).unref();
client.on('error', (err) => fail(err.message));
client.on('connect', () => client.publish(topic, payload, { qos: 1 }, (err) => (err ? fail(err.message) : client.end(false, {}, () => process.exit(0)))));
