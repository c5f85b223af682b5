// The rule for a file that holds a secret (authkeys, the MQTT password file), as Heartbeat
// checks authkeys: owned by the user twinbeat runs as (root on an appliance) and mode exactly
// 0600. Another owner could rewrite the keys; any other bit (group or other access, and also
// setuid, setgid or sticky: 1600, 2600) means the file is not what the operator meant it to be.

export interface FileOwnership {
  uid: number;
  mode: number;
}

/** The user twinbeat runs as (the effective uid), for the owner check. */
export function runningUid(): number {
  return process.geteuid?.() ?? 0;
}

const userName = (uid: number) => (uid === 0 ? 'root' : `uid ${uid}`);

/** Each rule the file breaks, as a sentence that says how to mend it; empty when it is fine. */
export function secretFileProblems(file: string, stats: FileOwnership, uid: number): string[] {
  const problems: string[] = [];
  if (stats.uid !== uid) {
    problems.push(`owned by ${userName(stats.uid)}, it must be owned by ${userName(uid)} (the user twinbeat runs as), or another user could change it: chown ${uid} ${file}`);
  }
  const mode = stats.mode & 0o7777;
  if (mode !== 0o600) {
    problems.push(`mode is ${mode.toString(8).padStart(4, '0')}, it must be 600 (read and write for ${userName(uid)} only): chmod 600 ${file}`);
  }
  return problems;
}
