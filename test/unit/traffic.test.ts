// Traffic shifting without Docker: every deployment type as its weight schedule, the deployment and lifecycle-event
// transition tables, and alarm evaluation on recorded metrics with CloudWatch's statistics and TreatMissingData.
import { describe, expect, it } from 'vitest';
import { ValidationError, transitionDeployment, transitionLifecycleEvent } from '../../src/core/index.js';
import { parsePipelineSpec } from '../../src/parse/index.js';
import { deployTimeScale, evaluateAlarm, parseDeploymentType } from '../../src/deploy/index.js';
import type { AlarmSpec } from '../../src/deploy/index.js';
import { openDatabase } from '../../src/infra/index.js';
import { MetricsStore } from '../../src/registry/index.js';

const steps = (type: string) => parseDeploymentType(type).steps.map((s) => `${s.atMinutes}:${Math.round(s.weight * 100)}`);

describe('deployment types', () => {
  it('every predefined CodeDeploy Lambda configuration, with or without its CodeDeployDefault.Lambda prefix', () => {
    expect(steps('AllAtOnce')).toEqual(['0:100']);
    expect(steps('CodeDeployDefault.LambdaAllAtOnce')).toEqual(['0:100']);
    for (const m of [5, 10, 15, 30]) expect(steps(`Canary10Percent${m}Minutes`)).toEqual(['0:10', `${m}:100`]);
    expect(steps('Linear10PercentEvery1Minute')).toEqual(['0:10', '1:20', '2:30', '3:40', '4:50', '5:60', '6:70', '7:80', '8:90', '9:100']);
    for (const m of [2, 3, 10]) expect(steps(`CodeDeployDefault.LambdaLinear10PercentEvery${m}Minutes`).at(-1)).toBe(`${9 * m}:100`);
  });

  it("Deploy/Lambda's own percentages and minutes; a step that passes 100 % is the last", () => {
    expect(steps('Canary25Percent2Minutes')).toEqual(['0:25', '2:100']);
    expect(steps('Linear30PercentEvery4Minutes')).toEqual(['0:30', '4:60', '8:90', '12:100']);
    expect(steps('Linear50PercentEvery1Minute')).toEqual(['0:50', '1:100']);
  });

  it('refuses what is not a deployment type, and waits past two days', () => {
    expect(() => parseDeploymentType('Canary0Percent5Minutes')).toThrow('Canary0Percent5Minutes is not a deployment type');
    expect(() => parseDeploymentType('Linear10PercentEvery0Minutes')).toThrow('is not a deployment type');
    expect(() => parseDeploymentType('Blue')).toThrow('Blue is not a deployment type');
    expect(() => parseDeploymentType('Canary10Percent3000Minutes')).toThrow('Canary10Percent3000Minutes would take 3000 minutes; a deployment may wait at most 2880 minutes (2 days)');
  });

  it('the time scale comes from PIPE_DEPLOY_TIME_SCALE, else the pipeline\'s, else real time', () => {
    expect(deployTimeScale({ env: {} })).toBe(1);
    expect(deployTimeScale({ env: {}, pipeline: 30 })).toBe(30);
    expect(deployTimeScale({ env: { PIPE_DEPLOY_TIME_SCALE: '60' } })).toBe(60);
    expect(deployTimeScale({ env: { PIPE_DEPLOY_TIME_SCALE: '60' }, pipeline: 30 })).toBe(60);
    expect(deployTimeScale({ env: { PIPE_DEPLOY_TIME_SCALE: '' }, pipeline: 30 })).toBe(30);
    expect(() => deployTimeScale({ env: { PIPE_DEPLOY_TIME_SCALE: '-1' }, pipeline: 30 })).toThrow('PIPE_DEPLOY_TIME_SCALE=-1 is not a positive number');
  });
});

