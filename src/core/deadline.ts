// When the core next needs a tick. The shell may tick more often (every keepalive/4, say);
// ticking at this time exactly is enough for every timer to fire on time.
import type { CoreState } from './state';
import { askedResetAt } from './stop-failure';
import { probeDue } from './probe';
import { heardUnjoinedAt } from './liveness';

export function nextDeadline(s: CoreState): number | null {
  if (s.exited || s.generation === 0) return null;
  const c = s.config;
  // Silence is judged from the later of the last message and our own stall, and not during a late event's grace.
  const after = (t: number) => Math.max(Math.max(t, s.resumedAt) + c.deadtimeMs, s.graceUntil);
  let next = s.nextHeartbeatAt;
  const consider = (t: number) => {
    if (t < next) next = t;
  };
  for (const p of c.paths) {
    const path = s.paths[p.id]!;
    if (path.up === true) consider(after(path.lastHeardAt));
  }
  // A hello holds a takeover off without a reset device (liveness.ts heardUnjoinedAt).
  const hello = heardUnjoinedAt(s);
  if (s.contact === 'alive') consider(after(Math.max(s.peer.lastHeardAt, hello)));
  const probeAt = probeDue(s);
  if (probeAt !== null) consider(probeAt);
  if (s.contact === 'waiting' && !s.waitExplained) consider(Math.max(s.startedAt + c.initdeadMs, after(hello)));
  if (s.contact === 'lost' && (s.fence.phase === 'delay' || s.fence.phase === 'retry-wait')) consider(s.fence.until);
  if (s.farewell) consider(s.farewell.until);
  const asked = askedResetAt(s);
  if (asked !== null && asked > s.lastEventAt) consider(asked);
  if (s.request) consider(s.repeatUntil);
  if (s.holdUntil !== null && s.holdUntil > s.lastEventAt) consider(s.holdUntil);
  if (s.worseSince !== null) consider(s.worseSince + (c.deadpingMs ?? c.deadtimeMs));
  for (const g of c.groups) {
    const slot = s.groups[g.id]!;
    if (slot.failedUntil > s.lastEventAt) consider(slot.failedUntil);
    if ((c.monitorIntervalMs ?? 0) > 0 && slot.token && slot.state === 'held' && !slot.checking) consider(slot.checkAt);
  }
  return next;
}
