// The LambdaApi port's two adapters give the same answers: one script of operations (successes and AWS errors)
// runs against the in-process Registry and against LambdaHttpApi talking to a RegistryServer, and the results
// (volatile fields aside) are equal. Then the chooser: a live server on the PIPE_HOME is used over HTTP, and a
// deploy through it retires the server's warm environments; a dead or deaf server's record is not.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { openLambdaApi } from '../../src/app/index.js';
import { LambdaHttpApi, Registry, isRegistryError, serverRecordPath, writeServerRecord } from '../../src/registry/index.js';
import type { LambdaApi } from '../../src/registry/index.js';
import { EchoInvoker, ROLE, handlerZip, makeZip, startRegistry } from './support.js';
import type { TestRegistry } from './support.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Fields that differ between any two runs (times, random ids) or by design (file:// vs http:// locations). */
const VOLATILE = new Set(['LastModified', 'RevisionId', 'CreatedDate', 'Location', 'RequestId']);

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

function normalise(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? null, (k, v: unknown) => {
    if (VOLATILE.has(k)) return '<volatile>';
    // Tail logs name the invocation's (random) request id.
    if (k === 'LogResult' && typeof v === 'string') return Buffer.from(v, 'base64').toString('utf8').replace(UUID, '<request-id>');
    const bytes = v as { type?: string; data?: number[] };
    return bytes?.type === 'Buffer' && Array.isArray(bytes.data) ? Buffer.from(bytes.data).toString('utf8') : v;
  }));
}

async function outcome(p: Promise<unknown>): Promise<unknown> {
  try {
    const v = await p;
    return { ok: normalise(v) };
  } catch (e) {
    if (!isRegistryError(e)) throw e;
    return { error: `${e.status} ${e.errorName}: ${e.message}`, fields: e.fields };
  }
}

/** The script: every operation of the port, answers and errors alike. */
async function script(api: LambdaApi): Promise<unknown[]> {
  const out: unknown[] = [];
  const step = async (p: Promise<unknown>) => out.push(await outcome(p));
  const zip = handlerZip('exports.handler = async (e) => e;');
  const layerZip = makeZip([{ name: 'nodejs/node_modules/x/index.js', content: 'module.exports = 1;' }]);
  const layer = await api.publishLayerVersion({ LayerName: 'lib', Content: { ZipFile: layerZip }, CompatibleRuntimes: ['nodejs18.x'], Description: 'a lib' });
  out.push(normalise(layer));
  await step(api.getLayerVersion({ LayerName: 'lib', VersionNumber: 1 }));
  await step(api.getLayerVersionByArn({ Arn: layer.LayerVersionArn }));
  await step(api.listLayers({}));
  await step(api.listLayerVersions({ LayerName: 'lib', CompatibleRuntime: 'nodejs18.x' }));
  await step(api.createFunction({
    FunctionName: 'f', Role: ROLE, Runtime: 'nodejs18.x', Handler: 'index.handler', Code: { ZipFile: zip },
    Environment: { Variables: { A: '1' } }, Layers: [layer.LayerVersionArn], Timeout: 5, MemorySize: 256,
  }));
  await step(api.createFunction({ FunctionName: 'f', Role: ROLE, Runtime: 'nodejs18.x', Handler: 'index.handler', Code: { ZipFile: zip } }));
  await step(api.waitUntilReady({ FunctionName: 'f' }));
  await step(api.getFunction({ FunctionName: 'f' }));
  await step(api.getFunctionConfiguration({ FunctionName: 'missing' }));
  await step(api.updateFunctionConfiguration({ FunctionName: 'f', Description: 'second', Environment: { Variables: { A: '2' } } }));
  await step(api.waitUntilReady({ FunctionName: 'f' }));
  await step(api.publishVersion({ FunctionName: 'f', Description: 'v1' }));
  await step(api.waitUntilReady({ FunctionName: 'f', Qualifier: '1' }));
  await step(api.updateFunctionCode({ FunctionName: 'f', ZipFile: handlerZip('exports.handler = async () => 2;') }));
  await step(api.updateFunctionCode({ FunctionName: 'f', ZipFile: zip, RevisionId: 'not-the-revision' }));
  await step(api.waitUntilReady({ FunctionName: 'f' }));
  await step(api.publishVersion({ FunctionName: 'f' }));
  await step(api.waitUntilReady({ FunctionName: 'f', Qualifier: '2' }));
  await step(api.listVersionsByFunction({ FunctionName: 'f' }));
  await step(api.listVersionsByFunction({ FunctionName: 'f', MaxItems: 1 }));
  await step(api.createAlias({ FunctionName: 'f', Name: 'live', FunctionVersion: '1', Description: 'prod' }));
  await step(api.updateAlias({ FunctionName: 'f', Name: 'live', RoutingConfig: { AdditionalVersionWeights: { '2': 0.25 } } }));
  await step(api.getAlias({ FunctionName: 'f', Name: 'live' }));
  await step(api.listAliases({ FunctionName: 'f' }));
  await step(api.createAlias({ FunctionName: 'f', Name: 'bad', FunctionVersion: '9' }));
  await step(api.invoke({ FunctionName: 'f', Qualifier: '2', Payload: Buffer.from('{"x":1}') }));
  await step(api.invoke({ FunctionName: 'f:1', Payload: Buffer.from('{"fail":"boom"}'), LogType: 'Tail' }));
  await step(api.invoke({ FunctionName: 'f', InvocationType: 'DryRun', Payload: Buffer.from('{}') }));
  await step(api.invoke({ FunctionName: 'f', InvocationType: 'Event', Payload: Buffer.from('{}') }));
  await step(api.invoke({ FunctionName: 'nope', Payload: Buffer.from('{}') }));
  await step(api.putFunctionConcurrency({ FunctionName: 'f', ReservedConcurrentExecutions: 3 }));
  await step(api.getFunctionConcurrency({ FunctionName: 'f' }));
  await step(api.deleteFunctionConcurrency({ FunctionName: 'f' }));
  await step(api.getFunctionConcurrency({ FunctionName: 'f' }));
  await step(api.getAccountSettings());
  await step(api.listFunctions({}));
  await step(api.listFunctions({ FunctionVersion: 'ALL' }));
  await step(api.deleteFunction({ FunctionName: 'f', Qualifier: '1' }));
  await step(api.deleteAlias({ FunctionName: 'f', Name: 'live' }));
  await step(api.deleteFunction({ FunctionName: 'f', Qualifier: '1' }));
  await step(api.getFunction({ FunctionName: 'f', Qualifier: '1' }));
  await step(api.getFunctionConfiguration({ FunctionName: 'f' }, { region: 'eu-west-1' }));
  await step(api.deleteLayerVersion({ LayerName: 'lib', VersionNumber: 1 }));
  await step(api.getLayerVersion({ LayerName: 'lib', VersionNumber: 1 }));
  await step(api.deleteFunction({ FunctionName: 'f' }));
  await step(api.listFunctions({}));
  return out;
}

function tempHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'pipe-lambda-api-'));
  cleanups.push(() => rmSync(home, { recursive: true, force: true }));
  return home;
}

async function server(): Promise<TestRegistry> {
  const r = await startRegistry({ settleMs: 5 });
  cleanups.push(() => r.stop());
  return r;
}

describe('LambdaApi adapters', () => {
  test('the in-process Registry and the HTTP adapter answer the same script the same way', async () => {
    const local = Registry.open({ invoker: new EchoInvoker(), home: tempHome(), settleMs: 5 });
    cleanups.push(() => local.close());
    const remote = await server();
    const inProcess = await script(local);
    const overHttp = await script(new LambdaHttpApi(remote.url));
    expect(overHttp).toEqual(inProcess);
    // The script is not vacuous: it saw answers and AWS errors of several kinds.
    const errors = inProcess.flatMap((o) => (typeof o === 'object' && o !== null && 'error' in o ? [String((o as { error: string }).error).split(':')[0]] : []));
    expect(new Set(errors)).toEqual(new Set([
      '409 ResourceConflictException', '404 ResourceNotFoundException', '412 PreconditionFailedException', '400 ValidationException',
    ]));
  });
});

describe('openLambdaApi', () => {
  test('uses the server recorded for the PIPE_HOME; a deploy through it retires the server\'s environments', async () => {
    const remote = await server();
    writeServerRecord(remote.home, { url: remote.url, pid: process.pid, startedAt: new Date().toISOString() });
    const handle = await openLambdaApi({ home: remote.home });
    cleanups.push(() => handle.close());
    expect(handle.via).toBe('server');
    await handle.api.createFunction({ FunctionName: 'g', Role: ROLE, Runtime: 'nodejs18.x', Handler: 'index.handler', Code: { ZipFile: handlerZip() } });
    await handle.api.waitUntilReady({ FunctionName: 'g' });
    // The server's own registry sees it: nobody else wrote the tables.
    expect((await remote.registry.getFunctionConfiguration({ FunctionName: 'g' })).FunctionName).toBe('g');
    await handle.api.updateFunctionCode({ FunctionName: 'g', ZipFile: handlerZip('exports.handler = async () => 3;') });
    expect(remote.invoker.retired).toContainEqual({ functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:g', version: '$LATEST' });
  });

  test('no record, a dead pid or a port that refuses: the registry in-process (a dead pid\'s record removed)', async () => {
    const home = tempHome();
    const none = await openLambdaApi({ home });
    expect(none.via).toBe('in-process');
    await none.close();

    const dead = spawnSync('true').pid ?? 0; // a process that has ended
    writeServerRecord(home, { url: 'http://127.0.0.1:9', pid: dead, startedAt: new Date().toISOString() });
    const afterDeath = await openLambdaApi({ home });
    expect(afterDeath.via).toBe('in-process');
    expect(existsSync(serverRecordPath(home))).toBe(false);
    await afterDeath.close();

    const port = await closedPort();
    writeServerRecord(home, { url: `http://127.0.0.1:${port}`, pid: process.pid, startedAt: new Date().toISOString() });
    const deaf = await openLambdaApi({ home });
    expect(deaf.via).toBe('in-process');
    await deaf.close();
  });
});

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
