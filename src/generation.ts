// The generation number grows at every start of the agent and survives restarts (Heartbeat
// keeps it in /var/lib/heartbeat/hb_generation). With the sequence number it lets the peer tell
// a restart from a replayed or retransmitted frame.
import { mkdir, readFile, rename, writeFile, open } from 'node:fs/promises';
import { join } from 'node:path';

const FILE = 'generation';

/** Reads the last generation, stores and returns the next one. Written atomically (temp + rename + fsync). */
export async function nextGeneration(stateDir: string): Promise<number> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const path = join(stateDir, FILE);
  let previous = 0;
  try {
    const text = (await readFile(path, 'utf8')).trim();
    if (/^\d+$/.test(text)) previous = Number(text);
    else throw new Error(`${path} does not hold a number ("${text.slice(0, 20)}")`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  // Never go back, even if the clock or the file was reset: start above the wall-clock seconds
  // too, so that a lost state directory still yields a generation newer than before.
  const next = Math.max(previous + 1, Math.floor(Date.now() / 1000));
  const temp = `${path}.tmp`;
  await writeFile(temp, `${next}\n`, { mode: 0o600 });
  const handle = await open(temp, 'r');
  await handle.sync();
  await handle.close();
  await rename(temp, path);
  return next;
}