describe('status transitions', () => {
  it('a deployment ends once; a hook event is InProgress before it ends', () => {
    expect(transitionDeployment('Created', 'InProgress')).toBe('InProgress');
    expect(transitionDeployment('InProgress', 'Failed')).toBe('Failed');
    expect(() => transitionDeployment('Failed', 'Succeeded')).toThrow('illegal deployment status transition Failed -> Succeeded');
    expect(() => transitionDeployment('Created', 'Succeeded')).toThrow('illegal deployment status transition Created -> Succeeded');
    expect(() => transitionLifecycleEvent('Pending', 'Succeeded')).toThrow('illegal lifecycle event status transition Pending -> Succeeded');
    expect(transitionLifecycleEvent('InProgress', 'Failed')).toBe('Failed');
  });
});

describe('alarm evaluation on recorded metrics', () => {
  const now = Math.floor(Date.now() / 60_000) * 60_000 + 30_500;
  const minute = (k: number) => now - 30_500 - k * 60_000 + 1_000; // inside the k-th complete minute before now
  const db = openDatabase(':memory:');
  const metrics = new MetricsStore(db);
  const record = (at: number, outcome: 'ok' | 'error', durationMs = 10) =>
    metrics.record({ region: 'us-east-1', functionName: 'f', qualifier: 'live', executedVersion: '2', at, outcome, durationMs });
  // Two minutes ago: 4 invocations, 1 error, slow; one minute ago: 4, all fine, fast; nothing in the minute before.
  for (const o of ['ok', 'ok', 'ok', 'error'] as const) record(minute(2), o, 900);
  for (let i = 0; i < 4; i++) record(minute(1), 'ok', 20);
  metrics.flush();
  const alarm = (over: Partial<AlarmSpec>): AlarmSpec => ({
    name: 'a', metricName: 'Errors', namespace: 'AWS/Lambda', dimensions: { FunctionName: 'f', Resource: 'f:live' }, statistic: 'Sum',
    period: 60, evaluationPeriods: 1, threshold: 1, comparisonOperator: 'GreaterThanOrEqualToThreshold', ...over,
  });
  const state = (over: Partial<AlarmSpec>) => evaluateAlarm(db, alarm(over), { now }).state;

  it('the last complete periods, their statistic against the threshold', () => {
    expect(state({})).toBe('OK');
    expect(state({ evaluationPeriods: 2 })).toBe('OK');
    expect(evaluateAlarm(db, alarm({ evaluationPeriods: 2, statistic: 'SampleCount', threshold: 4 }), { now })).toMatchObject({ state: 'ALARM', values: [4, 4] });
    expect(evaluateAlarm(db, alarm({ metricName: 'Errors', statistic: 'Average', evaluationPeriods: 2, threshold: 0.25 }), { now }).values).toEqual([0.25, 0]);
    expect(state({ metricName: 'Duration', statistic: 'p99', threshold: 500, comparisonOperator: 'GreaterThanThreshold', evaluationPeriods: 2 })).toBe('OK');
    expect(evaluateAlarm(db, alarm({ metricName: 'Duration', statistic: 'Maximum', threshold: 100, comparisonOperator: 'LessThanThreshold' }), { now })).toMatchObject({ state: 'ALARM', values: [20] });
    // At 60x a 60 s period lasts one second: the last complete second before `now` holds nothing.
    expect(evaluateAlarm(db, alarm({}), { now, timeScale: 60 }).values).toEqual([undefined]);
  });

  it('TreatMissingData: missing (INSUFFICIENT_DATA), ignore (state kept), breaching, notBreaching', () => {
    const later = now + 60_000; // the last complete minute now has no datapoint
    expect(evaluateAlarm(db, alarm({}), { now: later }).state).toBe('INSUFFICIENT_DATA');
    expect(evaluateAlarm(db, alarm({ treatMissingData: 'ignore' }), { now: later, previous: 'ALARM' }).state).toBe('ALARM');
    expect(evaluateAlarm(db, alarm({ treatMissingData: 'breaching', threshold: 0 }), { now: later }).state).toBe('ALARM');
    expect(evaluateAlarm(db, alarm({ treatMissingData: 'notBreaching', threshold: 0 }), { now: later }).state).toBe('OK');
    // Two minutes ago breached (1 error), the minute after did not, the last is missing: one good datapoint keeps it OK.
    expect(evaluateAlarm(db, alarm({ evaluationPeriods: 3, treatMissingData: 'breaching' }), { now: later }).state).toBe('OK');
    expect(evaluateAlarm(db, alarm({ evaluationPeriods: 3, treatMissingData: 'breaching' }), { now: later }).reason)
      .toBe('Threshold not crossed: 2 of 3 datapoint(s) [1.0, 0.0, missing] breached the threshold: Errors Sum greater than or equal to 1.0');
  });
});

