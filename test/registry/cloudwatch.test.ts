// The registry's invocation metrics read back through the real AWS CLI v2 (CloudWatch's query protocol):
// GetMetricStatistics for Invocations, Errors, Throttles and Duration (with percentiles) by FunctionName and
// Resource; metric alarms put, described with their state, deleted; and `pipe metrics` over the same PIPE_HOME.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { awsServices } from '../../src/app/index.js';
import { AlarmStore } from '../../src/deploy/index.js';
import { openDatabase } from '../../src/infra/index.js';
import type { Db } from '../../src/infra/index.js';
import { Registry, RegistryServer } from '../../src/registry/index.js';
import { pipe } from '../support/cli.js';
import { AWS_CLI, describeNeeding } from '../support/docker.js';
import { EchoInvoker, ROLE, awsEnv, handlerZip } from './support.js';

const run = promisify(execFile);
let home: string;
let registry: Registry;
let server: RegistryServer;
let url: string;
const from = new Date(Date.now() - 10 * 60_000).toISOString();
const to = new Date(Date.now() + 2 * 60_000).toISOString();

async function aws(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(AWS_CLI, ['--endpoint-url', url, '--output', 'json', ...args], { env: awsEnv() });
  return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
}

async function stats(metric: string, dimensions: string[], ...more: string[]): Promise<Record<string, unknown>[]> {
  const out = await aws('cloudwatch', 'get-metric-statistics', '--namespace', 'AWS/Lambda', '--metric-name', metric,
    '--dimensions', ...dimensions, '--start-time', from, '--end-time', to, '--period', '60', ...more);
  expect(out['Label']).toBe(metric);
  return out['Datapoints'] as Record<string, unknown>[];
}

let db: Db | undefined;
const registryDb = () => (db ??= openDatabase(join(home, 'state.db')));
const total = (points: Record<string, unknown>[], key: string) => points.reduce((n, p) => n + Number(p[key] ?? 0), 0);

