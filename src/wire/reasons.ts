// Why a frame was dropped. Every reason has a counter that `twinbeat status` shows.
export const DROP_REASONS = [
  'too-long', // past MAX_FRAME_BYTES
  'no-terminator', // no `<<<` / `%%%` end, or a netstring cut short
  'bad-framing', // neither `>>>` nor `###`, or a broken netstring length
  'bad-field', // a line or netstring that is not name=value, a repeated field, an unsupported type
  'no-auth', // no auth field (or no outer digest on a netstring frame)
  'unknown-key', // auth names a key index authkeys does not list
  'bad-auth', // the digest does not match
  'bad-message', // authenticated, but not a message twinbeat understands (missing seq, ...)
  'replay', // a sequence number already seen, or too old for the window
  'unknown-node', // src is not the peer in ha.cf
  'not-for-us', // dest names another node
] as const;

export type DropReason = (typeof DROP_REASONS)[number];

export type DropCounters = Record<DropReason, number>;

export function emptyDropCounters(): DropCounters {
  return Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as DropCounters;
}
