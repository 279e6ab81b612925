// Deploy/Lambda in a pipeline run through the real `pipe` binary: the Source artifact's code deployed to $LATEST,
// published and shifted onto the alias by a canary; the deployment shown by `pipe deployments` and `pipe
// deployment ID`; and a run SIGKILLed in the middle of a linear shift, whose deployment the next pipe command rolls
// back (alias on the old version, no weights) and records Failed with why.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { Registry } from '../../src/registry/index.js';
import type { Invoker } from '../../src/registry/index.js';
import { AlarmStore } from '../../src/deploy/index.js';
import type { DeploymentRecord } from '../../src/deploy/index.js';
import { openDatabase } from '../../src/infra/index.js';
import { makePipeEnv, pipe } from '../support/cli.js';
import type { PipeEnv } from '../support/cli.js';
import { describeDocker } from '../support/docker.js';
import { makeRepo, writeFiles } from '../support/git-fixture.js';
import { endStrayPipes, startPipe } from '../support/pipe-process.js';
import { ROLE, nodeZip } from '../deploy/support.js';

const NO_INVOKE: Invoker = { invoke: () => Promise.reject(new Error('not invoked here')), retire: async () => {}, close: async () => {} };

afterEach(endStrayPipes);

/** Function `api` with versions 1 and 2 and alias live on 1, in the PIPE_HOME of `p`. */
async function withFunction<T>(p: PipeEnv, body?: (r: Registry) => Promise<T>): Promise<T | undefined> {
  mkdirSync(p.home, { recursive: true });
  const r = Registry.open({ invoker: NO_INVOKE, home: p.home });
  try {
    if (!body) {
      await r.createFunction({ FunctionName: 'api', Role: ROLE, Runtime: 'nodejs18.x', Handler: 'index.handler', Code: { ZipFile: nodeZip('exports.handler = async () => 1;') } });
      await r.waitUntilReady({ FunctionName: 'api' });
      await r.publishVersion({ FunctionName: 'api' });
      await r.updateFunctionCode({ FunctionName: 'api', ZipFile: nodeZip('exports.handler = async () => 2;') });
      await r.waitUntilReady({ FunctionName: 'api' });
      await r.publishVersion({ FunctionName: 'api' });
      await r.createAlias({ FunctionName: 'api', Name: 'live', FunctionVersion: '1' });
      return undefined;
    }
    return await body(r);
  } finally {
    r.close();
  }
}

function pipeline(repo: string, deploy: string): string {
  return `name: lambda-deploy
stages:
  - name: Source
    actions:
      - name: Checkout
        type: Source/Git
        configuration:
          repository: ${repo}
        outputArtifacts: [Code]
  - name: Deploy
    actions:
      - name: Live
        type: Deploy/Lambda
        namespace: LambdaDeploy
${deploy}`;
}

async function deployments(p: PipeEnv): Promise<DeploymentRecord[]> {
  const r = await pipe(['deployments', '--json'], p);
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as DeploymentRecord[];
}

