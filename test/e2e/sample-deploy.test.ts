// The sample pipeline end to end (issue 9 §6): real git, real containers, the bundle, a registry server on the
// PIPE_HOME. A fresh clone's pipelines/deploy.yml deploys hello-service and its alias answers; the next commit ships
// a version that throws once deployed (its unit tests still pass), the alarm on live's Errors fires during the
// canary, live is back on the good version, the stack is UPDATE_ROLLBACK_COMPLETE and nothing was lost.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { DeploymentRecord } from '../../src/deploy/index.js';
import { REPO_ROOT, makePipeEnv, pipe } from '../support/cli.js';
import type { PipeEnv } from '../support/cli.js';
import { describeDocker } from '../support/docker.js';
import { git } from '../support/git-fixture.js';
import { endStrayPipes, startPipe } from '../support/pipe-process.js';

afterEach(endStrayPipes);

const FN = 'hello-service-dev';
const HOOK = 'CodeDeployHook_hello-service-dev-post-traffic';

/** A Lambda API call to the registry server; the parsed body and the headers. */
async function lambda(url: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${url}${path}`, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

async function invokeLive(url: string): Promise<{ error: boolean; version: string | null; body: any }> {
  const r = await lambda(url, `/2015-03-31/functions/${FN}/invocations?Qualifier=live`, { method: 'POST', body: '{"name":"ada"}' });
  return { error: r.headers.get('x-amz-function-error') !== null, version: r.headers.get('x-amz-executed-version'), body: r.body };
}

async function stackStatus(env: PipeEnv): Promise<string> {
  return (JSON.parse((await pipe(['stack', 'describe', 'hello-service', '--json'], env)).stdout) as { StackStatus: string }).StackStatus;
}

describeDocker('the sample pipeline, end to end', () => {
  it('deploys hello-service and live answers; a release that throws is rolled back by the alarm during the canary, losing nothing', async () => {
    const clone = mkdtempSync(join(tmpdir(), 'pipe-sample-clone-'));
    execFileSync('git', ['clone', '-q', REPO_ROOT, clone]);
    const file = join(clone, 'pipelines', 'deploy.yml');
    const env = makePipeEnv();
    const server = startPipe(['registry', 'serve', '--port', '0', '--json'], env);
    const url = (await server.waitForOutput(/"type":"listening".*?"url":"([^"]+)"/, 20_000))[1] ?? '';

    // The pipeline's own deployTimeScale (60), not one from the shell running the tests.
    const ownScale = { PIPE_DEPLOY_TIME_SCALE: '' };
    const first = await pipe(['run', file], env, ownScale);
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toContain('Test.Smoke variables (SmokeVariables): Message=Hello, ada! TestedVersion=1');
    expect(await stackStatus(env)).toBe('CREATE_COMPLETE');
    expect(await invokeLive(url)).toEqual({ error: false, version: '1', body: { statusCode: 200, body: '{"message":"Hello, ada!","version":"1"}' } });
    const hookBefore = (await lambda(url, `/2015-03-31/functions/${HOOK}/configuration`)).body.Environment.Variables;
    expect(hookBefore).toEqual({ TARGET_VERSION: `arn:aws:lambda:us-east-1:000000000000:function:${FN}:1` });

    // The bad release: fine under `node --test` in the build, throws once deployed (AWS_LAMBDA_FUNCTION_VERSION set).
    const src = join(clone, 'sample/hello-service/src/index.js');
    writeFileSync(src, readFileSync(src, 'utf8').replace("exports.handler = async (event) => {", "exports.handler = async (event) => {\n  if (process.env.AWS_LAMBDA_FUNCTION_VERSION) throw new Error('broken release');"));
    git(clone, 'commit', '-qam', 'a release that throws in the registry');
    const run = startPipe(['run', file], env, { extraEnv: ownScale });
    // Traffic through live while the pipeline runs: about 10% of it reaches the bad version during the canary.
    const seen: { error: boolean; version: string | null }[] = [];
    let ended = false;
    void run.exited.then(() => (ended = true));
    while (!ended) {
      const r = await invokeLive(url);
      seen.push({ error: r.error, version: r.version });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const second = await run.exited;
    expect(second.exitCode, second.stdout + second.stderr).toBe(1);
    expect(second.stdout).toMatch(/HelloFunction: deployment d-\w+ failed \(ALARM_ACTIVE\): alarm hello-service-LiveErrors is in ALARM: Threshold Crossed/);
    expect(second.stdout).toContain('[Deploy.Stack] hello-service  UPDATE_ROLLBACK_COMPLETE');
    expect(second.stdout).not.toContain('Stage Test: InProgress');

    // Every error came from the bad version 2, every answer of version 1 was right, and the alarm saw them.
    expect(seen.filter((s) => s.error).length).toBeGreaterThan(0);
    expect(seen.filter((s) => s.error && s.version !== '2')).toEqual([]);
    expect(seen.filter((s) => !s.error && s.version !== '1')).toEqual([]);
    const [deployment] = JSON.parse((await pipe(['deployments', '--json'], env)).stdout) as DeploymentRecord[];
    expect(deployment).toMatchObject({ functionName: FN, alias: 'live', currentVersion: '1', targetVersion: '2', status: 'Failed', timeScale: 60 });

    // Back where it was: live on 1 without weights, the stack rolled back, the hook's target restored.
    expect(await stackStatus(env)).toBe('UPDATE_ROLLBACK_COMPLETE');
    const alias = (await lambda(url, `/2015-03-31/functions/${FN}/aliases/live`)).body;
    expect({ version: alias.FunctionVersion, weights: alias.RoutingConfig?.AdditionalVersionWeights ?? {} }).toEqual({ version: '1', weights: {} });
    expect(await invokeLive(url)).toMatchObject({ error: false, version: '1' });
    expect((await lambda(url, `/2015-03-31/functions/${HOOK}/configuration`)).body.Environment.Variables).toEqual(hookBefore);
    // Nothing lost: both versions kept (the new one too, as AWS does), the layer version the good one uses.
    const versions = (await lambda(url, `/2015-03-31/functions/${FN}/versions`)).body.Versions.map((v: { Version: string }) => v.Version);
    expect(versions).toEqual(['$LATEST', '1', '2']);
    const good = (await lambda(url, `/2015-03-31/functions/${FN}/configuration?Qualifier=1`)).body;
    expect(good.Layers.map((l: { Arn: string }) => l.Arn)).toEqual(['arn:aws:lambda:us-east-1:000000000000:layer:hello-greeting:1']);
    const layers = (await lambda(url, '/2018-10-31/layers/hello-greeting/versions')).body.LayerVersions.map((l: { Version: number }) => l.Version);
    expect(layers).toEqual([1]);

    server.kill('SIGTERM');
    expect((await server.exited).exitCode).toBe(0);
  });

  it('through a stack (pipe deploy): a canary runs to completion past its PreTraffic hook; a hook that reports Failed rolls the stack back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pipe-stack-canary-'));
    const files: Record<string, string> = {
      'src/index.js': 'exports.handler = async () => "v1";\n',
      // Reports the verdict its stack parameter gives, as a CodeDeploy hook does.
      'hook/index.js': `exports.handler = async (event) => {
  await fetch(process.env.AWS_ENDPOINT_URL, { method: 'POST', headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'CodeDeploy_20141006.PutLifecycleEventHookExecutionStatus' },
    body: JSON.stringify({ deploymentId: event.DeploymentId, lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId, status: process.env.VERDICT }) });
};
`,
      'template.yaml': `Transform: AWS::Serverless-2016-10-31
