// shiftTraffic and recoverDeployments against the real registry with the scripted Invoker (no Docker: these
// deployments invoke nothing): a stop mid-canary, an alias not where the caller says, an alias already split, a
// second deployment of the same alias, and a deployment whose owner process is dead, rolled back by recovery.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { hostname } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DeploymentStore, recoverDeployments, shiftTraffic } from '../../src/deploy/index.js';
import { openDatabase } from '../../src/infra/index.js';
import type { Db } from '../../src/infra/index.js';
import { awsServices } from '../../src/app/index.js';
import { Registry, RegistryServer } from '../../src/registry/index.js';
import { AWS_CLI, describeNeeding } from '../support/docker.js';
import { EchoInvoker, ROLE, awsEnv, handlerZip } from '../registry/support.js';

let home: string;
let registry: Registry;
let db: Db;

async function fn(name: string): Promise<void> {
  await registry.createFunction({ FunctionName: name, Role: ROLE, Runtime: 'nodejs18.x', Handler: 'index.handler', Code: { ZipFile: handlerZip('exports.handler = async () => 1;') } });
  await registry.waitUntilReady({ FunctionName: name });
  await registry.publishVersion({ FunctionName: name });
  await registry.updateFunctionCode({ FunctionName: name, ZipFile: handlerZip('exports.handler = async () => 2;') });
  await registry.waitUntilReady({ FunctionName: name });
  await registry.publishVersion({ FunctionName: name });
  await registry.createAlias({ FunctionName: name, Name: 'live', FunctionVersion: '1' });
}

const request = (functionName: string, extra: Partial<Parameters<typeof shiftTraffic>[0]> = {}) => ({
  lambda: registry, db, functionName, alias: 'live', currentVersion: '1', targetVersion: '2', deploymentType: 'Linear10PercentEvery1Minute', timeScale: 600, ...extra,
});

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'pipe-traffic-'));
  registry = Registry.open({ invoker: new EchoInvoker(), home });
  db = openDatabase(join(home, 'state.db'));
});
afterAll(() => {
  registry.close();
  db.close();
  rmSync(home, { recursive: true, force: true });
});

test('a stop mid-shift puts the alias back, no weights; the deployment is Stopped', async () => {
  await fn('stopped');
  const stop = new AbortController();
  const result = await shiftTraffic(request('stopped', {
    signal: stop.signal,
    onEvent: (e) => {
      if (e.message.includes('20%')) stop.abort();
    },
  }));
  expect(result).toMatchObject({ status: 'Stopped', reason: 'the deployment was stopped' });
  const a = await registry.getAlias({ FunctionName: 'stopped', Name: 'live' });
  expect([a.FunctionVersion, a.RoutingConfig]).toEqual(['1', undefined]);
  const d = new DeploymentStore(db).get(result.deploymentId);
  expect([d?.status, d?.errorCode, d?.steps.map((s) => s.at !== undefined)]).toEqual(['Stopped', 'MANUAL_STOP', [true, true, false, false, false, false, false, false, false, false]]);
});

test('an alias not on currentVersion, or already on two versions, is left as it is', async () => {
  await fn('elsewhere');
  const wrong = await shiftTraffic(request('elsewhere', { currentVersion: '2', targetVersion: '1' }));
  expect(wrong).toMatchObject({ status: 'Failed', reason: 'alias live points at version 1, not at the current version 2' });
  await registry.updateAlias({ FunctionName: 'elsewhere', Name: 'live', RoutingConfig: { AdditionalVersionWeights: { 2: 0.5 } } });
  const split = await shiftTraffic(request('elsewhere'));
  expect(split).toMatchObject({ status: 'Failed', reason: 'alias live already routes traffic to two versions ({"2":0.5}); a deployment needs it on one' });
  expect((await registry.getAlias({ FunctionName: 'elsewhere', Name: 'live' })).RoutingConfig).toEqual({ AdditionalVersionWeights: { 2: 0.5 } });
  await expect(shiftTraffic(request('elsewhere', { deploymentType: 'Canary10PercentSoon' }))).rejects.toThrow('Canary10PercentSoon is not a deployment type');
});

test('a second deployment of an alias being deployed is refused', async () => {
  await fn('busy');
  const first = shiftTraffic(request('busy', { deploymentType: 'Canary10Percent5Minutes', timeScale: 300 }));
  await expect.poll(() => new DeploymentStore(db).list().find((d) => d.functionName === 'busy')?.status).toBe('InProgress');
  await expect(shiftTraffic(request('busy'))).rejects.toThrow(/^busy:live is being deployed by d-[A-Z0-9]{9} \(pid \d+\)$/);
  expect((await first).status).toBe('Succeeded');
});

