// The signals `twinbeat run` acts on arrive whenever the operator or systemd sends them, also
// while the agent is still starting, before its own handlers exist; by default Node would then
// die half-way through the start (a VIP left behind for the next start to clean up).

/**
 * Keeps SIGTERM, SIGINT and SIGHUP that arrive before the agent's own handlers are installed;
 * release() removes the placeholders and returns what arrived, in order, each signal once. The
 * same SIGTERM or SIGINT a second time means the start is stuck (a config read, a leftover that
 * will not stop) and the operator insists: `exit` is called at once, as the default action would.
 */
export function holdSignalsWhileStarting(exit: (code: number) => void = (code) => process.exit(code)): { release(): NodeJS.Signals[] } {
  const arrived: NodeJS.Signals[] = [];
  const keep = (signal: NodeJS.Signals) => {
    if (!arrived.includes(signal)) arrived.push(signal);
    else if (signal !== 'SIGHUP') {
      process.stderr.write(`twinbeat: ${signal} again while starting: exiting now\n`);
      exit(signal === 'SIGINT' ? 130 : 143);
    }
  };
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
  for (const signal of signals) process.on(signal, keep);
  return {
    release() {
      for (const signal of signals) process.off(signal, keep);
      return arrived;
    },
  };
}
