// A function's per-minute graphs' data (/api/functions/:name/metrics) from the registry's metrics in the state
// database: every minute of the window present, oldest first, empty ones at zero without durations; counts of
// invocations, errors and throttles; duration p50 / p99. Behind the token like every dashboard call. Pushed
// (/api/functions/:name/metrics-events) each time another handle flushes the function's invocations.
import { request } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase } from '../../src/infra/index.js';
import { MetricsStore, lastMetricsSeq, metricsChangesAfter } from '../../src/registry/index.js';
import { send, startTestServer } from './support.js';
import type { TestServer } from './support.js';

let t: TestServer;
let minute: number;

beforeAll(async () => {
  t = await startTestServer();
  const metrics = new MetricsStore(t.ctx.db);
  minute = Math.floor(Date.now() / 60_000) * 60_000;
  const sample = (ago: number, outcome: 'ok' | 'error' | 'throttled', durationMs: number) =>
    metrics.record({ region: 'us-east-1', functionName: 'graphs', qualifier: 'live', executedVersion: '1', at: minute - ago * 60_000 + 1_000, outcome, durationMs });
  sample(3, 'ok', 12);
  sample(2, 'error', 40);
  sample(2, 'throttled', 0);
  metrics.flush();
});
afterAll(() => t?.close());

it('answers one entry per minute of the window with the counts and durations of each', async () => {
  const r = await send(t.port, '/api/functions/graphs/metrics?minutes=5', { Authorization: `Bearer ${t.token}` });
  expect(r.status).toBe(200);
  const rows = JSON.parse(r.body) as { start: number; invocations: number; errors: number; throttles: number; durationP50Ms?: number; durationP99Ms?: number }[];
  expect(rows).toHaveLength(5);
  expect(rows.map((x, i) => (i === 0 ? 0 : x.start - rows[i - 1]!.start))).toEqual([0, 60_000, 60_000, 60_000, 60_000]);
  const at = (ago: number) => rows.find((x) => x.start === minute - ago * 60_000);
  expect(at(3)).toEqual({ start: minute - 180_000, invocations: 1, errors: 0, throttles: 0, durationP50Ms: 12, durationP99Ms: 12 });
  expect(at(2)).toMatchObject({ errors: 1, throttles: 1, durationP50Ms: 40, durationP99Ms: 40 });
  expect(at(1)).toEqual({ start: minute - 60_000, invocations: 0, errors: 0, throttles: 0 });
});

it('refuses the call without the token', async () => {
  expect((await send(t.port, '/api/functions/graphs/metrics', {})).status).toBe(401);
});

it('pushes the window again each time the function\'s invocations reach the database, written through another handle; resumes after Last-Event-ID', async () => {
  const other = openDatabase(t.ctx.db.name);
  try {
    const store = new MetricsStore(other, { flushMs: 10_000 });
    const at = Date.now();
    const messages = await readMetricEvents(t, 'graphs', {}, 2, () => {
      store.record({ region: 'us-east-1', functionName: 'other-function', qualifier: undefined, executedVersion: '1', at, outcome: 'ok', durationMs: 5 });
      store.flush();
      store.record({ region: 'us-east-1', functionName: 'graphs', qualifier: 'live', executedVersion: '1', at, outcome: 'ok', durationMs: 5 });
      store.flush();
    });
    // The window as the stream starts, then the window after the flush of this function (not the other function's).
    const count = (m: MetricMessage) => m.data.reduce((n, x) => n + x.invocations, 0);
    expect(messages.map(count)).toEqual([2, 3]);
    const changes = metricsChangesAfter(other, 0).filter((c) => c.functionName === 'graphs');
    expect(messages[1]?.id).toBe(changes.at(-1)?.seq);
    store.record({ region: 'us-east-1', functionName: 'graphs', qualifier: 'live', executedVersion: '1', at, outcome: 'error', durationMs: 5 });
    store.flush();
    const resumed = await readMetricEvents(t, 'graphs', { 'Last-Event-ID': String(messages[1]?.id) }, 2);
    expect(resumed.map(count)).toEqual([4, 4]);
    expect(resumed[1]?.id).toBe(lastMetricsSeq(other));
    expect(resumed[1]?.data.reduce((n, x) => n + x.errors, 0)).toBe(2);
  } finally {
    other.close();
  }
});

interface MetricMessage { id: number; data: { invocations: number; errors: number }[] }

/** Reads `count` `metrics` messages of the function's live graphs; `onReady` runs once the stream is followed. */
function readMetricEvents(s: TestServer, fn: string, headers: Record<string, string>, count: number, onReady: () => void = () => undefined): Promise<MetricMessage[]> {
  return new Promise((resolve, reject) => {
    const got: MetricMessage[] = [];
    const req = request({ host: '127.0.0.1', port: s.port, path: `/api/functions/${fn}/metrics-events?minutes=5`, headers: { Host: `127.0.0.1:${s.port}`, Authorization: `Bearer ${s.token}`, ...headers } }, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const field = (name: string) => block.split('\n').find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
          if (field('event') === 'ready') onReady();
          if (field('event') !== 'metrics') continue;
          got.push({ id: Number(field('id')), data: JSON.parse(field('data') ?? '[]') as MetricMessage['data'] });
          if (got.length === count) {
            clearTimeout(timer);
            req.destroy();
            resolve(got);
          }
        }
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`${got.length} of ${count} messages in 10 s`));
    }, 10_000);
    req.on('error', (e) => got.length < count && reject(e));
    req.end();
  });
}
