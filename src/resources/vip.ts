// A virtual IP: `ip addr add` / `ip addr del` (iproute2), announced with gratuitous ARP
// (iputils arping). Before adding, it checks that nobody on the LAN already answers for the
// address: twinbeat never puts a second copy of an address on a LAN.
import { networkInterfaces } from 'node:os';
import { subnetHolders, type InterfaceAddress, type MachineView } from '../config/machine';
import type { VipResource } from '../config/types';
import { runCommand, runProbe, type CommandResult } from '../exec';
import { ForkingIp, type IpRunner } from './ip-batch';
import type { ActionMark, ActionResult, ManagedResource } from './resource';

export interface VipOptions {
  /** Paths of the tools; settable so tests and odd images can point elsewhere. */
  ipPath: string;
  arpingPath: string;
  /** How long to listen for an answer to the duplicate-address probe, from its send (arping's first line). */
  dadWaitMs: number;
  /** Gratuitous ARPs after adding (IPaddr2 sends 5, 200 ms apart). */
  announceCount: number;
  announceIntervalMs: number;
  /** How long the start waits for the first gratuitous ARP to fail early before going on. */
  announceSettleMs: number;
  /** How long to wait for the kernel's IPv6 duplicate address detection. */
  ipv6DadLimitMs: number;
  commandTimeoutMs: number;
  /**
   * An early probe (probe(), asked by the core before the peer's deadtime runs out) that found
   * nobody stands in for the start's own probe when it ended at most this long before the start.
   */
  earlyProbeMaxAgeMs: number;
  /** Runs `ip addr add` / `ip addr del` (a long-lived `ip -batch`, shared by the VIPs; default a process per command). */
  ipRunner?: IpRunner;
  /** The interfaces seen now (default: this machine's, read at each start). */
  interfaces?: () => MachineView['interfaces'];
}

export const DEFAULT_VIP_OPTIONS: VipOptions = {
  ipPath: 'ip',
  arpingPath: 'arping',
  dadWaitMs: 30,
  announceCount: 5,
  announceIntervalMs: 200,
  announceSettleMs: 0,
  ipv6DadLimitMs: 3000,
  commandTimeoutMs: 5000,
  earlyProbeMaxAgeMs: 120,
};

const delay = (ms: number) => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms));

function liveInterfaces(): MachineView['interfaces'] {
  const out: MachineView['interfaces'] = {};
  for (const [name, list] of Object.entries(networkInterfaces())) {
    out[name] = (list ?? []).map((a): InterfaceAddress => ({
      address: a.address,
      family: a.family === 'IPv6' ? 6 : 4,
      prefixLength: Number((a.cidr ?? '/0').split('/')[1]),
    }));
  }
  return out;
}

/** Who answered the duplicate-address probe: their MAC, or a reason the probe could not tell; neither: nobody. */
interface Answer {
  mac?: string;
  problem?: string;
}

/** An early probe: on which interface, when it began, its answer once it ended. */
interface EarlyProbe {
  iface: string;
  started: number;
  done: Promise<Answer>;
  ended?: number;
}

/**
 * The addresses of a running interface and of its labels (`eth0:0`), from the kernel's list as
 * Node reads it, with no process; undefined when the interface is not in the list (Node leaves
 * out interfaces that are down or without carrier: ask iproute2 then).
 */
function addressesOn(iface: string): { labels: Set<string>; addresses: Map<string, number> } | undefined {
  const all = liveInterfaces();
  if (!all[iface]) return undefined;
  const labels = new Set<string>();
  const addresses = new Map<string, number>();
  for (const [name, list] of Object.entries(all)) {
    if (name !== iface && !name.startsWith(`${iface}:`)) continue;
    labels.add(name);
    for (const a of list) addresses.set(a.address, a.prefixLength);
  }
  return { labels, addresses };
}