describeNeeding(['aws'], 'CloudWatch metrics and alarms of the registry, through the AWS CLI v2', () => {
  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'pipe-cloudwatch-'));
    registry = Registry.open({ invoker: new EchoInvoker(), home });
    server = new RegistryServer({ registry, host: '127.0.0.1', port: 0, services: awsServices({ home, registry }) });
    url = await server.listen();
    await registry.createFunction({ FunctionName: 'metered', Role: ROLE, Runtime: 'nodejs18.x', Handler: 'index.handler', Code: { ZipFile: handlerZip() } });
    await registry.waitUntilReady({ FunctionName: 'metered' });
    await registry.publishVersion({ FunctionName: 'metered' });
    await registry.waitUntilReady({ FunctionName: 'metered', Qualifier: '1' });
    await registry.createAlias({ FunctionName: 'metered', Name: 'live', FunctionVersion: '1' });
    const payload = (p: unknown) => Buffer.from(JSON.stringify(p));
    for (let i = 0; i < 3; i++) await registry.invoke({ FunctionName: 'metered', Qualifier: 'live', Payload: payload({ i }) });
    for (let i = 0; i < 2; i++) await registry.invoke({ FunctionName: 'metered', Qualifier: '1', Payload: payload({ fail: 'bad' }) });
    for (let i = 0; i < 4; i++) await registry.invoke({ FunctionName: 'metered', Payload: payload({ i }) });
    await registry.putFunctionConcurrency({ FunctionName: 'metered', ReservedConcurrentExecutions: 0 });
    await expect(registry.invoke({ FunctionName: 'metered', Qualifier: 'live' })).rejects.toThrow('Rate Exceeded.');
  });
  afterAll(async () => {
    db?.close();
    await server.close();
    registry.close();
    rmSync(home, { recursive: true, force: true });
  });

  test('Invocations, Errors and Throttles by FunctionName and by Resource', async () => {
    const all = await stats('Invocations', ['Name=FunctionName,Value=metered'], '--statistics', 'Sum', 'SampleCount');
    expect(total(all, 'Sum')).toBe(9);
    expect(all.every((p) => p['Unit'] === 'Count' && typeof p['Timestamp'] === 'string')).toBe(true);
    const errors = await stats('Errors', ['Name=FunctionName,Value=metered', 'Name=Resource,Value=metered:1'], '--statistics', 'Sum', 'Maximum');
    expect([total(errors, 'Sum'), errors.every((p) => p['Maximum'] === 1)]).toEqual([2, true]);
    const throttles = await stats('Throttles', ['Name=FunctionName,Value=metered', 'Name=Resource,Value=metered:live'], '--statistics', 'Sum');
    expect(total(throttles, 'Sum')).toBe(1);
  });

  test('Duration in milliseconds with p50 and p99; a bad period is refused in CloudWatch\'s words', async () => {
    const points = await stats('Duration', ['Name=FunctionName,Value=metered'], '--statistics', 'Maximum', '--extended-statistics', 'p50', 'p99');
    expect(points.length).toBeGreaterThan(0);
    for (const p of points) {
      expect(p['Unit']).toBe('Milliseconds');
      const ext = p['ExtendedStatistics'] as Record<string, number>;
      expect(ext['p50']).toBeGreaterThanOrEqual(0);
      expect(ext['p99']).toBeGreaterThanOrEqual(ext['p50'] ?? 0);
      expect(Number(p['Maximum'])).toBeGreaterThanOrEqual(ext['p99'] ?? 0);
    }
    const bad = await run(AWS_CLI, ['--endpoint-url', url, 'cloudwatch', 'get-metric-statistics', '--namespace', 'AWS/Lambda', '--metric-name', 'Errors',
      '--start-time', from, '--end-time', to, '--period', '7', '--statistics', 'Sum'], { env: awsEnv() }).catch((e: { stderr: string }) => e.stderr);
    expect(String(bad)).toContain('An error occurred (InvalidParameterValue) when calling the GetMetricStatistics operation: The parameter Period must be 1, 5, 10, 30, or a multiple of 60.');
  });

  test('a metric alarm put, described in ALARM on the errors of version 1, deleted', async () => {
    await aws('cloudwatch', 'put-metric-alarm', '--alarm-name', 'metered-errors', '--namespace', 'AWS/Lambda', '--metric-name', 'Errors',
      '--dimensions', 'Name=FunctionName,Value=metered', 'Name=Resource,Value=metered:1', '--statistic', 'Sum', '--period', '60',
      '--evaluation-periods', '5', '--threshold', '1', '--comparison-operator', 'GreaterThanOrEqualToThreshold');
    const before = process.env['PIPE_DEPLOY_TIME_SCALE'];
    // At 12x a 60 s period lasts 5 s: five of them reach back past this file's invocations.
    process.env['PIPE_DEPLOY_TIME_SCALE'] = '12';
    try {
      await new Promise((r) => setTimeout(r, 400));
      const out = await aws('cloudwatch', 'describe-alarms', '--alarm-names', 'metered-errors');
      const [alarm] = out['MetricAlarms'] as Record<string, unknown>[];
      expect(alarm).toMatchObject({ AlarmName: 'metered-errors', MetricName: 'Errors', Statistic: 'Sum', Period: 60, EvaluationPeriods: 5, Threshold: 1, StateValue: 'ALARM' });
      expect(String(alarm?.['StateReason'])).toMatch(/^Threshold Crossed: 1 of 1 datapoint\(s\) \[(missing, )*2\.0(, missing)*\] breached the threshold: Errors Sum greater than or equal to 1\.0$/);
    } finally {
      if (before === undefined) delete process.env['PIPE_DEPLOY_TIME_SCALE'];
      else process.env['PIPE_DEPLOY_TIME_SCALE'] = before;
    }
    await aws('cloudwatch', 'delete-alarms', '--alarm-names', 'metered-errors');
    expect(new AlarmStore(registryDb()).list()).toEqual([]);
    const refused = await run(AWS_CLI, ['--endpoint-url', url, 'cloudwatch', 'put-metric-alarm', '--alarm-name', 'x', '--namespace', 'AWS/EC2', '--metric-name', 'CPUUtilization',
      '--statistic', 'Average', '--period', '60', '--evaluation-periods', '1', '--threshold', '1', '--comparison-operator', 'GreaterThanThreshold'], { env: awsEnv() }).catch((e: { stderr: string }) => e.stderr);
    expect(String(refused)).toContain('(ValidationError) when calling the PutMetricAlarm operation: alarm x cannot be evaluated: namespace AWS/EC2 (only AWS/Lambda metrics are recorded); metric CPUUtilization (Invocations, Errors, Throttles or Duration); no FunctionName dimension');
  });

  test('pipe metrics prints the same counts per minute and executed version', async () => {
    registry.flushMetrics();
    const env = { home, artifacts: join(home, 'artifacts'), env: { PIPE_HOME: home, NO_COLOR: '1' } };
    const json = await pipe(['metrics', 'metered', '--json'], env);
    expect(json.exitCode, json.stderr).toBe(0);
    const rows = JSON.parse(json.stdout) as { version: string; invocations: number; errors: number; throttles: number; durationP99Ms?: number }[];
    expect(rows.reduce((n, r) => n + r.invocations, 0)).toBe(9);
    expect(rows.reduce((n, r) => n + r.errors, 0)).toBe(2);
    expect(rows.reduce((n, r) => n + r.throttles, 0)).toBe(1);
    const live = JSON.parse((await pipe(['metrics', 'metered', '--qualifier', 'live', '--json'], env)).stdout) as { invocations: number }[];
    expect(live.reduce((n, r) => n + r.invocations, 0)).toBe(3);
    const text = await pipe(['metrics', 'metered'], env);
    expect(text.stdout.split('\n')[0]).toBe('MINUTE (UTC)      VERSION  INVOCATIONS  ERRORS  THROTTLES  AVG MS  P50 MS  P99 MS  MAX MS');
    const none = await pipe(['metrics', 'nobody'], env);
    expect([none.exitCode, none.stderr]).toEqual([0, 'no invocations of nobody in the last 60 minutes']);
  });
});
