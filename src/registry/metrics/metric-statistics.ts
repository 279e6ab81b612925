// The AWS/Lambda metrics of one period as CloudWatch computes them: each invocation is one datapoint of
// Invocations (1), Errors (0 or 1) and Duration (ms); each request, throttled or not, one of Throttles (0 or 1).
// A period with no datapoint of a metric has no value for it (CloudWatch's "missing data").
import type { MetricPeriod } from './metrics-store.js';

export const LAMBDA_METRICS = ['Invocations', 'Errors', 'Throttles', 'Duration'] as const;
export type LambdaMetric = (typeof LAMBDA_METRICS)[number];
export const BASIC_STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] as const;

export function isLambdaMetric(name: string): name is LambdaMetric {
  return (LAMBDA_METRICS as readonly string[]).includes(name);
}

/** `p99`, `p50`, `p99.9`: a percentile statistic's percentage, else undefined. */
export function percentileOf(statistic: string): number | undefined {
  const m = /^p(\d{1,2}(?:\.\d{1,2})?|100)$/.exec(statistic);
  return m ? Number(m[1]) : undefined;
}

export function isStatistic(statistic: string): boolean {
  return (BASIC_STATISTICS as readonly string[]).includes(statistic) || percentileOf(statistic) !== undefined;
}

/** The value of a statistic of a metric over a period, or undefined when the period has no datapoint of it. */
export function statisticOf(metric: LambdaMetric, p: MetricPeriod, statistic: string): number | undefined {
  const { count, sum, min, max, values } = datapoints(metric, p);
  if (count === 0) return undefined;
  switch (statistic) {
    case 'SampleCount': return count;
    case 'Sum': return sum;
    case 'Average': return sum / count;
    case 'Minimum': return min;
    case 'Maximum': return max;
    default: {
      const pct = percentileOf(statistic);
      if (pct === undefined) return undefined;
      return percentile(values(), pct);
    }
  }
}

function datapoints(metric: LambdaMetric, p: MetricPeriod): { count: number; sum: number; min: number; max: number; values: () => number[] } {
  switch (metric) {
    case 'Invocations':
      return { count: p.invocations, sum: p.invocations, min: 1, max: 1, values: () => [1] };
    case 'Errors':
      return {
        count: p.invocations, sum: p.errors, min: p.errors < p.invocations ? 0 : 1, max: p.errors > 0 ? 1 : 0,
        values: () => zeroOnes(p.invocations, p.errors),
      };
    case 'Throttles': {
      const count = p.invocations + p.throttles;
      return { count, sum: p.throttles, min: p.throttles < count ? 0 : 1, max: p.throttles > 0 ? 1 : 0, values: () => zeroOnes(count, p.throttles) };
    }
    case 'Duration':
      return { count: p.invocations, sum: p.durationSum, min: p.durationMin ?? 0, max: p.durationMax ?? 0, values: () => p.durations };
    default: {
      const never: never = metric;
      throw new Error(`unknown metric ${String(never)}`);
    }
  }
}

function zeroOnes(count: number, ones: number): number[] {
  return [...Array<number>(count - ones).fill(0), ...Array<number>(ones).fill(1)];
}

/** Nearest-rank percentile of the samples. */
function percentile(values: number[], pct: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((pct / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}
