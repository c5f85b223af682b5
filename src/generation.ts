// The generation number grows at every start of the agent and survives restarts (Heartbeat
// keeps it in /var/lib/heartbeat/hb_generation) and is sent as Heartbeat's `hg`. A full SD card,
// a read-only root or a corrupt file must not keep the agent from starting (the service must stay
// up): the agent starts anyway, and the problem is said loudly, in the log and in `status`.
import { mkdir, rename, writeFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import { readBoundedFile } from './config/read-file';

const FILE = 'generation';
/** The file holds one number: anything longer is not ours. */
const MAX_BYTES = 4096;

export interface Generation {
  generation: number;
  /** Why the generation could not be read or stored (the agent runs anyway); absent when all went well. */
  problem?: string;
}

const reason = (err: unknown) => (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));

/** Reads the last generation, stores and returns the next one. Written atomically (temp + rename + fsync). */
export async function nextGeneration(stateDir: string, nowMs = Date.now()): Promise<Generation> {
  const path = join(stateDir, FILE);
  const problems: string[] = [];
  let previous = 0;
  const read = await readBoundedFile(path, MAX_BYTES);
  if (read.ok) {
    const text = read.text.trim();
    if (/^\d{1,15}$/.test(text)) previous = Number(text);
    else problems.push(`${path} does not hold a number ("${text.slice(0, 20).replace(/[^\x20-\x7e]/g, '?')}"); counting from the clock`);
  } else if (!read.problem.includes('ENOENT')) {
    problems.push(`${path} ${read.problem}`);
  }
  // Never go back on this unit, even if the clock was reset: start above the wall-clock seconds
  // too, so that a lost state directory with a good clock still yields a newer generation.
  const next = Math.max(previous + 1, Math.floor(nowMs / 1000));
  try {
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    const temp = `${path}.tmp`;
    await writeFile(temp, `${next}\n`, { mode: 0o600 });
    const handle = await open(temp, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    problems.push(`generation ${next} could not be stored in ${path} (${reason(err)}): the next start may repeat it, and a peer that knew a higher one drops this node's frames: free the space or make ${stateDir} writable`);
  }
  return problems.length > 0 ? { generation: next, problem: problems.join('; ') } : { generation: next };
}
