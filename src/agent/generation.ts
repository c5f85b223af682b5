// The generation number grows at every start of the agent and survives restarts (Heartbeat
// keeps it in /var/lib/heartbeat/hb_generation) and is sent as Heartbeat's `hg`. It is not
// what tells the peer a restart from a replay (that is the random boot number, see
// src/core/liveness.ts), so it must never keep the agent from starting: a full SD card, a
// read-only root or a corrupt file start the agent anyway, with the problem said loudly.
import { mkdir, rename, writeFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { readBoundedFile } from '../config/read-file';
import { shown } from '../printable';

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
    else problems.push(`${path} does not hold a number ("${shown(text, 20)}"); counting from the clock`);
  } else if (read.code !== 'ENOENT') {
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
    problems.push(`generation ${next} could not be stored in ${path} (${reason(err)}): the next start may repeat it; the pair still joins (boot numbers), but free the space or make ${stateDir} writable`);
  }
  return problems.length > 0 ? { generation: next, problem: problems.join('; ') } : { generation: next };
}

/** This run's boot number: random, never 0, and exact in a double and in 13 hex digits on the wire. */
export function newBootNumber(): number {
  return randomInt(1, 2 ** 48);
}
