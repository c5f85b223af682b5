// Heartbeat's ipfail: each node counts the ping targets it reaches (a `ping` address, or a
// `ping_group` of which any member answers) and says so in every message. A group belongs on
// the node that reaches more: the holder that reaches fewer than its peer for deadping hands
// its groups over, as `twinbeat standby` would. Equal counts move nothing, and a node that
// recovers does not take a group back unless auto_failback says so and it reaches at least as
// many as the holder (see handover.ts).
import { noteHealthChange } from './damping';
import { decide, decideOnce, log, peerMarkedFailed, type Step } from './state';

export function onCarrier(st: Step, down: string[]): void {
  const s = st.s;
  const tracked = s.config.trackedInterfaces ?? [];
  const now = down.filter((i) => tracked.includes(i)).sort();
  if (now.join(' ') === s.down.join(' ')) return;
  for (const i of now) if (!s.down.includes(i)) log(st, 'warn', `Tracked interface ${i}: no carrier`);
  for (const i of s.down) if (!now.includes(i)) log(st, 'info', `Tracked interface ${i}: carrier back`);
  const changed = [...now.filter((i) => !s.down.includes(i)), ...s.down.filter((i) => !now.includes(i))];
  noteHealthChange(st, changed.join(' '));
  s.down = now;
}

/**
 * keepalived's track_interface: the holder whose tracked interface lost carrier hands its
 * groups to the peer at once, if the peer's same interface is up. Both down: nothing moves.
 */
export function carrierRule(st: Step): void {
  const s = st.s;
  const c = s.config;
  if (s.down.length === 0 || s.mode !== 'active') return;
  const view = s.contact === 'alive' ? s.peer.view : null;
  if (!view || view.mode !== 'active') return;
  const theirsDown = view.down ?? [];
  const usable = s.down.filter((i) => !theirsDown.includes(i));
  for (const g of c.groups) {
    const slot = s.groups[g.id]!;
    if (!slot.token || slot.state !== 'held' || slot.giveAway) continue;
    if (usable.length === 0) {
      decideOnce(st, 'keep-no-carrier-there-either', { group: g.id, interfaces: s.down });
      continue;
    }
    if (peerMarkedFailed(s, g.id)) {
      decideOnce(st, 'keep-no-carrier-failed-there', { group: g.id, interfaces: usable });
      continue;
    }
    slot.giveAway = true;
    slot.healthMove = true;
    decide(st, 'hand-over-carrier', { group: g.id, interfaces: usable });
  }
}

/** With tracked interfaces: the peer has one down that is up here, so giving it a group makes things worse. */
export function peerCarrierWorse(st: Step): boolean {
  const view = st.s.contact === 'alive' ? st.s.peer.view : null;
  return (view?.down ?? []).some((i) => !st.s.down.includes(i));
}

export function onReachability(st: Step, reachable: number): void {
  const s = st.s;
  const targets = s.config.pingTargets ?? 0;
  if (targets === 0 || reachable === s.reach) return;
  log(st, reachable < targets ? 'warn' : 'info', `Ping targets: ${reachable} of ${targets} reachable from this node`);
  // The first count after start-up is a measurement, not a change.
  if (s.reach >= 0) noteHealthChange(st, 'ping targets');
  s.reach = reachable;
}

/** The peer's count, when it is heard and measures too. */
export function peerReach(st: Step): number | undefined {
  const s = st.s;
  const r = s.contact === 'alive' ? s.peer.view?.reach : undefined;
  return r !== undefined && r >= 0 ? r : undefined;
}

export function connectivityTimers(st: Step): void {
  const s = st.s;
  const c = s.config;
  const targets = c.pingTargets ?? 0;
  const theirs = peerReach(st);
  const held = c.groups.filter((g) => {
    const slot = s.groups[g.id]!;
    return slot.token && slot.state === 'held' && !slot.giveAway;
  });
  const worse =
    targets > 0 && s.reach >= 0 && theirs !== undefined && s.reach < theirs && held.length > 0 && s.peer.view?.mode === 'active' && s.mode === 'active';
  // A group marked failed on the peer stays here, and no countdown starts for it alone.
  if (worse) {
    for (const g of held) {
      if (peerMarkedFailed(s, g.id)) decideOnce(st, 'keep-ping-failed-there', { group: g.id });
    }
  }
  const movable = worse ? held.filter((g) => !peerMarkedFailed(s, g.id)) : [];
  if (movable.length === 0) {
    if (!worse && s.worseSince !== null && held.length > 0) log(st, 'info', 'Ping targets: no longer fewer than the peer reaches; keeping the groups here');
    s.worseSince = null;
    return;
  }
  const deadping = c.deadpingMs ?? c.deadtimeMs;
  if (s.worseSince === null) {
    s.worseSince = st.now;
    log(st, 'warn', `This node reaches ${s.reach} of ${targets} ping targets, ${c.peer} reaches ${theirs}: handing over in ${deadping} ms unless that changes`);
  }
  if (st.now - s.worseSince < deadping) return;
  for (const g of movable) {
    s.groups[g.id]!.giveAway = true;
    s.groups[g.id]!.healthMove = true;
    decide(st, 'hand-over-ping', { group: g.id, figures: { reachThere: theirs, targets, reachHere: s.reach, deadpingMs: deadping } });
  }
  s.worseSince = null;
}
