// A function's per-minute graphs, pushed: Server-Sent Events read from the registry's metrics log (one row per
// function each time its buffered invocations reach the database, with a sequence number). When the function's
// datapoints moved, the page gets its whole window again (metrics-model.ts), id = the log's sequence number, so a
// browser that reconnects resumes after `Last-Event-ID`. The browser never polls the graphs.
import type { Context } from 'hono';
import { DEFAULT_REGION, sleepUnlessAborted } from '../core/index.js';
import type { Db } from '../infra/index.js';
import { lastMetricsSeq, metricsChangesAfter } from '../registry/index.js';
import { functionMetrics } from './metrics-model.js';
import { resumeAfter, streamLog } from './sse-log.js';

/** How often the log is read while nothing is new (the registry flushes every 200 ms). */
const POLL_MS = 50;

/** The graphs' window in minutes, from `?minutes=`: 30 unless given, between 1 and a day. */
export function metricsWindow(c: Context): number {
  return Math.min(Math.max(Number(c.req.query('minutes') ?? 30) || 30, 1), 24 * 60);
}

export function streamFunctionMetrics(c: Context, db: Db, functionName: string, minutes: number): Response {
  let seq = resumeAfter(c, () => lastMetricsSeq(db));
  return streamLog(c, seq, async (send, signal) => {
    // The window as it is when the stream starts: a page that loaded its graphs a moment before is in step from here.
    send({ event: 'metrics', id: seq, data: functionMetrics(db, functionName, minutes) });
    while (!signal.aborted) {
      const batch = metricsChangesAfter(db, seq);
      if (batch.length === 0) {
        await sleepUnlessAborted(POLL_MS, signal);
        continue;
      }
      seq = batch.at(-1)?.seq ?? seq;
      // One message for a batch: the window as it is now holds every flush of it.
      const mine = batch.filter((m) => m.functionName === functionName && m.region === DEFAULT_REGION).at(-1);
      if (mine) send({ event: 'metrics', id: mine.seq, data: functionMetrics(db, functionName, minutes) });
    }
  });
}
