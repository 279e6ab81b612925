// The one reader of the append-only event log: another process (`pipe logs --follow`, an attached view, the
// dashboard) gets every event of an execution, or of all, after a sequence number, as it is appended.
import { isTerminalExecutionStatus, sleepUnlessAborted } from '../core/index.js';
import type { RunEvent } from '../core/index.js';
import type { ExecutionStore } from './execution-store.js';

export interface FollowOptions {
  /** Events after this sequence number (0: from the start). */
  afterSeq?: number;
  /** Only this execution's. */
  executionId?: string;
  /** Stop once the execution ends (its terminal event was read); else follow until `signal` aborts. */
  untilEnd?: boolean;
  signal?: AbortSignal;
  /** How often the log is read again while nothing is new. */
  pollMs?: number;
}

/** Calls `onEvent` for each event as it is appended; resolves with the last sequence number read. */
export async function followEvents(store: ExecutionStore, onEvent: (e: RunEvent, seq: number) => void, options: FollowOptions = {}): Promise<number> {
  let seq = options.afterSeq ?? 0;
  for (;;) {
    if (options.signal?.aborted) return seq;
    const batch = store.eventsAfter(seq, options.executionId);
    for (const { seq: s, event } of batch) {
      seq = s;
      onEvent(event, s);
      if (options.untilEnd && event.type === 'execution' && !event.start && isTerminalExecutionStatus(event.status) && event.executionId === options.executionId) {
        // An end followed by more events was not the last one: a retry took the execution up again. A retry that
        // comes after the last end is not waited for: following ends with it.
        if (store.eventsAfter(s, options.executionId, 1).length === 0) return seq;
      }
    }
    if (batch.length > 0) continue;
    if (options.untilEnd && options.executionId) {
      const e = store.getExecution(options.executionId);
      if (!e || isTerminalExecutionStatus(e.status)) return seq;
    }
    await sleepUnlessAborted(options.pollMs ?? 150, options.signal);
  }
}
