// Peer lost: every path silent for deadtime. With a reset device the peer is reset first and
// the groups are taken only after the reset succeeded; without one, Heartbeat v1 takes over.
//
// One shot only: when both nodes lose every path at once, both are alive and both want to
// shoot. The node that runs the first running group (haresources order) shoots at once; the
// other waits fence_delay, so the serving node survives. If the first shooter's device fails,
// it retries only until fence_delay - deadtime after the loss and then leaves the shot to the
// other node: two retry loops must never fire at the same time and power off both nodes.
import { decide, type Step } from './state';

export function onPeerLost(st: Step): void {
  const s = st.s;
  const c = s.config;
  if (!c.canResetPeer) {
    s.contact = 'dead';
    decide(st, `Taking over: ${c.peer} silent on every path for deadtime (${c.deadtimeMs} ms) and no reset device is configured (Heartbeat v1 behaviour)`, 'warn');
    return;
  }
  s.contact = 'lost';
  s.fence = { phase: 'idle', until: 0, attempts: 0, first: shootsFirst(st), lostAt: st.now };
  if (s.fence.first) {
    shoot(st, `${c.peer} silent on every path for deadtime and this node runs the first running group, so it shoots at once`);
  } else {
    s.fence.phase = 'delay';
    s.fence.until = st.now + c.fenceDelayMs;
    decide(
      st,
      `Not taking over yet: ${c.peer} is silent on every path; waiting fence_delay (${c.fenceDelayMs} ms) before resetting it, so that the node running the groups shoots first`,
      'warn',
    );
  }
}

/**
 * Both nodes compute this from the same facts (what each ran when contact was lost), so they
 * normally agree; the first group that either node runs decides.
 */
function shootsFirst(st: Step): boolean {
  const s = st.s;
  const c = s.config;
  const peerHeld = s.peer.view?.held ?? [];
  for (const g of c.groups) {
    const mine = s.groups[g.id]!.token;
    const theirs = peerHeld.includes(g.id);
    if (mine && !theirs) return true;
    if (theirs && !mine) return false;
    if (mine && theirs) return g.home === c.local;
  }
  const first = c.groups[0];
  return (first ? first.home : c.nodes[0]) === c.local;
}

function shoot(st: Step, why: string): void {
  const s = st.s;
  s.fence.phase = 'resetting';
  s.fence.attempts += 1;
  decide(st, `Resetting ${s.config.peer}: ${why}`, 'warn');
  st.out.push({ type: 'reset-peer', node: s.config.peer });
}

export function cancelFencing(st: Step): void {
  st.s.fence = { ...st.s.fence, phase: 'idle', until: 0 };
}

export function fencingTimers(st: Step): void {
  const s = st.s;
  if (s.contact !== 'lost' || st.now < s.fence.until) return;
  if (s.fence.phase === 'delay') {
    shoot(st, `${s.config.peer} still silent after fence_delay`);
  } else if (s.fence.phase === 'retry-wait') {
    shoot(st, `retry ${s.fence.attempts + 1} after a failed reset`);
  }
}

export function onResetResult(st: Step, ok: boolean, detail?: string): void {
  const s = st.s;
  const c = s.config;
  if (s.fence.phase !== 'resetting') {
    decide(st, `Reset result for ${c.peer} (${ok ? 'ok' : 'failed'}) arrived while no reset was under way: ignored`, 'warn');
    return;
  }
  const why = detail ? ` (${detail})` : '';
  if (ok) {
    s.contact = 'reset';
    // Whatever that generation still says in flight is from before the power cut.
    s.peer.goneGeneration = s.peer.generation;
    s.peer.view = null;
    s.fence = { ...s.fence, phase: 'idle', until: 0 };
    decide(st, `Reset of ${c.peer} succeeded${why}: taking over its groups`, 'warn');
    return;
  }
  const backoff = Math.min(c.resetRetryMs * 2 ** (s.fence.attempts - 1), c.resetRetryMaxMs);
  const lastFirstShot = s.fence.lostAt + c.fenceDelayMs - c.deadtimeMs;
  if (s.fence.first && st.now + backoff >= lastFirstShot) {
    s.fence.phase = 'gave-up';
    decide(
      st,
      `Reset of ${c.peer} failed${why} (attempt ${s.fence.attempts}): not taking over; leaving the reset to ${c.peer}'s delayed shot so that only one node shoots`,
      'error',
    );
    return;
  }
  s.fence.phase = 'retry-wait';
  s.fence.until = st.now + backoff;
  decide(st, `Reset of ${c.peer} failed${why} (attempt ${s.fence.attempts}): not taking over; retrying in ${backoff} ms`, 'error');
}
