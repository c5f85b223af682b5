/**
 * twinbeat's failover core: a pure state machine.
 *
 *   step(state, event) -> { state, effects }
 *
 * No I/O, no timers, no clock: every event carries `now` (milliseconds, monotonic), and
 * everything the outside world must do comes back as a list of effects, in order.
 *
 * ## The shell's duties, in order
 *
 * 1. Read the generation from the state directory, add one, write it back (fsync), and feed
 *    `{ type: 'start', now, generation, releasing }`, `releasing` naming every group: then,
 *    beside the heartbeats, release what an earlier run may have left of each (a status of
 *    each resource, a stop of the group if any runs) and report each as a stop's
 *    `group-result`. A group not yet released is not started here nor by the peer; one that
 *    will not stop is handled as any stop failure (stop-failure.ts). Start-up never waits on it.
 * 2. Feed every input as one event, one at a time, never two at once:
 *    - each authenticated message from the peer (decoded by src/wire) as `message`, with the
 *      id of the path it arrived on. Messages that fail authentication are dropped before
 *      the core; they must not count as hearing the peer;
 *    - the result of every `start-group` / `stop-group` as `group-result`, of every
 *      `reset-peer` as `reset-result`, and of every `check-group` as `check-result`;
 *    - changes of the tracked interfaces' carrier as `carrier`, of the ping count as
 *      `reachability`, and `twinbeat cleanup GROUP` as `cleanup`;
 *    - operator commands as `admin`, and SIGTERM as `shutdown`;
 *    - a `tick` at `nextDeadline(state)` at the latest (ticking more often is harmless).
 *    After a pause (CPU stall, suspend) read what is waiting on the links before ticking;
 *    the core gives the peer a fresh deadtime after a gap anyway, so nothing is judged on a
 *    silence that was our own.
 * 3. After each step, keep the returned state and carry out its effects in order:
 *    - `send`: encode and send on every path, or on the one named; never wait for it (notices
      that need an answer are repeated by the core itself, in place of the heartbeat);
 *    - `start-group` / `stop-group`: run the group's resources (start in haresources order,
 *      stop in reverse, going on past a failed stop so that the addresses are removed), each
 *      operation within its time limit (resource_timeout; killed with its process group at
 *      the limit), and report one `group-result` when all are done;
 *    - `reset-peer`: power-cycle the peer through the reset device, report `reset-result`;
 *    - `check-group`: ask each resource of the group whether it still runs, within
 *      monitor_timeout, and report one `check-result` (a check may overlap a stop: the core
 *      ignores an answer about a run that has ended);
 *    - `announce-group`: send the group's addresses' gratuitous ARP again;
 *    - `log`: write the line as it is (it uses Heartbeat's wording where Heartbeat had one);
 *    - `decision`: publish it as "last decision" in status and MQTT;
 *    - `exit`: graceful shutdown is complete (the peer acknowledged the shutdown notice, or
      could not); close the paths only once the frames already handed to them have left
      (bounded: a datagram still queued in Node when its socket closes is dropped without a
      word), then exit 0.
 * 4. Publish status from the state (contact, paths, groups) whenever it changes.
 *
 * Start and stop commands for a group never overlap: the core waits for one's result
 * before it asks for the next.
 */
export { step, stallThresholdMs } from './step';
export { nextDeadline } from './deadline';
export { failedHere, initialState, isRunning, mayRun, type CoreState, type Contact, type FencePhase, type Flapping, type GroupSlot } from './state';
export { coreConfigFrom } from './config';
export { flappingText } from './damping';
export { nodeRole, peerRole, type NodeRole, type PeerRole } from './roles';
export { decisionLine, makeDecision, DECISION_CODES, type Decision, type DecisionCode, type DecisionCause, type DecisionEvent, type DecisionKind } from './decisions';
export type * from './types';
