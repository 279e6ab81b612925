// The CloudWatch API pipe serves on the registry port (the query protocol, as the AWS CLI v2 speaks it for
// `monitoring`): GetMetricStatistics over the registry's AWS/Lambda invocation metrics, with the FunctionName,
// Resource and ExecutedVersion dimensions, the basic statistics and percentiles; and metric alarms on them
// (PutMetricAlarm, DescribeAlarms with the state evaluated now, DeleteAlarms), which Deploy/Lambda's Alarms name.
import { AwsApiError } from '../core/index.js';
import type { AwsService } from '../core/index.js';
import type { Db } from '../infra/index.js';
import { isLambdaMetric, isStatistic, percentileOf, readMetricPeriods, statisticOf } from '../registry/index.js';
import type { MetricSelection } from '../registry/index.js';
import { checkAlarmSpec, evaluateAlarm } from './alarm-evaluate.js';
import { AlarmStore } from './alarm-store.js';
import { deployTimeScale } from './time-scale.js';
import type { AlarmSpec } from './traffic-types.js';

/** CloudWatch's limit on the datapoints one GetMetricStatistics call may ask for. */
const MAX_DATAPOINTS = 1440;
const DIMENSIONS = ['FunctionName', 'Resource', 'ExecutedVersion'];

/** `flush` writes what the serving process has recorded but not yet written, so a read sees every invocation so far. */
export function cloudWatchService(openDb: () => Db, flush: () => void = () => {}): AwsService {
  return {
    signingName: 'monitoring',
    protocol: 'query',
    xmlNamespace: 'http://monitoring.amazonaws.com/doc/2010-08-01/',
    operations: {
      async GetMetricStatistics(input, call) {
        const namespace = required(input, 'Namespace');
        const metric = required(input, 'MetricName');
        const start = time(input, 'StartTime');
        const end = time(input, 'EndTime');
        const period = Number(required(input, 'Period'));
        if (!(period > 0 && ([1, 5, 10, 30].includes(period) || period % 60 === 0))) {
          throw new AwsApiError('InvalidParameterValue', 'The parameter Period must be 1, 5, 10, 30, or a multiple of 60.');
        }
        const statistics = list(input, 'Statistics');
        const extended = list(input, 'ExtendedStatistics');
        if (statistics.length + extended.length === 0) throw new AwsApiError('MissingParameter', 'Must specify either Statistics or ExtendedStatistics.');
        for (const s of statistics) if (!isStatistic(s) || percentileOf(s) !== undefined) throw new AwsApiError('InvalidParameterValue', `The parameter Statistics.member contains an invalid statistic: ${s}`);
        for (const s of extended) if (percentileOf(s) === undefined) throw new AwsApiError('InvalidParameterValue', `The parameter ExtendedStatistics.member contains an invalid statistic: ${s}`);
        if (end <= start) throw new AwsApiError('InvalidParameterValue', 'The parameter StartTime must be less than the parameter EndTime.');
        if ((end - start) / 1000 / period > MAX_DATAPOINTS) {
          throw new AwsApiError('InvalidParameterCombination', `You have requested up to ${Math.ceil((end - start) / 1000 / period)} datapoints, which exceeds the limit of ${MAX_DATAPOINTS}. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`);
        }
        const dims = dimensions(input);
        const known = namespace === 'AWS/Lambda' && isLambdaMetric(metric) && dims.FunctionName !== undefined && Object.keys(dims).every((d) => DIMENSIONS.includes(d));
        if (!known || !isLambdaMetric(metric)) return { Label: metric, Datapoints: [] };
        const sel: MetricSelection = { region: call.region, functionName: dims.FunctionName ?? '' };
        if (dims.Resource !== undefined) sel.resource = dims.Resource;
        if (dims.ExecutedVersion !== undefined) sel.executedVersion = dims.ExecutedVersion;
        flush();
        const unit = metric === 'Duration' ? 'Milliseconds' : 'Count';
        const datapoints = readMetricPeriods(openDb(), sel, start, end, period).flatMap((p) => {
          const point: Record<string, unknown> = { Timestamp: new Date(p.start) };
          for (const s of statistics) {
            const v = statisticOf(metric, p, s);
            if (v !== undefined) point[s] = v;
          }
          if (Object.keys(point).length === 1 && statistics.length > 0) return [];
          point['Unit'] = unit;
          if (extended.length > 0) {
            const values = new Map<string, number>();
            for (const s of extended) {
              const v = statisticOf(metric, p, s);
              if (v !== undefined) values.set(s, v);
            }
            if (values.size === 0 && statistics.length === 0) return [];
            point['ExtendedStatistics'] = values;
          }
          return [point];
        });
        return { Label: metric, Datapoints: datapoints };
      },
      async PutMetricAlarm(input) {
        const spec: AlarmSpec = {
          name: required(input, 'AlarmName'),
          metricName: required(input, 'MetricName'),
          namespace: required(input, 'Namespace'),
          dimensions: dimensions(input),
          statistic: typeof input['ExtendedStatistic'] === 'string' ? input['ExtendedStatistic'] : required(input, 'Statistic'),
          period: Number(required(input, 'Period')),
          evaluationPeriods: Number(required(input, 'EvaluationPeriods')),
          threshold: Number(required(input, 'Threshold')),
          comparisonOperator: required(input, 'ComparisonOperator'),
          ...(typeof input['TreatMissingData'] === 'string' ? { treatMissingData: input['TreatMissingData'] } : {}),
        };
        try {
          checkAlarmSpec(spec);
        } catch (e) {
          throw new AwsApiError('ValidationError', e instanceof Error ? e.message : String(e));
        }
        new AlarmStore(openDb()).put(spec);
        return {};
      },
      async DescribeAlarms(input, call) {
        flush();
        const names = list(input, 'AlarmNames');
        const db = openDb();
        const alarms = new AlarmStore(db).list().filter((a) => names.length === 0 || names.includes(a.spec.name));
        const timeScale = deployTimeScale();
        return {
          MetricAlarms: alarms.map(({ spec, updatedAt }) => {
            const e = evaluateAlarm(db, spec, { timeScale, region: call.region });
            return {
              AlarmName: spec.name, AlarmArn: `arn:aws:cloudwatch:${call.region}:000000000000:alarm:${spec.name}`,
              AlarmConfigurationUpdatedTimestamp: new Date(updatedAt), ActionsEnabled: false,
              StateValue: e.state, StateReason: e.reason, StateUpdatedTimestamp: new Date(),
              MetricName: spec.metricName, Namespace: spec.namespace,
              ...(percentileOf(spec.statistic) === undefined ? { Statistic: spec.statistic } : { ExtendedStatistic: spec.statistic }),
              Dimensions: Object.entries(spec.dimensions).map(([Name, Value]) => ({ Name, Value })),
              Period: spec.period, EvaluationPeriods: spec.evaluationPeriods, Threshold: spec.threshold,
              ComparisonOperator: spec.comparisonOperator, TreatMissingData: spec.treatMissingData ?? 'missing',
            };
          }),
          CompositeAlarms: [],
        };
      },
      async DeleteAlarms(input) {
        new AlarmStore(openDb()).delete(list(input, 'AlarmNames'));
        return {};
      },
    },
  };
}

function required(input: Record<string, unknown>, key: string): string {
  const v = input[key];
  if (typeof v !== 'string' || v === '') throw new AwsApiError('MissingParameter', `The parameter ${key} is required.`);
  return v;
}

function time(input: Record<string, unknown>, key: string): number {
  const raw = required(input, key);
  const ms = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) * 1000 : Date.parse(raw);
  if (!Number.isFinite(ms)) throw new AwsApiError('InvalidParameterValue', `The parameter ${key} is not a valid timestamp: ${raw}`);
  return ms;
}

function list(input: Record<string, unknown>, key: string): string[] {
  const v = input[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function dimensions(input: Record<string, unknown>): Record<string, string> {
  const v = input['Dimensions'];
  const out: Record<string, string> = {};
  if (!Array.isArray(v)) return out;
  for (const d of v) {
    const { Name, Value } = (d ?? {}) as { Name?: unknown; Value?: unknown };
    if (typeof Name === 'string' && typeof Value === 'string') out[Name] = Value;
  }
  return out;
}
