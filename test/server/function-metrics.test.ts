// A function's per-minute graphs' data (/api/functions/:name/metrics) from the registry's metrics in the state
// database: every minute of the window present, oldest first, empty ones at zero without durations; counts of
// invocations, errors and throttles; duration p50 / p99. Behind the token like every dashboard call.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MetricsStore } from '../../src/registry/index.js';
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
