// The field suite's operations, Pacemaker CTS's list played on a pair of appliances: what an
// operator does (start, stop, standby, takeover, a key rotated) and what the field does to them
// (power lost, cables cut, a LAN port dead, the gateway gone, the service crashed). Each says
// when it can run (from the model of the pair), how long the client may go unanswered, and
// whether a peer may be declared dead or reset; it acts, tells the model, and lets the driver
// check the pair after every phase (ctx.settle) and at its end.
import { OPS as LIFECYCLE } from './ops-lifecycle';
import { OPS as OPERATOR } from './ops-operator';
import { OPS as FAULTS } from './ops-faults';
import type { Operation } from './op-kit';

export { MOVE_BUDGET_MS, STILL_BUDGET_MS, type Operation, type StepContext } from './op-kit';

export const OPERATIONS: Operation[] = [...LIFECYCLE, ...OPERATOR, ...FAULTS];

export const byName = new Map(OPERATIONS.map((op) => [op.name, op]));