/** The first `IFACE:N` label not in use (IPaddr2's way of naming them), or the interface itself when none fits in 15 characters. */
function freeLabelOf(iface: string, used: Set<string>): string {
  for (let n = 0; n < 100; n++) {
    const label = `${iface}:${n}`;
    if (!used.has(label) && label.length <= 15) return label;
  }
  return iface;
}

interface Placement {
  iface: string;
  prefixLength: number;
}

const elapsed = (since: number) => Math.round(performance.now() - since);
const describe = (r: CommandResult) => r.output || `exit ${r.code}`;

export class VipDriver implements ManagedResource {
  readonly name: string;
  private announceTimer: NodeJS.Timeout | undefined;
  /** Bumped each time announcing stops: a series begun before then ends at its next step. */
  private announcing = 0;
  private readonly options: VipOptions;
  private readonly changes: IpRunner;
  private early: EarlyProbe | undefined;

  constructor(
    private readonly spec: VipResource,
    options: Partial<VipOptions> = {},
  ) {
    this.name = spec.raw;
    this.options = { ...DEFAULT_VIP_OPTIONS, ...options };
    this.changes = this.options.ipRunner ?? new ForkingIp(this.options.ipPath);
  }

  /**
   * Where the address goes: as written, else the interface whose subnet holds it (IPaddr's rule).
   * `listed`: the kernel's list when the caller has just read it (default: read now).
   */
  placement(listed?: MachineView['interfaces']): Placement | string {
    const interfaces = this.options.interfaces ? this.options.interfaces() : (listed ?? liveInterfaces());
    const holders = subnetHolders(this.spec, interfaces).filter((h) => !this.spec.iface || h.iface === this.spec.iface);
    const iface = this.spec.iface ?? holders[0]?.iface;
    if (!iface) {
      const seen = Object.entries(interfaces).map(([n, a]) => `${n} ${a.map((x) => `${x.address}/${x.prefixLength}`).join(' ')}`);
      return `no interface has a subnet that holds ${this.spec.address} (looked at: ${seen.join(', ') || 'none'})`;
    }
    // Without a prefix, the address takes the prefix of the subnet it falls in, as IPaddr does.
    const prefixLength = this.spec.prefixLength ?? holders[0]?.address.prefixLength ?? (this.spec.family === 6 ? 128 : 32);
    return { iface, prefixLength };
  }

  private ip(args: string[], timeoutMs = this.options.commandTimeoutMs): Promise<CommandResult> {
    return runCommand(this.options.ipPath, args, { timeoutMs });
  }

  /** `ip addr add` / `del`: through the shared batch when there is one. */
  private change(args: string[]): Promise<CommandResult> {
    return this.changes.run(args, this.options.commandTimeoutMs);
  }

  /**
   * The core expects the peer to be declared dead soon: probe the LAN for the address now and
   * keep the answer for the start that may follow (IPv4; IPv6 has the kernel's own check).
   */
  probe(): void {
    if (this.spec.family !== 4) return;
    const place = this.placement();
    if (typeof place === 'string') return;
    const early: EarlyProbe = { iface: place.iface, started: performance.now(), done: this.whoAnswers(place.iface) };
    void early.done.then(() => (early.ended = performance.now()));
    this.early = early;
  }

  /**
   * The duplicate-address probe of a start: the early one when it found nobody and ended at most
   * earlyProbeMaxAgeMs ago (waited for if still listening), else one now. A probe that found
   * someone, or could not tell, is never reused: a refusal always rests on a probe of the start.
   */
  private async probeForStart(iface: string, marks: ActionMark[]): Promise<Answer> {
    const early = this.early;
    this.early = undefined;
    if (early && early.iface === iface && performance.now() - early.started <= this.options.earlyProbeMaxAgeMs + this.options.dadWaitMs) {
      const answer = await early.done;
      const ended = early.ended ?? performance.now();
      const age = performance.now() - ended;
      if (!answer.mac && !answer.problem && age <= this.options.earlyProbeMaxAgeMs) {
        marks.push({ step: 'probe-done', at: ended, detail: `early probe, ended ${Math.round(age)} ms before the start used it` });
        return answer;
      }
    }
    const answer = await this.whoAnswers(iface);
    marks.push({ step: 'probe-done', at: performance.now() });
    return answer;
  }

