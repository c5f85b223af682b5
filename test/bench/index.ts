// `npm run bench [wire|failover|idle]...`: the figures the README and the closing notes quote.
// No argument runs every part; the failover and idle parts need root (network namespaces).
import { runWireBench } from './wire';

const parts = process.argv.slice(2);
const wanted = (name: string) => parts.length === 0 || parts.includes(name);
const print = (line: string) => process.stdout.write(`${line}\n`);

if (wanted('wire')) await runWireBench(print);
if (parts.includes('startup')) {
  const { runStartupBench } = await import('./startup');
  await runStartupBench(print);
}
if (wanted('failover') || wanted('idle')) {
  const { runFailoverBench } = await import('./failover');
  await runFailoverBench(print, { failover: wanted('failover'), idle: wanted('idle') });
}
