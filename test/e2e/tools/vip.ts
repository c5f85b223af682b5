// Runs one VIP driver action inside a test namespace and prints its result as JSON.
// Usage: node --import tsx test/e2e/tools/vip.ts start|stop|status|announce|start-stop-linger '<VipResource JSON>' ['<options JSON>']
// start-stop-linger: start, stop at once, then stay 2.5 s (what the driver still does after a
// stop shows); prints the stop's result and when it completed (epoch ms).
import { VipDriver } from '../../../src/resources/vip';

const [action, specJson, optionsJson] = process.argv.slice(2);
const driver = new VipDriver(JSON.parse(specJson ?? '{}'), JSON.parse(optionsJson ?? '{}'));
async function startStopLinger() {
  await driver.start();
  const stopped = await driver.stop();
  const stoppedAt = Date.now();
  await new Promise((r) => setTimeout(r, 2500));
  return { ...stopped, stoppedAt };
}
const result =
  action === 'start'
    ? await driver.start()
    : action === 'stop'
      ? await driver.stop()
      : action === 'announce'
        ? await driver.announce()
        : action === 'start-stop-linger'
          ? await startStopLinger()
          : await driver.status();
process.stdout.write(`${JSON.stringify(result)}\n`);
// The remaining paced ARPs are not waited for: this tool only reports the action.
process.exit(0);
