// One way to push an append-only log to a page over Server-Sent Events: where the stream starts (`Last-Event-ID`
// after a reconnect, `?after=`, else the log's newest number), a first `ready` message naming that number, each
// entry with its sequence number as the SSE id, written in order, and a comment line now and then on a quiet
// stream. The execution events, the deploy log and the metrics log each say only how to follow their own log.
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';

/** A comment line now and then keeps proxies and idle timers from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

export interface SseMessage {
  event: string;
  /** The log's sequence number: what a reconnecting browser sends back as Last-Event-ID. */
  id: number;
  data: unknown;
}

/** Where a stream resumes: after the browser's Last-Event-ID (or `?after=`), else after the log's newest entry. */
export function resumeAfter(c: Context, newestSeq: () => number): number {
  const lastId = c.req.header('Last-Event-ID') ?? c.req.query('after');
  return lastId !== undefined && /^\d+$/.test(lastId) ? Number(lastId) : newestSeq();
}

/**
 * Streams `follow`'s messages after `afterSeq` until the browser goes away. `follow` calls `send` for each message
 * and returns when `signal` aborts; the messages are written in the order sent, after `ready`.
 */
export function streamLog(c: Context, afterSeq: number, follow: (send: (m: SseMessage) => void, signal: AbortSignal) => Promise<unknown>): Response {
  return streamSSE(c, async (stream) => {
    const controller = new AbortController();
    stream.onAbort(() => controller.abort());
    const keepalive = setInterval(() => void stream.write(': keepalive\n\n').catch(() => controller.abort()), KEEPALIVE_MS);
    let queue = Promise.resolve();
    const send = (m: SseMessage): void => {
      queue = queue.then(() => stream.writeSSE({ event: m.event, id: String(m.id), data: JSON.stringify(m.data) })).catch(() => controller.abort());
    };
    try {
      // The first message says where the stream starts, so a page that loaded its data first knows it is in step.
      send({ event: 'ready', id: afterSeq, data: { seq: afterSeq } });
      await follow(send, controller.signal);
      await queue;
    } finally {
      clearInterval(keepalive);
    }
  });
}