Parameters:
  Verdict: { Type: String, AllowedValues: [Succeeded, Failed] }
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: canary-api
      CodeUri: src/
      Handler: index.handler
      Runtime: nodejs18.x
      AutoPublishAlias: live
      DeploymentPreference:
        Type: Linear50PercentEvery1Minute
        Hooks: { PreTraffic: !Ref Check }
  Check:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: CodeDeployHook_canary-check
      CodeUri: hook/
      Handler: index.handler
      Runtime: nodejs18.x
      Environment: { Variables: { VERDICT: !Ref Verdict } }
`,
    };
    for (const [name, text] of Object.entries(files)) {
      execFileSync('mkdir', ['-p', join(dir, name, '..')]);
      writeFileSync(join(dir, name), text);
    }
    const env = makePipeEnv();
    const deploy = (verdict: string) => pipe(['deploy', join(dir, 'template.yaml'), '--stack-name', 'canary', '--parameter', `Verdict=${verdict}`], env, { PIPE_DEPLOY_TIME_SCALE: '600' });
    const created = await deploy('Succeeded');
    expect(created.exitCode, created.stdout + created.stderr).toBe(0);

    writeFileSync(join(dir, 'src/index.js'), 'exports.handler = async () => "v2";\n');
    const shifted = await deploy('Succeeded');
    expect(shifted.exitCode, shifted.stdout + shifted.stderr).toBe(0);
    expect(shifted.stdout).toContain('BeforeAllowTraffic: hook CodeDeployHook_canary-check reported Succeeded');
    expect(shifted.stdout).toMatch(/-> version 2 50%, version 1 50%[\s\S]*-> version 2 \(100%\)[\s\S]*canary  UPDATE_COMPLETE/);
    const deployments = () => pipe(['deployments', '--json'], env).then((r) => JSON.parse(r.stdout) as DeploymentRecord[]);
    expect((await deployments()).map((d) => `${d.currentVersion}->${d.targetVersion} ${d.deploymentType} ${d.status} x${d.timeScale}`)).toEqual(['1->2 Linear50PercentEvery1Minute Succeeded x600']);

    writeFileSync(join(dir, 'src/index.js'), 'exports.handler = async () => "v3";\n');
    const refused = await deploy('Failed');
    expect(refused.exitCode, refused.stdout + refused.stderr).toBe(1);
    expect(refused.stdout).toContain('BeforeAllowTraffic hook CodeDeployHook_canary-check reported Failed');
    expect(refused.stdout).not.toContain('version 3 50%');
    const stack = JSON.parse((await pipe(['stack', 'describe', 'canary', '--json'], env)).stdout) as { StackStatus: string };
    expect(stack.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect((await deployments()).map((d) => `${d.currentVersion}->${d.targetVersion} ${d.status}`)).toEqual(['2->3 Failed', '1->2 Succeeded']);
    const invoked = await pipe(['invoke', 'canary-api:live'], env);
    expect(invoked.stdout.trim()).toBe('"v2"');
    // After the rollback the next deploy works: its version 4 goes live.
    const again = await deploy('Succeeded');
    expect(again.exitCode, again.stdout + again.stderr).toBe(0);
    expect((await pipe(['invoke', 'canary-api:live'], env)).stdout.trim()).toBe('"v3"');
  });
});
