// A function whose runtime pipe cannot run goes to State Failed with StateReasonCode InvalidRuntime and a reason
// naming what pipe runs (so `aws lambda wait function-active-v2` fails fast); one that runs on another version of its
// language says so in StateReason and in its first invocation's log. Never another version silently.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry, RegistryServer } from '../../src/registry/index.js';
import { runtimeSupportIn } from '../../src/registry/invoke/runtime-config.js';
import { AWS_CLI, describeDocker } from '../support/docker.js';
import { ROLE, awsEnv } from '../registry/support.js';
import { makeZip, removeWorkDir } from './support.js';
import { createDockerInvoker } from '../../src/registry/index.js';
import type { DockerInvoker } from '../../src/registry/invoke/index.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const run = promisify(execFile);

describe('what a runtime runs on', () => {
  it.each([
    ['nodejs18.x', 'pipe/standard:1', { supported: true }],
    ['nodejs22.x', 'pipe/standard:1', { supported: true, note: 'nodejs22.x runs on Node.js 18 here: pipe/standard:1 has no Node.js 22' }],
    ['nodejs22.x', 'pipe/standard:7.0', { supported: true }],
    ['nodejs16.x', 'pipe/standard:7.0', { supported: true, note: "nodejs16.x runs on the image's default Node.js (it has 18, 20, 22) here: pipe/standard:7.0 has no Node.js 16" }],
    ['python3.13', 'pipe/standard:1', { supported: true, note: 'python3.13 runs on Python 3.11 here: pipe/standard:1 has no Python 3.13' }],
    ['python3.11', 'my/own:image', { supported: true }],
    ['provided.al2023', 'pipe/standard:1', { supported: true }],
    ['provided.al2', 'pipe/standard:7.0', { supported: true }],
    ['java17', 'pipe/standard:1', { supported: false, reason: "pipe's registry cannot run java17: it runs nodejs*.x, python3.* and provided.al2 / provided.al2023 functions (Node.js 18, 20 and 22 in pipe/standard:7.0, 18 in pipe/standard:1; Python 3.11)" }],
  ])('%s in %s', (runtime, image, expected) => {
    expect(runtimeSupportIn(runtime, image)).toEqual(expected);
  });
});

describeDocker('function state for a runtime pipe cannot run, with the AWS CLI', () => {
  let invoker: DockerInvoker;
  let registry: Registry;
  let server: RegistryServer;
  let endpoint = '';
  beforeAll(async () => {
    invoker = await createDockerInvoker();
    registry = Registry.open({ invoker, home: mkdtempSync(join(tmpdir(), 'pipe-runtime-')) });
    server = new RegistryServer({ registry, host: '127.0.0.1', port: 0 });
    endpoint = await server.listen();
  });
  afterAll(async () => {
    await server.close();
    registry.close();
    await invoker.close();
    removeWorkDir();
  });
  const aws = async (...args: string[]) => {
    const r = await run(AWS_CLI, ['--endpoint-url', endpoint, '--output', 'json', 'lambda', ...args], { env: awsEnv() }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    return { code: 'code' in r ? r.code : 0, stdout: r.stdout, stderr: r.stderr };
  };

  it('java17: Failed, InvalidRuntime; the waiter fails fast; an invoke is refused', async () => {
    const zip = makeZip({ 'index.js': 'exports.handler = async () => 1;' });
    expect((await aws('create-function', '--function-name', 'jv', '--runtime', 'java17', '--handler', 'x::y', '--role', ROLE, '--zip-file', `fileb://${zip}`)).code).toBe(0);
    const wait = await aws('wait', 'function-active-v2', '--function-name', 'jv');
    expect(wait.code).not.toBe(0);
    expect(wait.stderr).toContain('Waiter FunctionActiveV2 failed');
    const conf = JSON.parse((await aws('get-function-configuration', '--function-name', 'jv')).stdout) as Record<string, string>;
    expect(conf).toMatchObject({ State: 'Failed', StateReasonCode: 'InvalidRuntime', StateReason: expect.stringContaining("pipe's registry cannot run java17") });
    const invoke = await aws('invoke', '--function-name', 'jv', join(tmpdir(), 'jv-out.json'));
    expect(invoke.stderr).toContain('ResourceConflictException');
    expect(invoke.stderr).toContain('The function is currently in the following state: Failed');
  });

  it('python3.13: Active, says it runs on Python 3.11, in StateReason and in the first invoke\'s log', async () => {
    const zip = makeZip({ 'app.py': 'def handler(event, context):\n    return 7\n' });
    await aws('create-function', '--function-name', 'py', '--runtime', 'python3.13', '--handler', 'app.handler', '--role', ROLE, '--zip-file', `fileb://${zip}`);
    expect((await aws('wait', 'function-active-v2', '--function-name', 'py')).code).toBe(0);
    const conf = JSON.parse((await aws('get-function-configuration', '--function-name', 'py')).stdout) as Record<string, string>;
    expect(conf).toMatchObject({ State: 'Active', StateReason: 'python3.13 runs on Python 3.11 here: pipe/standard:1 has no Python 3.13' });
    const out = JSON.parse((await aws('invoke', '--function-name', 'py', '--log-type', 'Tail', join(tmpdir(), 'py-out.json'))).stdout) as { LogResult: string };
    expect(Buffer.from(out.LogResult, 'base64').toString()).toMatch(/^pipe: python3\.13 runs on Python 3\.11 here: pipe\/standard:1 has no Python 3\.13\n/);
  });
});