describe('Deploy/Lambda configuration, as pipe validate reads it', () => {
  const file = (configuration: string, inputs = '') => `name: p
stages:
  - name: Source
    actions:
      - name: Checkout
        type: Source/Git
        configuration: { repository: . }
        outputArtifacts: [Src]
  - name: Deploy
    actions:
      - name: Live
        type: Deploy/Lambda
${inputs}        configuration:
${configuration}`;
  const problems = (text: string): string => {
    try {
      parsePipelineSpec(text, 'p.yml');
    } catch (e) {
      if (e instanceof ValidationError) return e.format();
      throw e;
    }
    return 'valid';
  };

  it('takes CodePipeline\'s keys, a strategy and alarms with an alias, and FunctionVersion as its variable', () => {
    const spec = parsePipelineSpec(file(`          FunctionName: api
          FunctionAlias: live
          PublishedTargetVersion: "2"
          DeployStrategy: Linear20PercentEvery2Minutes
          Alarms: "api-errors, api-throttles"
`), 'p.yml');
    expect(spec.stages[1]?.actions[0]?.configuration).toEqual({
      FunctionName: 'api', FunctionAlias: 'live', PublishedTargetVersion: '2', DeployStrategy: 'Linear20PercentEvery2Minutes', Alarms: 'api-errors, api-throttles',
    });
  });

  it('reports every bad key at once, with its line', () => {
    const report = problems(file(`          FunctionName: "bad name"
          PublishedTargetVersion: "0"
          DeployStrategy: Blue
          Alarms: a,b,c,d,e,f,g,h,i,j,k
          Timeout: 5
`, '        inputArtifacts: [Src, Src]\n'));
    expect(report).toContain("p.yml:15:25 stages[1].actions[0].configuration.FunctionName: expected a function name (letters, digits, - and _, at most 64), got 'bad name'");
    expect(report).toContain('stages[1].actions[0].configuration.PublishedTargetVersion: expected a published version number');
    expect(report).toContain('stages[1].actions[0].configuration.DeployStrategy: expected AllAtOnce, Canary<P>Percent<M>Minutes or Linear<P>PercentEvery<M>Minute(s)');
    expect(report).toContain("stages[1].actions[0].configuration.DeployStrategy: a DeployStrategy needs a 'FunctionAlias' to shift");
    expect(report).toContain('stages[1].actions[0].configuration.Alarms: expected at most 10 alarm names, separated by commas');
    expect(report).toContain('Timeout');
    expect(report).toContain('inputArtifacts');
  });
});

describe('the metrics writer', () => {
  it('after close, an invocation that ends late is dropped: no flush into the closed database', async () => {
    const db = openDatabase(':memory:');
    const metrics = new MetricsStore(db, { flushMs: 5 });
    const sample = { region: 'us-east-1', functionName: 'f', qualifier: 'live', executedVersion: '1', at: Date.now(), outcome: 'ok' as const, durationMs: 1 };
    metrics.record(sample);
    metrics.close();
    const count = () => (db.prepare("SELECT SUM(invocations) AS n FROM registry_metrics WHERE resolution = 1").get() as { n: number }).n;
    expect(count()).toBe(1);
    db.close();
    metrics.record(sample);
    await new Promise((resolve) => setTimeout(resolve, 30)); // past the flush interval: a timer would have thrown by now
    expect(() => metrics.flush()).not.toThrow();
  });
});
