// The invariants bite: cores with a deliberate bug must be caught by the simulator.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { step, type CoreState } from '../../src/core';
import type { CoreEvent, Effect } from '../../src/core';
import { runScenario } from '../sim/scenario';
import type { StepFn } from '../sim/world';

function firstCaught(stepFn: StepFn, seeds: number): { seed: number; violation: string } | null {
  for (let seed = 1; seed <= seeds; seed++) {
    const r = runScenario(seed, { stepFn });
    if (!r.ok) return { seed, violation: r.violation! };
  }
  return null;
}

/** Bug: pretends every reset succeeded at once, so it takes over without resetting anyone. */
const takesOverWithoutReset: StepFn = (state, event) => {
  const r = step(state, event);
  const effects: Effect[] = [];
  let s: CoreState = r.state;
  for (const e of r.effects) {
    if (e.type !== 'reset-peer') {
      effects.push(e);
      continue;
    }
    const more = step(s, { type: 'reset-result', now: event.now, ok: true } as CoreEvent);
    s = more.state;
    effects.push(...more.effects);
  }
  return { state: s, effects };
};

/** Bug: reports a stop as complete the moment it is asked for, so it hands over too early. */
const handsOverBeforeStopCompletes: StepFn = (state, event) => {
  const r = step(state, event);
  const effects: Effect[] = [];
  let s: CoreState = r.state;
  for (const e of r.effects) {
    effects.push(e);
    if (e.type !== 'stop-group') continue;
    const more = step(s, { type: 'group-result', now: event.now, group: e.group, action: 'stop', ok: true });
    s = more.state;
    effects.push(...more.effects);
  }
  return { state: s, effects };
};

/** A core that does not read one field of the peer's messages (what its peer says is lost). */
function deafTo(field: 'marked' | 'down'): StepFn {
  return (state, event) => {
    if (event.type !== 'message') return step(state, event);
    const { [field]: _dropped, ...message } = event.message;
    return step(state, { ...event, message: message as typeof event.message });
  };
}

/** Bug: exits as soon as the shutdown notice is handed to the shell, without waiting for the peer's acknowledgement. */
const exitsWithoutWaiting: StepFn = (state, event) => {
  const r = step(state, event);
  if (!r.state.farewell || r.state.exited) return r;
  return { state: { ...r.state, exited: true }, effects: [...r.effects, { type: 'exit' }] };
};

/** Bug (found by the field suite): a group handed away while failed here stays `failed` in this node's state. */
const keepsFailedAfterGivingUp: StepFn = (state, event) => {
  const r = step(state, event);
  const groups = { ...r.state.groups };
  for (const [id, slot] of Object.entries(groups)) {
    if (state.groups[id]?.state === 'failed' && !slot.token && slot.state === 'released') groups[id] = { ...slot, state: 'failed' };
  }
  return { state: { ...r.state, groups }, effects: r.effects };
};

/** Bug: a broken rule, handover whatever on_stop_failure says, so a group moves while it may still run. */
const alwaysHandsOverAfterFailedStop: StepFn = (state, event) =>
  step({ ...state, config: { ...state.config, groups: state.config.groups.map((g) => ({ ...g, onStopFailure: 'handover' as const })) } }, event);

/** Bug (twinbeat before issue 19): a stop that failed is tried again, and again, with nobody told what to do. */
const retriesFailedStop: StepFn = (state, event) => {
  if (event.type !== 'group-result' || event.action !== 'stop' || event.ok || state.groups[event.group]?.state !== 'stopping') return step(state, event);
  return { state, effects: [{ type: 'log', level: 'error', text: `Resource group ${event.group} failed to stop: trying again` }, { type: 'stop-group', group: event.group }] };
};

/**
 * Bug (twinbeat before issue 17): generations trusted to grow. A message with a lower generation
 * than the newest seen from the peer is dropped as old, so a swapped unit, or one whose state
 * directory was lost with its clock behind, is never joined.
 */
function dropsLowerGenerations(): StepFn {
  const newest = new Map<string, number>();
  return (state, event) => {
    if (event.type === 'start') newest.delete(state.config.local);
    if (event.type !== 'message') return step(state, event);
    const seen = newest.get(state.config.local) ?? 0;
    if (event.message.generation < seen) return { state, effects: [] };
    newest.set(state.config.local, event.message.generation);
    return step(state, event);
  };
}

/** Bug: the challenge is ignored, so a replay of a recorded frame of an earlier run joins that run. */
const believesReplays: StepFn = (state, event) => {
  if (event.type !== 'message' || event.message.boot === undefined || event.message.boot === state.peer.boot) return step(state, event);
  return step({ ...state, peer: { ...state.peer, challenge: event.message.answer ?? 1 } }, event);
};

/** Bug: damping broken (flap_limit read as 0), so a flapping cause bounces the group back and forth; the hold-down still works. */
const neverDamps: StepFn = (state, event) => step({ ...state, config: { ...state.config, flapLimit: 0 } }, event);