  /** The address's line in `ip -o addr show dev IFACE`, if it is there. */
  private async findOnInterface(iface: string, timeoutMs?: number): Promise<string | undefined> {
    const shown = await this.ip(['-o', `-${this.spec.family}`, 'addr', 'show', 'dev', iface], timeoutMs);
    return shown.output.split('\n').find((line) => line.includes(` ${this.spec.address}/`));
  }

  /** Someone else answering ARP for the address: their MAC, or undefined; a string reason when unsure. */
  private async whoAnswers(iface: string): Promise<Answer> {
    // Listened to for dadWaitMs from arping's `ARPING ...` line (its send), not from its spawn.
    const probe = await runProbe(this.options.arpingPath, ['-D', '-c', '1', '-w', '1', '-I', iface, this.spec.address], {
      listenMs: this.options.dadWaitMs,
      sentLine: /^ARPING /m,
      limitMs: this.options.commandTimeoutMs,
    });
    const reply = /reply from \S+ \[([0-9A-Fa-f:]+)\]/.exec(probe.output);
    if (reply) return { mac: reply[1]?.toLowerCase() };
    // Killed at the end of the wait with no reply, or arping's own "no reply" exit: nobody answers.
    if (probe.timedOut || probe.code === 0) return {};
    return { problem: `the duplicate-address check could not run (${this.options.arpingPath}: ${describe(probe)})` };
  }

  private async freeLabel(iface: string): Promise<string> {
    const shown = await this.ip(['-o', '-4', 'addr', 'show', 'dev', iface]);
    for (let n = 0; n < 100; n++) {
      const label = `${iface}:${n}`;
      if (!shown.output.includes(` ${label}`) && label.length <= 15) return label;
    }
    return iface;
  }

  /** `onSent` is told when arping runs (it sends in its first moments). */
  private sendArp(iface: string, onSent?: () => void): Promise<CommandResult> {
    return runCommand(this.options.arpingPath, ['-U', '-c', '1', '-I', iface, this.spec.address], {
      timeoutMs: this.options.commandTimeoutMs,
      ...(onSent ? { onSpawn: () => onSent() } : {}),
    });
  }

  /**
   * Tells the LAN that the address is here now: one gratuitous ARP at once (awaited), the rest
   * paced in the background. IPv6 relies on the kernel's unsolicited neighbour advertisement.
   */
  async announce(): Promise<ActionResult> {
    const started = performance.now();
    const place = this.placement();
    if (typeof place === 'string') return { ok: false, detail: place, durationMs: elapsed(started) };
    if (this.spec.family === 6) return { ok: true, detail: 'IPv6: announced by the kernel', durationMs: elapsed(started) };
    this.stopAnnouncing();
    const run = this.announcing;
    // arping sends at once but then lingers a second for replies; the LAN has the news long
    // before it exits, so the start waits only a moment (for an early failure such as a bad
    // interface) and lets the rest of the announcements follow in the background.
    let sentAt: number | undefined;
    const sending = this.sendArp(place.iface, () => (sentAt = performance.now()));
    const early = await Promise.race([sending, delay(this.options.announceSettleMs)]);
    let remaining = this.options.announceCount - 1;
    const next = () => {
      // Stopped (the address removed, or announced afresh) while an arping was still lingering:
      // the rest of this series would tell the LAN the address is here when it no longer is.
      if (run !== this.announcing || remaining-- <= 0) return;
      this.announceTimer = setTimeout(() => void this.sendArp(place.iface).then(next), this.options.announceIntervalMs);
    };
    void sending.then(next);
    const failed = early !== undefined && !early.ok;
    return {
      ok: !failed,
      detail: failed ? `gratuitous ARP failed: ${describe(early)}` : `gratuitous ARP for ${this.spec.address} on ${place.iface}`,
      durationMs: elapsed(started),
      ...(sentAt !== undefined && !failed ? { marks: [{ step: 'arp-sent', at: sentAt }] } : {}),
    };
  }

