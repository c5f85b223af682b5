// The run directory holds the control socket. Whoever can write to it can remove the socket
// and listen in its place, and root's `twinbeat standby` would then talk to an impostor. So
// before the socket is made, the directory must be twinbeat's own: created 0700 when missing,
// corrected to 0700 when looser, and refused when another user owns it (twinbeat cannot know
// what that user did inside, and taking it over silently would hide the problem).
import { constants } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { runningUid } from '../config/secret-file';

export class RunDirError extends Error {}

/**
 * Makes `dir` a directory owned by `uid` with mode 0700. Returns a note when it corrected the
 * mode (worth a log line), throws RunDirError when the directory cannot be made safe.
 */
export async function prepareRunDir(dir: string, uid = runningUid()): Promise<string | undefined> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Checked and corrected through one descriptor, so the directory cannot be swapped between.
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NONBLOCK).catch((err: NodeJS.ErrnoException) => {
    throw new RunDirError(`run directory ${dir} cannot be opened (${err.code ?? err.message}): it must be a directory`);
  });
  try {
    const stats = await handle.stat();
    if (stats.uid !== uid) {
      throw new RunDirError(
        `run directory ${dir} is owned by uid ${stats.uid}, not by uid ${uid} that twinbeat runs as: another user could replace its control socket; remove the directory (twinbeat creates it) or chown ${uid} it`,
      );
    }
    const mode = stats.mode & 0o7777;
    if (mode === 0o700) return undefined;
    await handle.chmod(0o700);
    return `run directory ${dir} had mode ${mode.toString(8).padStart(4, '0')}: set to 0700 so that no other user can reach its control socket`;
  } finally {
    await handle.close();
  }
}
