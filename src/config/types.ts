// The one validated configuration that every other part of twinbeat reads.
// Built by src/config/load.ts from ha.cf, haresources and authkeys; plain data only
// (no classes, no Maps) so that it can be printed, compared and handed to the core.

/** Where a setting came from, for messages such as `ha.cf:12: ...`. */
export interface SourceLine {
  file: string;
  line: number;
}

export type Severity = 'error' | 'warning';

export interface Diagnostic extends SourceLine {
  severity: Severity;
  message: string;
}

/**
 * One heartbeat path: each `ucast`/`bcast`/`mcast` interface and each `serial` device is one.
 * `name` is what Heartbeat prints (`Link node2:eth1 dead.`), the interface or the device;
 * `id` is unique across the paths (two media lines may share an interface).
 */
export type PathSpec =
  | (PathCommon & { kind: 'ucast'; iface: string; peerAddress: string; port: number })
  | (PathCommon & { kind: 'bcast'; iface: string; port: number })
  | (PathCommon & { kind: 'mcast'; iface: string; group: string; port: number; ttl: number; loop: boolean })
  | (PathCommon & { kind: 'serial'; device: string; baud: number });

export interface PathCommon {
  id: string;
  name: string;
  source: SourceLine;
}

/** A virtual IP from `IPaddr::`, `IPaddr2::` or a bare address in haresources. */
export interface VipResource {
  kind: 'vip';
  /** The haresources word as written, e.g. `IPaddr::192.0.2.50/24/eth0`. */
  raw: string;
  agent: 'IPaddr' | 'IPaddr2';
  address: string;
  family: 4 | 6;
  /** Prefix length; absent: taken from the interface whose subnet holds the address. */
  prefixLength?: number;
  iface?: string;
  broadcast?: string;
}

/** A script from `resource.d/` or `/etc/init.d/`, called with its `::` arguments. */
export interface ScriptResource {
  kind: 'script';
  raw: string;
  name: string;
  args: string[];
}

export type ResourceSpec = VipResource | ScriptResource;

/** One haresources line: the resources that move together, and their home node. */
export interface ResourceGroup {
  /** Heartbeat names a group by its first resource: `Taking over resource group 192.0.2.50`. */
  id: string;
  home: string;
  resources: ResourceSpec[];
  source: SourceLine;
  /** What this node does when the group will not stop (on_stop_failure, resolved by assemble.ts). */
  onStopFailure?: StopFailureRule;
}

export type AuthMethod = 'crc' | 'md5' | 'sha1' | 'sha256';

export interface AuthKey {
  index: number;
  method: AuthMethod;
  /** Empty for `crc`, which has no key. */
  secret: string;
  source: SourceLine;
}

export interface AuthConfig {
  /** The key index `auth N` selects for sending. */
  sendIndex: number;
  /** Every listed key; any of them is accepted on receipt, so keys can be rotated. */
  keys: AuthKey[];
}

/** `stonith_host FROMNODE TYPE key=value...`: a reset device wired to FROMNODE (`*`: both). */
export interface ResetDeviceSpec {
  from: string;
  type: 'gpio-relay' | 'external' | 'manual';
  target: string;
  params: Record<string, string>;
  source: SourceLine;
}

export type AutoFailback = 'on' | 'off' | 'legacy';

/** A `ping` address, or a `ping_group` (reachable when any member answers): one target each. */
export interface PingTarget {
  name: string;
  addresses: string[];
  source: SourceLine;
}

/** All durations in milliseconds. */
export interface Timing {
  keepaliveMs: number;
  deadtimeMs: number;
  warntimeMs: number;
  initdeadMs: number;
  deadpingMs: number;
  /** How long the node that does not hold the group waits before shooting (default 2 x deadtime). */
  fenceDelayMs: number;
}

/**
 * How the holder checks its groups: every `intervalMs` (0: never) each resource's status, bounded
 * by `timeoutMs`. `failures` failed checks in a row restart the group in place once; the next
 * time, it moves to the peer when `failover` is on and is marked failed here until cleanup.
 */
export interface MonitorSettings {
  intervalMs: number;
  timeoutMs: number;
  failures: number;
  failover: boolean;
}