  private stopAnnouncing(): void {
    this.announcing += 1;
    if (this.announceTimer) clearTimeout(this.announceTimer);
    this.announceTimer = undefined;
  }

  async start(): Promise<ActionResult> {
    const started = performance.now();
    const fail = (detail: string): ActionResult => ({ ok: false, detail, durationMs: elapsed(started) });
    const place = this.placement();
    if (typeof place === 'string') return fail(place);
    const { iface, prefixLength } = place;
    const listed = this.spec.family === 4 ? addressesOn(iface) : undefined;
    if (listed ? listed.addresses.has(this.spec.address) : await this.findOnInterface(iface)) {
      const announced = await this.announce();
      return { ok: true, detail: `${this.spec.address} was already on ${iface}; ${announced.detail}`, durationMs: elapsed(started), marks: announced.marks ?? [] };
    }
    if (this.spec.family === 4) {
      const marks: ActionMark[] = [];
      const answer = await this.probeForStart(iface, marks);
      if (answer.problem) return fail(`not adding ${this.spec.address}: ${answer.problem}`);
      if (answer.mac) return fail(`not adding ${this.spec.address}: it is already answered on ${iface} by ${answer.mac}`);
      const label = listed ? freeLabelOf(iface, listed.labels) : await this.freeLabel(iface);
      const brd = this.spec.broadcast ?? '+';
      const added = await this.change(['-4', 'addr', 'add', `${this.spec.address}/${prefixLength}`, 'brd', brd, 'dev', iface, 'label', label]);
      // A batch lost after it had added the address has the command run again by fork, which then finds it there: added.
      if (!added.ok && !addressesOn(iface)?.addresses.has(this.spec.address)) return fail(`ip addr add ${this.spec.address}/${prefixLength} dev ${iface} failed: ${describe(added)}`);
      marks.push({ step: 'vip-added', at: performance.now() });
      const announced = await this.announce();
      marks.push(...(announced.marks ?? []));
      return { ok: true, detail: `added ${this.spec.address}/${prefixLength} on ${label}; ${announced.detail}`, durationMs: elapsed(started), marks };
    }
    return this.startIpv6(iface, prefixLength, started);
  }