test('the real core passes the same seeds', () => {
  assert.is(firstCaught(step, 300), null);
});

test('a core that takes over without a successful reset is caught', () => {
  const caught = firstCaught(takesOverWithoutReset, 300);
  assert.ok(caught, 'no violation found');
  console.log(`caught at seed ${caught!.seed}: ${caught!.violation}`);
  assert.match(caught!.violation, /^\((1|2|6)\)/);
});

test('a core that hands a group over before its stop completed is caught', () => {
  const caught = firstCaught(handsOverBeforeStopCompletes, 300);
  assert.ok(caught, 'no violation found');
  console.log(`caught at seed ${caught!.seed}: ${caught!.violation}`);
  // Either both nodes run the group, or a node exits (shutdown) believing stopped what still runs.
  assert.match(caught!.violation, /^\(1\)|exits while still running/);
});

test('a core that hands groups to a peer where they are marked failed is caught', () => {
  const caught = firstCaught(deafTo('marked'), 3000);
  assert.ok(caught, 'no violation found');
  console.log(`caught at seed ${caught!.seed}: ${caught!.violation}`);
  assert.match(caught!.violation, /^\(8\) .* where it is marked failed/);
});

test('a core that moves a group for carrier without knowing the peer has none either is caught', () => {
  const caught = firstCaught(deafTo('down'), 3000);
  assert.ok(caught, 'no violation found');
  console.log(`caught at seed ${caught!.seed}: ${caught!.violation}`);
  assert.match(caught!.violation, /^\(8\) .* for carrier/);
});

test('a core that exits without waiting for the acknowledgement of its shutdown notice is caught', () => {
  const caught = firstCaught(exitsWithoutWaiting, 1000);
  assert.ok(caught, 'no violation found');
  console.log(`caught at seed ${caught!.seed}: ${caught!.violation}`);
  assert.match(caught!.violation, /^\(9\) .* the shutdown notice never arrived/);
});

test('a core that keeps a group failed here after giving it up is caught', () => {
  const caught = firstCaught(keepsFailedAfterGivingUp, 3000);
  assert.ok(caught, 'no violation found');
  console.log(`caught at seed ${caught!.seed}: ${caught!.violation}`);
  assert.match(caught!.violation, /^\(10\) .* given .* up but its state here is failed/);
});

test('a core that hands over a group that would not stop, against its on_stop_failure, is caught', () => {
  const caught = firstCaught(alwaysHandsOverAfterFailedStop, 1000);
  assert.ok(caught, 'no violation found');
  console.log(`caught at seed ${caught!.seed}: ${caught!.violation}`);
  assert.match(caught!.violation, /^\(1\) both nodes/);
});

test('a core that retries a failed stop without escalating is caught', () => {
  const caught = firstCaught(retriesFailedStop, 1000);
  assert.ok(caught, 'no violation found');
  console.log(`caught at seed ${caught!.seed}: ${caught!.violation}`);
  assert.match(caught!.violation, /^\((11|12)\)/);
});

/** Bug: forgets every message that proves nothing (a hello), so a peer it hears but that does not hear it is judged dead (issue 17's one-way start). */
const forgetsHellos: StepFn = (state, event) => {
  const r = step(state, event);
  return { ...r, state: { ...r.state, peer: { ...r.state.peer, helloAt: 0 } } };
};

test('a core that takes over from a peer it hears in a run that does not answer (no reset device) is caught', () => {
  const caught = firstCaught(forgetsHellos, 3000);
  assert.ok(caught, 'no violation found');
  console.log(`caught at seed ${caught!.seed}: ${caught!.violation}`);
  assert.match(caught!.violation, /^\(16\) .* judges its peer dead/);
});

test('a core that drops a peer whose generation went back (a swapped unit) is caught', () => {
  const caught = firstCaught(dropsLowerGenerations(), 1000);
  assert.ok(caught, 'no violation found');
  console.log(`caught at seed ${caught!.seed}: ${caught!.violation}`);
  assert.match(caught!.violation, /^\(14\) .* has not joined/);
});

test('a core that joins any run that names it, without its challenge answered, is caught', () => {
  const caught = firstCaught(believesReplays, 1000);
  assert.ok(caught, 'no violation found');
  console.log(`caught at seed ${caught!.seed}: ${caught!.violation}`);
  assert.match(caught!.violation, /^\(13\) a replayed message changed/);

});

test('a core whose damping is broken is caught bouncing a group for a flapping cause', () => {
  const caught = firstCaught(neverDamps, 1000);
  assert.ok(caught, 'no violation found');
  console.log(`caught at seed ${caught!.seed}: ${caught!.violation}`);
  assert.match(caught!.violation, /^\(15\) .* moved for health reasons \d+ times within/);
});

test.run();
