// Evaluating a metric alarm on the registry's invocation metrics with CloudWatch's semantics: the last
// `evaluationPeriods` complete periods of `period` seconds (divided by the deploy time scale), the statistic of
// each, the comparison with the threshold, and TreatMissingData for periods without datapoints (missing, ignore,
// breaching, notBreaching). Every evaluated period must breach for ALARM (DatapointsToAlarm = EvaluationPeriods).
import { DEFAULT_REGION, PipeError } from '../core/index.js';
import type { Db } from '../infra/index.js';
import { isLambdaMetric, isStatistic, readMetricPeriods, statisticOf } from '../registry/index.js';
import type { MetricSelection } from '../registry/index.js';
import type { AlarmSpec } from './traffic-types.js';

export const ALARM_STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

export const COMPARISON_OPERATORS = ['GreaterThanOrEqualToThreshold', 'GreaterThanThreshold', 'LessThanThreshold', 'LessThanOrEqualToThreshold'] as const;
export const TREAT_MISSING_DATA = ['missing', 'ignore', 'breaching', 'notBreaching'] as const;

/** How long a recorded invocation may take to reach the database (the registry flushes every 200 ms). */
const FLUSH_LAG_MS = 300;

export interface AlarmEvaluation {
  state: AlarmState;
  reason: string;
  /** The value of each evaluated period, oldest first (undefined: no datapoint). */
  values: (number | undefined)[];
}

/** Refuses, before a deployment starts, an alarm pipe cannot evaluate: not AWS/Lambda, unknown metric, statistic or operator. */
export function checkAlarmSpec(a: AlarmSpec): void {
  const problems: string[] = [];
  if (a.namespace !== 'AWS/Lambda') problems.push(`namespace ${a.namespace} (only AWS/Lambda metrics are recorded)`);
  if (!isLambdaMetric(a.metricName)) problems.push(`metric ${a.metricName} (Invocations, Errors, Throttles or Duration)`);
  if (!isStatistic(a.statistic)) problems.push(`statistic ${a.statistic}`);
  if (!(COMPARISON_OPERATORS as readonly string[]).includes(a.comparisonOperator)) problems.push(`comparison operator ${a.comparisonOperator}`);
  if (a.treatMissingData !== undefined && !(TREAT_MISSING_DATA as readonly string[]).includes(a.treatMissingData)) problems.push(`TreatMissingData ${a.treatMissingData}`);
  if (a.dimensions['FunctionName'] === undefined) problems.push('no FunctionName dimension');
  if (!(a.period > 0) || !(a.evaluationPeriods >= 1) || !Number.isFinite(a.threshold)) problems.push('period, evaluation periods and threshold must be positive numbers');
  if (problems.length > 0) throw new PipeError('INVALID_SPEC', `alarm ${a.name} cannot be evaluated: ${problems.join('; ')}`);
}

export function evaluateAlarm(db: Db, a: AlarmSpec, options: { timeScale?: number; now?: number; region?: string; previous?: AlarmState } = {}): AlarmEvaluation {
  const scale = options.timeScale ?? 1;
  const now = options.now ?? Date.now();
  const periodS = Math.max(1, Math.round(a.period / scale));
  const endS = Math.floor((now - FLUSH_LAG_MS) / 1000 / periodS) * periodS;
  const startS = endS - a.evaluationPeriods * periodS;
  const sel: MetricSelection = { region: options.region ?? DEFAULT_REGION, functionName: a.dimensions['FunctionName'] ?? '' };
  if (a.dimensions['Resource'] !== undefined) sel.resource = a.dimensions['Resource'];
  if (a.dimensions['ExecutedVersion'] !== undefined) sel.executedVersion = a.dimensions['ExecutedVersion'];
  const periods = new Map(readMetricPeriods(db, sel, startS * 1000, endS * 1000, periodS).map((p) => [p.start, p]));
  const values: (number | undefined)[] = [];
  for (let s = startS; s < endS; s += periodS) {
    const p = periods.get(s * 1000);
    values.push(p && isLambdaMetric(a.metricName) ? statisticOf(a.metricName, p, a.statistic) : undefined);
  }
  return decide(a, values, options.previous ?? 'INSUFFICIENT_DATA');
}

function decide(a: AlarmSpec, values: (number | undefined)[], previous: AlarmState): AlarmEvaluation {
  const treat = a.treatMissingData ?? 'missing';
  const present = values.filter((v): v is number => v !== undefined);
  const missing = values.length - present.length;
  const breaching = present.filter((v) => breaches(a, v));
  const shown = `[${values.map((v) => (v === undefined ? 'missing' : fmt(v))).join(', ')}]`;
  if (present.length === 0 && (treat === 'missing' || treat === 'ignore')) {
    const state = treat === 'ignore' ? previous : 'INSUFFICIENT_DATA';
    return { state, reason: `no datapoints in the last ${values.length} period(s)${treat === 'ignore' ? '; state kept (TreatMissingData ignore)' : ''}`, values };
  }
  const breachCount = breaching.length + (treat === 'breaching' ? missing : 0);
  const counted = treat === 'breaching' || treat === 'notBreaching' ? values.length : present.length;
  const state: AlarmState = breachCount >= counted && breachCount > 0 ? 'ALARM' : 'OK';
  const verb = state === 'ALARM' ? 'Threshold Crossed' : 'Threshold not crossed';
  return { state, reason: `${verb}: ${breachCount} of ${counted} datapoint(s) ${shown} ${describe(a)}`, values };
}

function breaches(a: AlarmSpec, v: number): boolean {
  switch (a.comparisonOperator) {
    case 'GreaterThanOrEqualToThreshold': return v >= a.threshold;
    case 'GreaterThanThreshold': return v > a.threshold;
    case 'LessThanThreshold': return v < a.threshold;
    case 'LessThanOrEqualToThreshold': return v <= a.threshold;
    default: return false;
  }
}

function describe(a: AlarmSpec): string {
  const op: Record<string, string> = {
    GreaterThanOrEqualToThreshold: 'greater than or equal to', GreaterThanThreshold: 'greater than',
    LessThanThreshold: 'less than', LessThanOrEqualToThreshold: 'less than or equal to',
  };
  return `breached the threshold: ${a.metricName} ${a.statistic} ${op[a.comparisonOperator] ?? a.comparisonOperator} ${fmt(a.threshold)}`;
}

function fmt(v: number): string {
  return Number.isInteger(v) ? v.toFixed(1) : String(Math.round(v * 1000) / 1000);
}
