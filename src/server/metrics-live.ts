// A function's per-minute graphs, pushed: Server-Sent Events read from the registry's metrics log (one row per
// function each time its buffered invocations reach the database, with a sequence number). When the function's
// datapoints moved, the page gets its whole window again (metrics-model.ts), id = the log's sequence number, so a
// browser that reconnects resumes after `Last-Event-ID`. The browser never polls the graphs.
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { DEFAULT_REGION } from '../core/index.js';
import type { Db } from '../infra/index.js';
import { lastMetricsSeq, metricsChangesAfter } from '../registry/index.js';
import { functionMetrics } from './metrics-model.js';

/** How often the log is read while nothing is new (the registry flushes every 200 ms). */
const POLL_MS = 50;
const KEEPALIVE_MS = 15_000;

export function streamFunctionMetrics(c: Context, db: Db, functionName: string, minutes: number): Response {
  const lastId = c.req.header('Last-Event-ID') ?? c.req.query('after');
  let seq = lastId !== undefined && /^\d+$/.test(lastId) ? Number(lastId) : lastMetricsSeq(db);
  return streamSSE(c, async (stream) => {
    let open = true;
    stream.onAbort(() => {
      open = false;
    });
    let quiet = 0;
    await stream.writeSSE({ event: 'ready', id: String(seq), data: JSON.stringify({ seq }) });
    // The window as it is when the stream starts: a page that loaded its graphs a moment before is in step from here.
    await stream.writeSSE({ event: 'metrics', id: String(seq), data: JSON.stringify(functionMetrics(db, functionName, minutes)) });
    while (open) {
      const batch = metricsChangesAfter(db, seq);
      const mine = batch.filter((m) => m.functionName === functionName && m.region === DEFAULT_REGION).at(-1);
      if (batch.length > 0) seq = batch.at(-1)?.seq ?? seq;
      // One message for a batch: the window as it is now holds every flush of it.
      if (mine) await stream.writeSSE({ event: 'metrics', id: String(mine.seq), data: JSON.stringify(functionMetrics(db, functionName, minutes)) });
      if (batch.length > 0) continue;
      await stream.sleep(POLL_MS);
      quiet += POLL_MS;
      if (quiet >= KEEPALIVE_MS) {
        quiet = 0;
        await stream.write(': keepalive\n\n');
      }
    }
  });
}