describeDocker('Deploy/Lambda in a pipeline run', () => {
  test('the Source artifact becomes version 3, shifted onto live by a canary; pipe deployments and pipe deployment show it', async () => {
    const p = makePipeEnv();
    await withFunction(p);
    const repo = makeRepo({ 'index.js': 'exports.handler = async () => 3;' });
    const file = join(repo, '..', `${Date.now()}-pipeline.yml`);
    writeFiles(join(file, '..'), { [file.split('/').at(-1) ?? '']: pipeline(repo, `        inputArtifacts: [Code]
        configuration:
          FunctionName: api
          FunctionAlias: live
          DeployStrategy: Canary10Percent5Minutes
`) });
    const run = await pipe(['run', file], p, { PIPE_DEPLOY_TIME_SCALE: '300' });
    expect(run.exitCode, run.stderr + run.stdout).toBe(0);
    expect(run.stdout).toContain('[Deploy.Live] deployed Code to api:$LATEST and published version 3');
    expect(run.stdout).toContain('[Deploy.Live] api:live -> version 3 10%, version 1 90%');
    expect(run.stdout).toContain('[Deploy.Live] api:live -> version 3 (100%)');
    const [d] = await deployments(p);
    expect(d).toMatchObject({ functionName: 'api', alias: 'live', currentVersion: '1', targetVersion: '3', deploymentType: 'Canary10Percent5Minutes', status: 'Succeeded' });
    const shown = await pipe(['deployment', d?.deploymentId ?? ''], p);
    expect(shown.exitCode).toBe(0);
    expect(shown.stdout).toContain(`deployment ${d?.deploymentId}  Succeeded\nalias      api:live, version 1 -> 3, Canary10Percent5Minutes at 300x time\n`);
    expect(shown.stdout).toMatch(/steps\n {2}1 {2}10% {3}at \+0 min {2}\d{4}-.*\n {2}2 {2}100% {2}at \+5 min {2}\d{4}-/);
    expect(shown.stdout).toContain('  AllowTraffic        Succeeded');
    const alias = await withFunction(p, (r) => r.getAlias({ FunctionName: 'api', Name: 'live' }));
    expect([alias?.FunctionVersion, alias?.RoutingConfig]).toEqual(['3', undefined]);
    const missing = await pipe(['deployment', 'd-NOPE00000'], p);
    expect([missing.exitCode, missing.stderr]).toEqual([2, 'error: no deployment d-NOPE00000\nhint: pipe deployments lists them']);
  });

  test('a run killed mid-shift: the next pipe command rolls the alias back and records the deployment Failed', async () => {
    const p = makePipeEnv();
    await withFunction(p);
    const repo = makeRepo({ 'README': 'nothing' });
    const file = join(repo, '..', `${Date.now()}-killed.yml`);
    writeFiles(join(file, '..'), { [file.split('/').at(-1) ?? '']: pipeline(repo, `        configuration:
          FunctionName: api
          FunctionAlias: live
          PublishedTargetVersion: "2"
          DeployStrategy: Linear10PercentEvery1Minute
`) });
    // Nine AWS minutes at 60x: the kill comes after the first step, long before the last.
    const run = startPipe(['run', file], p, { extraEnv: { PIPE_DEPLOY_TIME_SCALE: '60' } });
    await run.waitForOutput(/api:live -> version 2 20%/, 60_000);
    run.kill('SIGKILL');
    await run.exited;
    const left = await withFunction(p, (r) => r.getAlias({ FunctionName: 'api', Name: 'live' }));
    expect(left?.FunctionVersion).toBe('1');
    expect(left?.RoutingConfig?.AdditionalVersionWeights?.['2']).toBeGreaterThan(0);
    // Any pipe command finishes what a dead process left, the deployment too.
    expect((await pipe(['executions'], p)).exitCode).toBe(0);
    const back = await withFunction(p, (r) => r.getAlias({ FunctionName: 'api', Name: 'live' }));
    expect([back?.FunctionVersion, back?.RoutingConfig]).toEqual(['1', undefined]);
    const [d] = await deployments(p);
    expect(d).toMatchObject({ status: 'Failed', errorCode: 'INTERNAL_ERROR', weight: 0, reason: `the process running the deployment (pid ${run.pid}) ended before it finished; alias live rolled back to version 1` });
    expect(d?.steps.filter((s) => s.at !== undefined).length).toBeGreaterThanOrEqual(2);
    // A second look finds nothing more to recover.
    expect((await deployments(p)).map((x) => x.status)).toEqual(['Failed']);
  });

  test('named Alarms: an unknown one fails the action before traffic moves; one in ALARM fails it and the alias goes back', async () => {
    const p = makePipeEnv();
    await withFunction(p);
    const db = openDatabase(join(p.home, 'state.db'));
    try {
      // No invocation at all, and missing data counts as breaching: ALARM at the first look.
      new AlarmStore(db).put({
        name: 'api-errors', metricName: 'Errors', namespace: 'AWS/Lambda', dimensions: { FunctionName: 'api', Resource: 'api:live' },
        statistic: 'Sum', period: 60, evaluationPeriods: 1, threshold: 1, comparisonOperator: 'GreaterThanOrEqualToThreshold', treatMissingData: 'breaching',
      });
    } finally {
      db.close();
    }
    const repo = makeRepo({ 'README': 'nothing' });
    const write = (name: string, alarms: string) => {
      const file = join(repo, '..', `${Date.now()}-${name}.yml`);
      writeFiles(join(file, '..'), { [file.split('/').at(-1) ?? '']: pipeline(repo, `        configuration:
          FunctionName: api
          FunctionAlias: live
          PublishedTargetVersion: "2"
          DeployStrategy: Canary10Percent5Minutes
          Alarms: "${alarms}"
`) });
      return file;
    };
    const unknown = await pipe(['run', write('unknown', 'api-errors, nobody')], p, { PIPE_DEPLOY_TIME_SCALE: '60' });
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stdout).toContain('alarm nobody is not defined');
    const alarmed = await pipe(['run', write('alarmed', 'api-errors')], p, { PIPE_DEPLOY_TIME_SCALE: '60' });
    expect(alarmed.exitCode).toBe(1);
    expect(alarmed.stdout).toMatch(/Deploy\.Live: Failed .*deployment d-[A-Z0-9]{9} failed: alarm api-errors is in ALARM: Threshold Crossed: 1 of 1 datapoint\(s\) \[missing\] breached the threshold: Errors Sum greater than or equal to 1\.0; api:live is back on version 1/);
    const alias = await withFunction(p, (r) => r.getAlias({ FunctionName: 'api', Name: 'live' }));
    expect([alias?.FunctionVersion, alias?.RoutingConfig]).toEqual(['1', undefined]);
    expect((await deployments(p)).map((d) => `${d.status} ${d.errorCode ?? ''}`)).toEqual(['Failed ALARM_ACTIVE']);
  });
});
