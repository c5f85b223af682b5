// `npm run bench [wire|failover|lan|idle|startup|matrix]...`: the figures the README and the
// closing notes quote. No argument runs every part but startup and matrix (matrix: every pair
// shape through every handover, some of them ten times, several minutes; run it by name);
// failover, lan, idle and matrix need root (network namespaces).
import { runWireBench } from './wire';

const parts = process.argv.slice(2);
const wanted = (name: string) => parts.length === 0 || parts.includes(name);
const print = (line: string) => process.stdout.write(`${line}\n`);

if (wanted('wire')) await runWireBench(print);
if (parts.includes('startup')) {
  const { runStartupBench } = await import('./startup');
  await runStartupBench(print);
}
if (wanted('failover') || wanted('lan') || wanted('idle')) {
  const { runFailoverBench } = await import('./failover');
  await runFailoverBench(print, { failover: wanted('failover'), lan: wanted('lan'), idle: wanted('idle') });
}
if (parts.includes('matrix')) {
  const { runMatrixBench } = await import('./matrix');
  await runMatrixBench(print);
}
