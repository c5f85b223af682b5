// `twinbeat fleet --broker URL [--prefix P] [--json]`: what an operator with fifty pairs looks
// at first. Live: a table redrawn as messages arrive (flagged pairs on top). `--json`: one
// snapshot of the view once every pair's retained messages are in (watch.ts knows when, without
// a timer), then exit.
import { parseArgs } from 'node:util';
import { parseBrokerUrl, parsePrefix } from '../config/directives/mqtt';
import { renderTable } from '../fleet/table';
import { applyMessage, emptyFleet, fleetView } from '../fleet/view';
import { watchFleet, type FleetWatch } from '../fleet/watch';
import type { Command } from './command';

const USAGE = 'usage: twinbeat fleet --broker URL [--prefix P] [--json] [--settle MS] [--username U --password-file FILE] [--ca FILE]';

export const fleetCommand: Command = {
  summary: 'show every pair reporting to an MQTT broker',
  async run(args) {
    let values;
    try {
      ({ values } = parseArgs({
        args,
        options: {
          broker: { type: 'string' },
          prefix: { type: 'string', default: 'twinbeat' },
          json: { type: 'boolean', default: false },
          settle: { type: 'string', default: '0' },
          username: { type: 'string' },
          'password-file': { type: 'string' },
          ca: { type: 'string' },
        },
        strict: true,
      }));
    } catch (err) {
      process.stderr.write(`twinbeat fleet: ${(err as Error).message}\n${USAGE}\n`);
      return 2;
    }
    const broker = values.broker ? parseBrokerUrl(values.broker) : undefined;
    const prefix = parsePrefix(values.prefix as string);
    const settleMs = Number(values.settle);
    const problem = !broker
      ? '--broker URL is required'
      : !broker.ok
        ? `--broker ${values.broker}: expected ${broker.expected}`
        : !prefix.ok
          ? `--prefix ${values.prefix}: expected ${prefix.expected}`
          : !(settleMs >= 0 && settleMs <= 60_000)
            ? `--settle ${values.settle}: expected milliseconds from 0 to 60000`
            : undefined;
    if (problem || !broker?.ok || !prefix.ok) {
      process.stderr.write(`twinbeat fleet: ${problem}\n${USAGE}\n`);
      return 2;
    }
    const fleet = emptyFleet(prefix.value);
    let changed = true;
    let watch: FleetWatch;
    try {
      watch = await watchFleet(
        {
          broker: broker.value,
          prefix: prefix.value,
          ...(values.username ? { username: values.username } : {}),
          ...(values['password-file'] ? { passwordFile: values['password-file'] } : {}),
          ...(values.ca ? { ca: values.ca } : {}),
          reconnect: !values.json,
          connectTimeoutMs: 5000,
        },
        {
          message: (message) => {
            applyMessage(fleet, message);
            changed = true;
          },
          loading: (clusters) => {
            for (const c of clusters) fleet.loading.add(c);
          },
          settled: (clusters) => {
            for (const c of clusters) fleet.loading.delete(c);
            changed = true;
          },
        },
      );
    } catch (err) {
      process.stderr.write(`twinbeat fleet: cannot watch ${broker.value}: ${(err as Error).message}\n`);
      return 1;
    }
    if (values.json) {
      try {
        await watch.loaded;
      } catch (err) {
        process.stderr.write(`twinbeat fleet: lost ${broker.value} while loading the fleet: ${(err as Error).message}\n`);
        await watch.close();
        return 1;
      }
      await new Promise((r) => setTimeout(r, settleMs));
      await watch.close();
      const view = fleetView(fleet, new Date());
      process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
      // Said where a person running it sees it too; the JSON says it in `complete` and each pair's `missing`.
      if (!view.complete) process.stderr.write(`twinbeat fleet: the picture is incomplete: ${view.incomplete} pair(s) lack a retained topic (flag "incomplete")\n`);
      return 0;
    }
    return live(watch, () => {
      const now = new Date();
      const wasChanged = changed;
      changed = false;
      return { text: renderTable(fleetView(fleet, now), now), changed: wasChanged };
    });
  },
};

/** Redraws at most twice a second on change (and every 10 s for the ages) until Ctrl-C. */
function live(watch: FleetWatch, draw: () => { text: string; changed: boolean }): Promise<number> {
  const tty = process.stdout.isTTY === true;
  let lastDraw = 0;
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      const { text, changed } = draw();
      if (!changed && Date.now() - lastDraw < 10_000) return;
      lastDraw = Date.now();
      process.stdout.write(tty ? `\x1b[H\x1b[2J${text}` : `${text}\n`);
    }, 500);
    const quit = () => {
      clearInterval(timer);
      void watch.close().then(() => resolve(0));
    };
    process.once('SIGINT', quit);
    process.once('SIGTERM', quit);
  });
}
