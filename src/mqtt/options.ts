// MQTT.js client options from the ha.cf settings: identity, Last Will, credentials and TLS
// files. The files are read when connecting (not when the config is checked) so that a rotated
// certificate or password is picked up on the next connection without a restart.
import type { IClientOptions } from 'mqtt';
import { readBoundedFile } from '../config/read-file';
import { runningUid, secretFileProblems } from '../config/secret-file';
import type { MqttConfig } from '../config/types';
import type { NodeTopics } from './topics';

/** Connection timings; the defaults suit a fleet on slow uplinks, tests shorten them. */
export interface ConnectionTuning {
  /** Overrides `mqtt_keepalive` (tests); a frozen broker is noticed after about 1.5 times it. */
  keepaliveS?: number;
  connectTimeoutMs: number;
}

export const DEFAULT_CONNECTION_TUNING: ConnectionTuning = { connectTimeoutMs: 10_000 };

export class CredentialsError extends Error {}

/** A file named by an mqtt_* directive: a regular file, read with a bound (src/config/read-file.ts). */
export async function readSmallFile(path: string): Promise<Buffer> {
  const read = await readBoundedFile(path);
  if (!read.ok) throw new CredentialsError(`${path}: ${read.problem}`);
  return read.bytes;
}

/**
 * The first line of a password file that only twinbeat's user may read (owned by it, mode 600,
 * as authkeys). The message of a refusal names the file, never its content.
 */
export async function readPasswordFile(path: string): Promise<string> {
  const read = await readBoundedFile(path);
  if (!read.ok) throw new CredentialsError(`${path}: ${read.problem}`);
  const problems = secretFileProblems(path, read.stats, runningUid());
  if (problems.length > 0) throw new CredentialsError(`${path}: ${problems.join('; ')}`);
  const password = read.text.split('\n')[0]?.replace(/\r$/, '') ?? '';
  if (password === '') throw new CredentialsError(`${path}: the first line is empty; it must hold the broker password`);
  return password;
}

/** One client id per node, stable across restarts, so the broker replaces a stale session. */
export function clientIdFor(cluster: string, node: string): string {
  return `twinbeat-${cluster}-${node}`.slice(0, 128);
}

export async function clientOptions(
  config: MqttConfig,
  identity: { cluster: string; node: string },
  topics: NodeTopics,
  tuning: ConnectionTuning,
): Promise<IClientOptions> {
  const options: IClientOptions = {
    clientId: clientIdFor(identity.cluster, identity.node),
    protocolVersion: 4,
    clean: true,
    keepalive: tuning.keepaliveS ?? config.keepaliveS,
    connectTimeout: tuning.connectTimeoutMs,
    // twinbeat runs its own reconnect loop (connection.ts): back-off with a cap, and
    // fail-over across brokers with their own URL (path, TLS).
    reconnectPeriod: 0,
    // Nothing is queued inside MQTT.js while offline: the reporter's queue is bounded.
    queueQoSZero: false,
    resubscribe: false,
    will: { topic: topics.availability, payload: Buffer.from('offline'), qos: 1, retain: true },
  };
  if (config.username !== undefined) options.username = config.username;
  if (config.passwordFile !== undefined) options.password = await readPasswordFile(config.passwordFile);
  if (config.ca !== undefined) options.ca = await readSmallFile(config.ca);
  if (config.cert !== undefined) options.cert = await readSmallFile(config.cert);
  if (config.key !== undefined) options.key = await readSmallFile(config.key);
  return options;
}
