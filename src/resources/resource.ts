// What the agent moves in a failover: a VIP or a script, behind one small interface.

export interface ActionResult {
  ok: boolean;
  /** What happened, for the log: a script's output, the address that answered, ... */
  detail: string;
  durationMs: number;
  /** Killed at its time limit: what it was asked is not known. */
  timedOut?: boolean;
  /**
   * Moments inside the action for a takeover's trace (performance.now() ms): the duplicate-address
   * probe done, the VIP added, its first gratuitous ARP sent.
   */
  marks?: ActionMark[];
}

export interface ActionMark {
  step: 'probe-done' | 'vip-added' | 'arp-sent';
  at: number;
  detail?: string;
}

export interface ManagedResource {
  /** As written in haresources, e.g. `IPaddr::192.0.2.50/24/eth0` or `httpd`. */
  readonly name: string;
  start(): Promise<ActionResult>;
  stop(): Promise<ActionResult>;
  /** ok: running (the VIP is on its interface, the script's status exits 0); given up on after timeoutMs when given. */
  status(timeoutMs?: number): Promise<ActionResult>;
  /** Tells the LAN again where the resource is (a VIP's gratuitous ARP); absent for scripts. */
  announce?(): Promise<ActionResult>;
  /** A takeover may follow soon: do now what the start would wait for (a VIP's duplicate-address probe). Never fails; the start judges. */
  probe?(): void;
}
