// A function's per-minute graphs, as the Lambda console's Monitor tab: invocations, errors, throttles and duration
// p50 / p99, from the registry's metrics (every invocation counted, in 1 s and 1 min buckets) in the state database.
import { DEFAULT_REGION } from '../core/index.js';
import type { Db } from '../infra/index.js';
import { readMetricPeriods, statisticOf } from '../registry/index.js';

export interface MinuteMetrics {
  /** Epoch ms of the minute's start. */
  start: number;
  invocations: number;
  errors: number;
  throttles: number;
  /** Undefined for a minute without an invocation that ran. */
  durationP50Ms?: number;
  durationP99Ms?: number;
}

/** The last `minutes` whole minutes of a function (every qualifier, every version), one entry per minute, oldest first. */
export function functionMetrics(db: Db, functionName: string, minutes: number, now = Date.now(), region = DEFAULT_REGION): MinuteMetrics[] {
  const end = (Math.floor(now / 60_000) + 1) * 60_000;
  const start = end - minutes * 60_000;
  const periods = new Map(readMetricPeriods(db, { region, functionName }, start, end, 60).map((p) => [p.start, p]));
  const out: MinuteMetrics[] = [];
  for (let t = start; t < end; t += 60_000) {
    const p = periods.get(t);
    if (!p) {
      out.push({ start: t, invocations: 0, errors: 0, throttles: 0 });
      continue;
    }
    const p50 = statisticOf('Duration', p, 'p50');
    const p99 = statisticOf('Duration', p, 'p99');
    out.push({
      start: t, invocations: p.invocations, errors: p.errors, throttles: p.throttles,
      ...(p50 === undefined ? {} : { durationP50Ms: Math.round(p50 * 100) / 100 }), ...(p99 === undefined ? {} : { durationP99Ms: Math.round(p99 * 100) / 100 }),
    });
  }
  return out;
}