  /** The kernel checks the LAN for the address (DAD) and announces it when the check passes. */
  private async startIpv6(iface: string, prefixLength: number, started: number): Promise<ActionResult> {
    const added = await this.change(['-6', 'addr', 'add', `${this.spec.address}/${prefixLength}`, 'dev', iface]);
    if (!added.ok) return { ok: false, detail: `ip -6 addr add failed: ${describe(added)}`, durationMs: elapsed(started) };
    const deadline = performance.now() + this.options.ipv6DadLimitMs;
    while (performance.now() < deadline) {
      const line = (await this.findOnInterface(iface)) ?? '';
      if (line.includes('dadfailed')) {
        await this.change(['-6', 'addr', 'del', `${this.spec.address}/${prefixLength}`, 'dev', iface]);
        return { ok: false, detail: `not adding ${this.spec.address}: another node on ${iface} has it (IPv6 duplicate address detection)`, durationMs: elapsed(started) };
      }
      if (!line.includes('tentative')) {
        return { ok: true, detail: `added ${this.spec.address}/${prefixLength} on ${iface}`, durationMs: elapsed(started) };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    await this.change(['-6', 'addr', 'del', `${this.spec.address}/${prefixLength}`, 'dev', iface]);
    return { ok: false, detail: `IPv6 duplicate address detection for ${this.spec.address} did not finish in ${this.options.ipv6DadLimitMs} ms`, durationMs: elapsed(started) };
  }

  /**
   * Where the address is configured now, for stop and status: its placement, or, when none can be
   * found from Node's list (which leaves out interfaces without carrier, so a bare VIP on a LAN
   * whose cable is out has no subnet holder there), whichever interface iproute2 shows it on.
   * Without this a pulled cable made stop say "not here" and leave the address on the interface,
   * to answer again beside the peer's when the cable came back.
   */
  private async located(listed?: MachineView['interfaces']): Promise<Placement | string> {
    const place = this.placement(listed);
    if (typeof place !== 'string') return place;
    const shown = await this.ip(['-o', `-${this.spec.family}`, 'addr', 'show']);
    const line = shown.output.split('\n').find((l) => l.includes(` ${this.spec.address}/`));
    const iface = line?.split(/\s+/)[1]?.replace(/:$/, '').split('@')[0];
    const prefixLength = Number(/inet6? [^/\s]+\/(\d+)/.exec(line ?? '')?.[1]);
    return iface && Number.isInteger(prefixLength) ? { iface, prefixLength } : place;
  }

  async stop(): Promise<ActionResult> {
    const started = performance.now();
    this.stopAnnouncing();
    // The common case without a process: the interface is running and the kernel's list says
    // whether the address is on it (the batch removes it). Otherwise iproute2 is asked.
    const quick = this.placement();
    const listed = typeof quick === 'string' || this.spec.family !== 4 ? undefined : addressesOn(quick.iface);
    if (listed && typeof quick !== 'string') {
      const prefix = listed.addresses.get(this.spec.address);
      if (prefix === undefined) return { ok: true, detail: `${this.spec.address} was not on ${quick.iface}`, durationMs: elapsed(started) };
      const onIface = `${this.spec.address}/${prefix}`;
      const removed = await this.change(['-4', 'addr', 'del', onIface, 'dev', quick.iface]);
      return {
        ok: removed.ok,
        detail: removed.ok ? `removed ${onIface} from ${quick.iface}` : `ip addr del ${onIface} dev ${quick.iface} failed: ${describe(removed)}`,
        durationMs: elapsed(started),
      };
    }
    const place = await this.located();
    // Without a placement the address cannot be on any interface of ours.
    if (typeof place === 'string') return { ok: true, detail: `${this.spec.address} is not here`, durationMs: elapsed(started) };
    const line = await this.findOnInterface(place.iface);
    if (!line) return { ok: true, detail: `${this.spec.address} was not on ${place.iface}`, durationMs: elapsed(started) };
    const onIface = /inet6? (\S+)/.exec(line)?.[1] ?? `${this.spec.address}/${place.prefixLength}`;
    const removed = await this.change([`-${this.spec.family}`, 'addr', 'del', onIface, 'dev', place.iface]);
    return {
      ok: removed.ok,
      detail: removed.ok ? `removed ${onIface} from ${place.iface}` : `ip addr del ${onIface} dev ${place.iface} failed: ${describe(removed)}`,
      durationMs: elapsed(started),
    };
  }

  async status(timeoutMs?: number): Promise<ActionResult> {
    const started = performance.now();
    // The kernel's list, read once for both questions (a netlink socket and two table dumps
    // each time; a check comes every monitor_interval).
    const listed = liveInterfaces();
    const place = await this.located(listed);
    if (typeof place === 'string') return { ok: false, detail: place, durationMs: elapsed(started) };
    // The common answer without a process: the kernel's address list (as Node reads it) has it,
    // under the interface or under a label of it (`eth0:0`, as twinbeat adds it). Node lists only
    // interfaces that are up and running, so "not there" is asked of iproute2.
    const named = Object.entries(listed).filter(([name]) => name === place.iface || name.startsWith(`${place.iface}:`));
    if (named.some(([, list]) => list.some((a) => a.address === this.spec.address))) {
      return { ok: true, detail: `${this.spec.address} is on ${place.iface}`, durationMs: elapsed(started) };
    }
    const line = await this.findOnInterface(place.iface, Math.min(timeoutMs ?? Infinity, this.options.commandTimeoutMs));
    return { ok: line !== undefined, detail: line ? `${this.spec.address} is on ${place.iface}` : `${this.spec.address} is not on ${place.iface}`, durationMs: elapsed(started) };
  }
}
