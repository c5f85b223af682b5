// What the ha.cf directives record as they are read, before defaults and cross-checks turn it
// into a Config (see assemble.ts). Media lines stay raw until the whole file is read, because
// `udpport` and `baud` may come after the media that use them (Heartbeat wants them before;
// twinbeat does not care about order).
import type { AutoFailback, OperationLimit, PingTarget, ResetDeviceSpec, SourceLine, StopFailureLine } from './types';

export interface Setting<T> {
  value: T;
  source: SourceLine;
}

export interface MediaLine {
  kind: 'ucast' | 'bcast' | 'mcast' | 'serial';
  args: string[];
  source: SourceLine;
}

export interface HaCfDraft {
  cluster?: Setting<string>;
  nodes: Setting<string>[];
  keepaliveMs?: Setting<number>;
  deadtimeMs?: Setting<number>;
  warntimeMs?: Setting<number>;
  initdeadMs?: Setting<number>;
  deadpingMs?: Setting<number>;
  fenceDelayMs?: Setting<number>;
  udpPort?: Setting<number>;
  baud?: Setting<number>;
  media: MediaLine[];
  autoFailback?: Setting<AutoFailback>;
  msgfmt?: Setting<'classic' | 'netstring'>;
  /** `respawn ... ipfail`: move groups by ping-node reachability. */
  ipfail?: Setting<boolean>;
  trackInterfaces?: Setting<string[]>;
  monitorIntervalMs?: Setting<number>;
  monitorTimeoutMs?: Setting<number>;
  monitorFailures?: Setting<number>;
  failoverOnMonitor?: Setting<boolean>;
  failbackHolddownMs?: Setting<number>;
  flapLimit?: Setting<number>;
  flapWindowMs?: Setting<number>;
  operationLimits: OperationLimit[];
  stopFailure: StopFailureLine[];
  logfile?: Setting<string>;
  debugfile?: Setting<string>;
  logfacility?: Setting<string>;
  debugLevel?: Setting<number>;
  resetDevices: ResetDeviceSpec[];
  env: Record<string, string>;
  ignored: { directive: string; reason: string; source: SourceLine }[];
  pingTargets: PingTarget[];
  /** Fleet reporting (directives/mqtt.ts); absent until an mqtt_broker line is read. */
  mqttBrokers?: Setting<string>[];
  mqttPrefix?: Setting<string>;
  mqttUsername?: Setting<string>;
  mqttPasswordFile?: Setting<string>;
  mqttCa?: Setting<string>;
  mqttCert?: Setting<string>;
  mqttKey?: Setting<string>;
  mqttIntervalMs?: Setting<number>;
  mqttKeepaliveS?: Setting<number>;
  mqttHomeAssistant?: Setting<boolean>;
  mqttCommands?: Setting<boolean>;
}

export function emptyDraft(): HaCfDraft {
  return { nodes: [], media: [], resetDevices: [], env: {}, ignored: [], pingTargets: [], operationLimits: [], stopFailure: [] };
}
