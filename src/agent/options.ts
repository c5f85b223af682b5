// Where the agent finds and keeps things. Every path is settable so that the end-to-end tests
// can run a pair on one machine and point the tools elsewhere.
export interface AgentOptions {
  configDir: string;
  /** This node's name; default `uname -n`. */
  node?: string;
  /** The generation number lives here (default /var/lib/twinbeat). */
  stateDir: string;
  /** The control socket lives here (default /run/twinbeat). */
  runDir: string;
  /** LSB init scripts (default /etc/init.d). */
  initDir: string;
  ipPath: string;
  arpingPath: string;
}

export const DEFAULT_AGENT_OPTIONS: AgentOptions = {
  configDir: '/etc/ha.d',
  stateDir: '/var/lib/twinbeat',
  runDir: '/run/twinbeat',
  initDir: '/etc/init.d',
  ipPath: 'ip',
  arpingPath: 'arping',
};
