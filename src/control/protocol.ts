// The control socket's protocol: one JSON request per connection, one JSON reply, each a line.
//   request: {"command":"status"} | {"command":"takeover","force":true} | ...
//   reply:   {"ok":true,"result":...} | {"ok":false,"error":"..."}

export const SOCKET_NAME = 'control.sock';
/** A request longer than this is refused: the commands are tiny. */
export const MAX_REQUEST_BYTES = 4096;

export interface ControlRequest {
  command: string;
  [argument: string]: unknown;
}

export type ControlReply = { ok: true; result: unknown } | { ok: false; error: string };

/** `twinbeat fence-confirm NODE`: an operator says NODE was reset by hand (a manual device waits for it). */
export const FENCE_CONFIRM_COMMAND = 'fence-confirm';

export interface FenceConfirmRequest extends ControlRequest {
  command: typeof FENCE_CONFIRM_COMMAND;
  node: string;
}
