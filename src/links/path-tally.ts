// The counters and "send failed / sending again" lines of the paths a link carries. Totals
// (`frames-sent`) for the link and the same per path (`ucast eth1 198.51.100.2 frames-sent`)
// so `twinbeat status` can show which of two lines on one socket is failing.
import { ConditionLog } from './condition-log';
import { Counters } from './counters';
import type { LinkLog } from './link';

export class PathTally {
  readonly counters = new Counters();
  private readonly sending = new Map<string, ConditionLog>();

  constructor(
    private readonly log: LinkLog,
    pathIds: readonly string[],
  ) {
    for (const id of pathIds) this.sending.set(id, new ConditionLog(log, id, 'send', 'sending again'));
  }

  /** Counts under the total name and under the path's own. */
  add(pathId: string, name: string, by = 1): void {
    this.counters.add(name, by);
    this.counters.add(`${pathId} ${name}`, by);
  }

  sent(pathId: string, bytes: number): void {
    this.add(pathId, 'frames-sent');
    this.add(pathId, 'bytes-sent', bytes);
    this.sending.get(pathId)?.ok();
  }

  sendFailed(pathId: string, reason: string): void {
    this.add(pathId, 'send-failed');
    this.sending.get(pathId)?.failed(reason);
  }

  received(pathId: string, bytes: number): void {
    this.add(pathId, 'frames-received');
    this.add(pathId, 'bytes-received', bytes);
  }

  /** The current send failure of a path, undefined when it sends. */
  sendFailure(pathId: string): string | undefined {
    return this.sending.get(pathId)?.failure;
  }
}