/**
 * A flapping cause must not bounce the service: a failback waits until the home node's health has
 * been steady for `failbackHolddownMs`, and a group that would move for health more than `flapLimit`
 * times within `flapWindowMs` stays where it is until the cause has been steady for the window.
 */
export interface DampingSettings {
  failbackHolddownMs: number;
  /** 0: no damping. */
  flapLimit: number;
  flapWindowMs: number;
}

/** Fleet reporting over MQTT (ha.cf mqtt_* lines). Files are absolute paths; no secret is kept here. */
export interface MqttConfig {
  /** One or more broker URLs (mqtt://, mqtts://, ws://, wss://), tried in turn: fail-over. */
  brokers: string[];
  /** First topic level(s); default `twinbeat`. */
  prefix: string;
  username?: string;
  /** Holds the password, mode 0600; read when connecting, never logged. */
  passwordFile?: string;
  ca?: string;
  cert?: string;
  key?: string;
  /** Periodic re-publish of the state; default 60 s. */
  intervalMs: number;
  /**
   * Seconds between MQTT PINGREQs (`mqtt_keepalive`, default 10): the broker publishes the Last
   * Will of a node that went silent (power loss, cut cable) about 1.5 times this later.
   */
  keepaliveS: number;
  homeAssistant: boolean;
  /** Accept `standby`/`takeover` on the node's command topic. */
  commands: boolean;
}

/** The three operations twinbeat runs on a resource. */
export type ResourceOp = 'start' | 'stop' | 'status';

/**
 * What a node does when a group will not stop (Pacemaker's `on-fail` of the stop operation):
 * `fence`, have the peer reset this node, then take over; `block`, keep the group here marked
 * `stop failed` until an operator runs `twinbeat cleanup` (the safe choice without a reset
 * device); `handover`, hand it to the peer anyway (for services local to each node).
 */
export type StopFailureRule = 'fence' | 'block' | 'handover';

/** One `resource_timeout [NAME] [OP] T` line: NAME a group (its first resource) or a resource. */
export interface OperationLimit {
  target?: string;
  op?: ResourceOp;
  ms: number;
  source: SourceLine;
}

/** One `on_stop_failure [GROUP] RULE` line. */
export interface StopFailureLine {
  group?: string;
  rule: StopFailureRule;
  source: SourceLine;
}

/** Time limits of resource operations and what a stop failure does (see config/operations.ts). */
export interface OperationSettings {
  limits: OperationLimit[];
  stopFailure: StopFailureLine[];
}

export interface Config {
  /** The configuration directory the files were read from. */
  dir: string;
  cluster: string;
  /** Both nodes in ha.cf order. */
  nodes: [string, string];
  localNode: string;
  peerNode: string;
  timing: Timing;
  /** Every heartbeat path, in ha.cf order. */
  paths: PathSpec[];
  udpPort: number;
  baud: number;
  msgfmt: 'classic' | 'netstring';
  autoFailback: AutoFailback;
  groups: ResourceGroup[];
  auth: AuthConfig;
  resetDevices: ResetDeviceSpec[];
  /** From `ping` and `ping_group` lines, in ha.cf order. */
  pingTargets: PingTarget[];
  /** `respawn hacluster .../ipfail`: groups move to the node that reaches more ping targets. */
  ipfail: boolean;
  /** `track_interface`, or by default the interfaces named by the VIPs: carrier loss on the holder moves its groups. */
  trackInterfaces: string[];
  /** Resource monitoring by the holder (monitor_* lines, failover_on_monitor). */
  monitor: MonitorSettings;
  /** Hold-down and damping of health-driven moves (failback_holddown, flap_limit, flap_window). */
  damping: DampingSettings;
  /** resource_timeout and on_stop_failure lines, resolved per group and resource by config/operations.ts. */
  operations: OperationSettings;
  logfile?: string;
  debugfile?: string;
  logfacility?: string;
  /** 0 = off. */
  debugLevel: number;
  /** From `env NAME=value` lines: exported to resource scripts as HA_NAME. */
  env: Record<string, string>;
  /** Directives Heartbeat accepts that twinbeat takes without acting on them (noted by check-config). */
  ignored: { directive: string; reason: string; source: SourceLine }[];
  /** Present when ha.cf names an mqtt_broker. */
  mqtt?: MqttConfig;
}
