// Runs one VIP driver action inside a test namespace and prints its result as JSON.
// Usage: node --import tsx test/e2e/tools/vip.ts start|stop|status|announce '<VipResource JSON>' ['<options JSON>']
import { VipDriver } from '../../../src/resources/vip';

const [action, specJson, optionsJson] = process.argv.slice(2);
const driver = new VipDriver(JSON.parse(specJson ?? '{}'), JSON.parse(optionsJson ?? '{}'));
const result =
  action === 'start' ? await driver.start() : action === 'stop' ? await driver.stop() : action === 'announce' ? await driver.announce() : await driver.status();
process.stdout.write(`${JSON.stringify(result)}\n`);
// The remaining paced ARPs are not waited for: this tool only reports the action.
process.exit(0);
