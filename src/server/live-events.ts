// Live events for the page: Server-Sent Events read from the execution store's event log (the same reader as
// `pipe logs --follow`), each with its sequence number as the SSE id, so a browser that reconnects (or a server
// that restarted) resumes after `Last-Event-ID` and misses nothing. The browser never polls status rows.
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { followEvents } from '../execute/index.js';
import type { ExecutionStore } from '../execute/index.js';
import type { ResponseMasker } from './masking.js';

/** How often the event log is read while nothing is new: well under the 100 ms an event may take to reach a page. */
const POLL_MS = 20;
/** A comment line now and then keeps proxies and idle timers from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

export function streamEvents(c: Context, store: ExecutionStore, masker: ResponseMasker): Response {
  const lastId = c.req.header('Last-Event-ID') ?? c.req.query('after');
  const afterSeq = lastId !== undefined && /^\d+$/.test(lastId) ? Number(lastId) : store.lastSeq();
  const executionId = c.req.query('execution') || undefined;
  return streamSSE(c, async (stream) => {
    const controller = new AbortController();
    stream.onAbort(() => controller.abort());
    const keepalive = setInterval(() => void stream.write(': keepalive\n\n').catch(() => controller.abort()), KEEPALIVE_MS);
    // The first message says where the stream starts, so a page that loaded its data first knows it is in step.
    await stream.writeSSE({ event: 'ready', id: String(afterSeq), data: JSON.stringify({ seq: afterSeq }) });
    let queue = Promise.resolve();
    try {
      await followEvents(
        store,
        (event, seq) => {
          queue = queue.then(() => stream.writeSSE({ event: 'run', id: String(seq), data: JSON.stringify(masker.json(event)) })).catch(() => controller.abort());
        },
        { afterSeq, signal: controller.signal, pollMs: POLL_MS, ...(executionId ? { executionId } : {}) },
      );
      await queue;
    } finally {
      clearInterval(keepalive);
    }
  });
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
