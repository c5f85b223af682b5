// The agent's side of `twinbeat fence-confirm NODE`: the control-socket handler the run
// command registers under FENCE_CONFIRM_COMMAND. It hands the node to this node's reset
// device; an error (no manual device, nothing waiting, wrong node) becomes the reply's error.
import { FENCE_CONFIRM_COMMAND, type FenceConfirmRequest } from '../control/protocol';
import type { ControlHandler } from '../control/server';
import type { ResetController } from './index';

export { FENCE_CONFIRM_COMMAND };

export function fenceConfirmHandler(controller: Pick<ResetController, 'confirm'> | undefined): ControlHandler {
  return (request) => {
    const node = (request as Partial<FenceConfirmRequest>).node;
    if (typeof node !== 'string' || node === '') throw new Error('fence-confirm needs the node that was reset: {"command":"fence-confirm","node":"NODE"}');
    if (!controller) throw new Error(`this node has no reset device, so no reset of ${node} is waiting`);
    return controller.confirm(node);
  };
}
