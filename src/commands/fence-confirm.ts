// `twinbeat fence-confirm NODE`: the operator says NODE was power-cycled by hand, completing
// the reset a manual device (Heartbeat's meatware) is waiting for. Like meatclient -c NODE.
import { FENCE_CONFIRM_COMMAND, type FenceConfirmRequest } from '../control/protocol';
import { oneArgumentCommand } from './control-command';

export const fenceConfirmCommand = oneArgumentCommand({
  name: 'fence-confirm',
  summary: 'confirm that NODE was reset by hand, for a manual reset device (like meatclient -c)',
  usage: 'usage: twinbeat fence-confirm NODE [--run-dir DIR]\n  only after NODE has really been powered off or reset: the peer takes over its groups',
  request: (node): FenceConfirmRequest => ({ command: FENCE_CONFIRM_COMMAND, node: node.toLowerCase() }),
});
