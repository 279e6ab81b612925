// Live events for the page: Server-Sent Events read from the execution store's event log (the same reader as
// `pipe logs --follow`), each with its sequence number as the SSE id, so a browser that reconnects (or a server
// that restarted) resumes after `Last-Event-ID` and misses nothing. The browser never polls status rows.
import type { Context } from 'hono';
import { followEvents } from '../execute/index.js';
import type { ExecutionStore } from '../execute/index.js';
import type { ResponseMasker } from './masking.js';
import { resumeAfter, streamLog } from './sse-log.js';

/** How often the event log is read while nothing is new: well under the 100 ms an event may take to reach a page. */
const POLL_MS = 20;

export function streamEvents(c: Context, store: ExecutionStore, masker: ResponseMasker): Response {
  const afterSeq = resumeAfter(c, () => store.lastSeq());
  const executionId = c.req.query('execution') || undefined;
  return streamLog(c, afterSeq, (send, signal) =>
    followEvents(store, (event, seq) => send({ event: 'run', id: seq, data: masker.json(event) }), {
      afterSeq,
      signal,
      pollMs: POLL_MS,
      ...(executionId ? { executionId } : {}),
    }),
  );
}

/**
 * An action's log as the event log holds it, with the sequence number it was read up to: a page shows these lines,
 * then the live events after that number, so no line is shown twice or missed.
 */
export function actionLog(store: ExecutionStore, executionId: string, stage: string, action: string): { lines: string[]; seq: number } {
  const lines: string[] = [];
  let seq = 0;
  for (;;) {
    const batch = store.eventsAfter(seq, executionId, 5000);
    if (batch.length === 0) break;
    for (const { seq: s, event } of batch) {
      seq = s;
      if (event.type === 'log' && event.stage === stage && event.action === action) lines.push(event.line);
      else if (event.type === 'warning' && event.stage === stage && event.action === action) lines.push(`Warning: ${event.message}`);
    }
  }
  // Nothing of this execution after `seq` yet: the page may take live events from the log's newest number on.
  return { lines, seq: Math.max(seq, store.lastSeq()) };
}
