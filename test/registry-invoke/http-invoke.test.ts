// Invocations in real containers through the Lambda HTTP API, driven by @aws-sdk/client-lambda: the control plane
// and the invoke side together, as a user of the registry sees them.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  InvokeCommand,
  LambdaClient,
  PublishLayerVersionCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  TooManyRequestsException,
  UpdateFunctionCodeCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDocker, describeNeeding, PYTHON } from '../support/docker.js';
import { Registry, RegistryServer } from '../../src/registry/index.js';
import type { EventOutcome } from '../../src/registry/index.js';
import { createDockerInvoker } from '../../src/registry/invoke/index.js';
import type { DockerInvoker } from '../../src/registry/invoke/index.js';
import { containersOf, makeZip, removeWorkDir } from './support.js';

const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';

/** mulberry32: a small seeded generator of numbers in [0, 1). */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describeDocker('invoke through the HTTP API with the AWS SDK', () => {
  let home: string;
  let invoker: DockerInvoker;
  let registry: Registry;
  let server: RegistryServer;
  let lambda: LambdaClient;
  let url: string;
  const events: EventOutcome[] = [];
  /** The registry's source of randomness (alias routing); a test may seed it. */
  let random: () => number = Math.random;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'pipe-registry-invoke-'));
    invoker = await createDockerInvoker();
    registry = Registry.open({ invoker, home, eventRetryDelayMs: 10, onEventOutcome: (o) => events.push(o), random: () => random() });
    server = new RegistryServer({ registry, host: '127.0.0.1', port: 0 });
    url = await server.listen();
    lambda = new LambdaClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  });
  afterAll(async () => {
    lambda.destroy();
    await server.close();
    await registry.drainEvents();
    registry.close();
    await invoker.close();
    expect(await containersOf(invoker.invokerId)).toEqual([]);
    rmSync(home, { recursive: true, force: true });
    removeWorkDir();
  });

  async function createFunction(name: string, files: Record<string, string>, extra: Record<string, unknown> = {}): Promise<void> {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Role: ROLE,
        Runtime: 'nodejs18.x',
        Handler: 'index.handler',
        Code: { ZipFile: readFileSync(makeZip(files)) },
        ...extra,
      }),
    );
    await registry.waitUntilReady({ FunctionName: name });
  }

  const text = (payload: Uint8Array | undefined): string => Buffer.from(payload ?? new Uint8Array()).toString('utf8');

  it('invokes a Node.js handler that imports a layer module, with the Tail log', async () => {
    const layer = await lambda.send(
      new PublishLayerVersionCommand({
        LayerName: 'shout',
        Content: { ZipFile: readFileSync(makeZip({ 'nodejs/node_modules/shout/index.js': 'exports.shout = (s) => s.toUpperCase();' })) },
      }),
    );
    await createFunction('with-layer', { 'index.js': `const { shout } = require('shout'); exports.handler = async (e) => { console.log('got', e.word); return shout(e.word); };` }, {
      Layers: [layer.LayerVersionArn ?? ''],
    });
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'with-layer', Payload: Buffer.from('{"word":"quiet"}'), LogType: 'Tail' }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(out.ExecutedVersion).toBe('$LATEST');
    expect(text(out.Payload)).toBe('"QUIET"');
    const log = Buffer.from(out.LogResult ?? '', 'base64').toString();
    // The SDK's requestId (x-amzn-RequestId) is the invocation's: the one in the log lines.
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(log).toContain(`START RequestId: ${out.$metadata.requestId} Version: $LATEST\n`);
    expect(log).toContain(`\t${out.$metadata.requestId}\tINFO\tgot quiet`);
    expect(log).toMatch(/REPORT RequestId: [0-9a-f-]{36}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms/);
  });

  it('answers a Python handler exception with 200, FunctionError Unhandled and the error body', async () => {
    await createFunction('py-fails', { 'app.py': 'def main(event, context):\n    raise ValueError("no good")\n' }, { Runtime: 'python3.11', Handler: 'app.main' });
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'py-fails', Payload: Buffer.from('{}') }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    expect(JSON.parse(text(out.Payload))).toMatchObject({ errorMessage: 'no good', errorType: 'ValueError' });
  });

  it('answers a timeout and an init error as function errors', async () => {
    await createFunction('slow', { 'index.js': 'exports.handler = () => new Promise(() => {});' }, { Timeout: 1 });
    const slow = await lambda.send(new InvokeCommand({ FunctionName: 'slow', Payload: Buffer.from('{}') }));
    expect(slow.FunctionError).toBe('Unhandled');
    expect(JSON.parse(text(slow.Payload))).toMatchObject({ errorType: 'Sandbox.Timedout' });

    await createFunction('broken', { 'main.js': 'exports.handler = async () => 1;' });
    const broken = await lambda.send(new InvokeCommand({ FunctionName: 'broken', Payload: Buffer.from('{}') }));
    expect(broken.FunctionError).toBe('Unhandled');
    expect(JSON.parse(text(broken.Payload))).toMatchObject({ errorType: 'Runtime.ImportModuleError' });
  });

  it('throttles past reserved concurrency with TooManyRequestsException (429)', async () => {
    await createFunction('one-at-a-time', { 'index.js': 'exports.handler = async (e) => { await new Promise((r) => setTimeout(r, e.ms)); return "done"; };' });
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'one-at-a-time', ReservedConcurrentExecutions: 1 }));
    const first = lambda.send(new InvokeCommand({ FunctionName: 'one-at-a-time', Payload: Buffer.from('{"ms":1500}') }));
    // Wait until the first invocation holds an environment (it then runs 1.5 s more), not for a fixed time.
    await expect.poll(() => invoker.environmentContainers('arn:aws:lambda:us-east-1:000000000000:function:one-at-a-time').length, { timeout: 30_000 }).toBe(1);
    // The SDK retries throttles by default; one attempt shows the 429 itself.
    const once = new LambdaClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    const error = await once.send(new InvokeCommand({ FunctionName: 'one-at-a-time', Payload: Buffer.from('{"ms":1}') })).catch((e: unknown) => e);
    once.destroy();
    expect(error).toBeInstanceOf(TooManyRequestsException);
    expect(error).toMatchObject({
      message: 'Rate Exceeded.',
      Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
      $metadata: { httpStatusCode: 429 },
    });
    expect(text((await first).Payload)).toBe('"done"');
  });

  it('routes alias traffic by weight, per request, and runs new code after an update', async () => {
    await createFunction('weighted', { 'index.js': 'exports.handler = async () => "v1";' });
    await lambda.send(new PublishVersionCommand({ FunctionName: 'weighted' }));
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'weighted', ZipFile: readFileSync(makeZip({ 'index.js': 'exports.handler = async () => "v2";' })) }));
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 10 }, { FunctionName: 'weighted' });
    const latest = await lambda.send(new InvokeCommand({ FunctionName: 'weighted', Payload: Buffer.from('{}') }));
    expect(text(latest.Payload)).toBe('"v2"');
    await lambda.send(new PublishVersionCommand({ FunctionName: 'weighted' }));
    // A new version is Pending for a moment, as on AWS: clients wait for it before invoking.
    for (const Qualifier of ['1', '2']) {
      await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 10, minDelay: 1 }, { FunctionName: 'weighted', Qualifier });
    }
    await lambda.send(
      new CreateAliasCommand({ FunctionName: 'weighted', Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.3 } } }),
    );
    // Seeded: the routing draws are known, so the split is exact, not a statistical bound.
    random = seededRandom(42);
    const expected = Array.from({ length: 200 }, seededRandom(42)).filter((roll) => roll < 0.3).length;
    expect(expected).toBeGreaterThan(36); // the seed gives a split near 30 %, so both versions are exercised
    expect(expected).toBeLessThan(84);
    const counts = { '1': 0, '2': 0 };
    for (let i = 0; i < 200; i++) {
      const out = await lambda.send(new InvokeCommand({ FunctionName: 'weighted:live', Payload: Buffer.from('{}') }));
      const version = out.ExecutedVersion as '1' | '2';
      counts[version] += 1;
      expect(text(out.Payload)).toBe(`"v${version}"`);
    }
    expect(counts).toEqual({ '1': 200 - expected, '2': expected });
    random = Math.random;
  });

  it('completes Event invocations in the background', async () => {
    await createFunction('background', { 'index.js': 'exports.handler = async (e) => { if (e.fail) throw new Error("nope"); return 1; };' });
    const ok = await lambda.send(new InvokeCommand({ FunctionName: 'background', InvocationType: 'Event', Payload: Buffer.from('{}') }));
    const bad = await lambda.send(new InvokeCommand({ FunctionName: 'background', InvocationType: 'Event', Payload: Buffer.from('{"fail":true}') }));
    expect(ok.StatusCode).toBe(202);
    expect(bad.StatusCode).toBe(202);
    await registry.drainEvents();
    const mine = events.filter((e) => e.functionArn.endsWith(':background'));
    expect(mine).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ status: 'Succeeded', attempts: 1 }),
        expect.objectContaining({ status: 'Failed', attempts: 3 }),
      ]),
    );
  });
  describeNeeding(['boto3'], 'with boto3', () => {
    it('runs a Python function created and invoked with boto3, and raises its error classes', async () => {
      const zip = makeZip({ 'app.py': 'import os\ndef handler(event, context):\n    print("hi from", context.function_name)\n    if event.get("fail"):\n        raise ValueError("bad input")\n    return {"echo": event["word"], "remaining": context.get_remaining_time_in_millis() > 0}\n' });
      const script = `
import json, sys, base64, boto3
c = boto3.client('lambda', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='x', aws_secret_access_key='x')
c.create_function(FunctionName='py-real', Runtime='python3.11', Role='${ROLE}', Handler='app.handler', Code={'ZipFile': open(sys.argv[2], 'rb').read()})
c.get_waiter('function_active_v2').wait(FunctionName='py-real')
ok = c.invoke(FunctionName='py-real', Payload=json.dumps({'word': 'hello'}), LogType='Tail')
failed = c.invoke(FunctionName='py-real', Payload=json.dumps({'fail': True}))
try:
    c.invoke(FunctionName='py-real:nope')
    missing = None
except c.exceptions.ResourceNotFoundException as e:
    missing = e.response['Error']['Message']
print(json.dumps({
    'ok': json.loads(ok['Payload'].read()), 'log': base64.b64decode(ok['LogResult']).decode(),
    'failedError': failed.get('FunctionError'), 'failed': json.loads(failed['Payload'].read()), 'missing': missing,
}))
`;
      // Asynchronously: the registry answering boto3 runs in this very process.
      const { execFile } = await import('node:child_process');
      const stdout = await new Promise<string>((resolve, reject) =>
        execFile(PYTHON, ['-c', script, url, zip], { encoding: 'utf8' }, (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out))),
      );
      const out = JSON.parse(stdout) as {
        ok: unknown; log: string; failedError: string; failed: { errorType: string; errorMessage: string }; missing: string;
      };
      expect(out.ok).toEqual({ echo: 'hello', remaining: true });
      expect(out.log).toMatch(/START RequestId: [0-9a-f-]+ Version: \$LATEST\n/);
      expect(out.log).toContain('hi from py-real');
      expect(out.log).toMatch(/REPORT RequestId: [0-9a-f-]+\tDuration: /);
      expect(out.failedError).toBe('Unhandled');
      expect(out.failed).toMatchObject({ errorType: 'ValueError', errorMessage: 'bad input' });
      expect(out.missing).toMatch(/^Function not found: arn:aws:lambda:us-east-1:000000000000:function:py-real:nope$/);
    });
  });
});