test('recovery rolls back a deployment whose owner process is dead, once', async () => {
  await fn('orphan');
  await registry.updateAlias({ FunctionName: 'orphan', Name: 'live', RoutingConfig: { AdditionalVersionWeights: { 2: 0.3 } } });
  const deadPid = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).toString());
  const store = new DeploymentStore(db);
  const id = store.create({
    functionName: 'orphan', alias: 'live', currentVersion: '1', targetVersion: '2', deploymentType: 'Linear10PercentEvery1Minute', timeScale: 1,
    hooks: {}, alarms: [], steps: [{ weight: 0.1, atMinutes: 0 }, { weight: 1, atMinutes: 9 }],
  }, { id: `${hostname()}:${deadPid}:abcd1234`, host: hostname(), pid: deadPid });
  store.setStatus(id, 'InProgress');
  store.setEvent(id, 'Start', 'InProgress');
  await recoverDeployments(db, registry);
  expect(store.get(id)).toMatchObject({ status: 'Failed', errorCode: 'INTERNAL_ERROR', reason: `the process running the deployment (pid ${deadPid}) ended before it finished; alias live rolled back to version 1` });
  expect(store.get(id)?.lifecycleEvents.map((e) => e.status)).toEqual(['Unknown', 'Skipped', 'Skipped', 'Skipped', 'Skipped']);
  const a = await registry.getAlias({ FunctionName: 'orphan', Name: 'live' });
  expect([a.FunctionVersion, a.RoutingConfig]).toEqual(['1', undefined]);
  await registry.updateAlias({ FunctionName: 'orphan', Name: 'live', FunctionVersion: '2' });
  await recoverDeployments(db, registry);
  expect((await registry.getAlias({ FunctionName: 'orphan', Name: 'live' })).FunctionVersion).toBe('2');
});

describeNeeding(['aws'], 'the CodeDeploy API through the AWS CLI v2', () => {
  test('a hook\'s report is taken once, then refused in CodeDeploy\'s words; GetDeployment shows the deployment as CodeDeploy does', async () => {
    const server = new RegistryServer({ registry, host: '127.0.0.1', port: 0, services: awsServices({ home, registry, db }) });
    const url = await server.listen();
    const cli = (...args: string[]) => promisify(execFile)(AWS_CLI, ['--endpoint-url', url, '--output', 'json', 'deploy', ...args], { env: awsEnv() })
      .then((r) => JSON.parse(r.stdout) as Record<string, unknown>, (e: { stderr: string }) => e.stderr.trim());
    try {
      const store = new DeploymentStore(db);
      const id = store.create({
        functionName: 'hooked', alias: 'live', currentVersion: '1', targetVersion: '2', deploymentType: 'AllAtOnce', timeScale: 1,
        hooks: { preTraffic: 'check' }, alarms: [], steps: [{ weight: 1, atMinutes: 0 }], stackName: 'app', logicalId: 'Fn',
      }, { id: `${hostname()}:${process.pid}:abcd1234`, host: hostname(), pid: process.pid });
      store.setStatus(id, 'InProgress');
      store.setEvent(id, 'BeforeAllowTraffic', 'InProgress', { hookFunction: 'check', hookExecutionId: 'hook-1' });
      const report = ['put-lifecycle-event-hook-execution-status', '--deployment-id', id, '--lifecycle-event-hook-execution-id', 'hook-1', '--status', 'Succeeded'];
      expect(await cli(...report)).toEqual({ lifecycleEventHookExecutionId: 'hook-1' });
      expect(store.event(id, 'BeforeAllowTraffic')?.status).toBe('Succeeded');
      expect(await cli(...report)).toContain('An error occurred (LifecycleEventAlreadyCompletedException) when calling the PutLifecycleEventHookExecutionStatus operation');
      // GetDeployment over the same service (each AWS CLI start costs seconds here).
      const codedeploy = awsServices({ home, registry, db }).find((x) => x.signingName === 'codedeploy');
      const call = { service: 'codedeploy', operation: 'GetDeployment', region: 'us-east-1', host: 'localhost', requestId: 'r' };
      const info = (await codedeploy?.operations['GetDeployment']?.({ deploymentId: id }, call))?.['deploymentInfo'];
      expect(info).toMatchObject({
        deploymentId: id, applicationName: 'app', deploymentGroupName: 'Fn', deploymentConfigName: 'CodeDeployDefault.LambdaAllAtOnce',
        computePlatform: 'Lambda', status: 'InProgress', creator: 'CloudFormation', createTime: expect.any(Date),
      });
    } finally {
      await server.close();
    }
  });
});
