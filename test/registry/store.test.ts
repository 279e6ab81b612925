// Unit tests of the registry in-process: restart survival, numbering, idempotent publish, states, routing, events.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Registry } from '../../src/registry/index.js';
import type { RegistryError, RegistryOptions } from '../../src/registry/index.js';
import { EchoInvoker, ROLE, handlerZip, makeZip } from './support.js';

let home: string;
let clock: number;
const opened: Registry[] = [];

function open(options: Partial<RegistryOptions> = {}): Registry {
  const r = Registry.open({ invoker: new EchoInvoker(), home, now: () => clock, settleMs: 20, eventRetryDelayMs: 1, ...options });
  opened.push(r);
  return r;
}

async function create(r: Registry, name = 'f', code = handlerZip()) {
  return r.createFunction({ FunctionName: name, Role: ROLE, Runtime: 'nodejs20.x', Handler: 'index.handler', Code: { ZipFile: code } });
}

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    const r = e as RegistryError;
    return `${r.status} ${r.errorName}: ${r.message}`;
  }
  return 'ok';
}

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'pipe-registry-store-'));
  clock = 1_700_000_000_000;
});
afterEach(() => {
  for (const r of opened.splice(0)) r.close();
  rmSync(home, { recursive: true, force: true });
});

describe('registry store and semantics', () => {
  test('everything survives closing and reopening the database', async () => {
    const a = open();
    await create(a);
    clock += 50;
    await a.publishVersion({ FunctionName: 'f' });
    await a.createAlias({ FunctionName: 'f', Name: 'live', FunctionVersion: '1' });
    await a.publishLayerVersion({ LayerName: 'l', Content: { ZipFile: makeZip([{ name: 'x', content: 'y' }]) } });
    await a.putFunctionConcurrency({ FunctionName: 'f', ReservedConcurrentExecutions: 5 });
    a.close();
    opened.splice(0);
    clock += 50;

    const b = open();
    expect((await b.getFunction({ FunctionName: 'f', Qualifier: 'live' })).Configuration).toMatchObject({ Version: '1', State: 'Active' });
    expect((await b.getAlias({ FunctionName: 'f', Name: 'live' })).FunctionVersion).toBe('1');
    expect((await b.getLayerVersion({ LayerName: 'l', VersionNumber: 1 })).Version).toBe(1);
    expect(await b.getFunctionConcurrency({ FunctionName: 'f' })).toEqual({ ReservedConcurrentExecutions: 5 });
    const invoked = await b.invoke({ FunctionName: 'f:live', Payload: Buffer.from('{}') });
    expect(invoked.ExecutedVersion).toBe('1');
  });

  test('State Pending -> Active and LastUpdateStatus InProgress -> Successful, RevisionId changing each time', async () => {
    const r = open();
    const created = await create(r);
    expect(created).toMatchObject({ State: 'Pending', StateReasonCode: 'Creating' });
    expect(created.LastUpdateStatus).toBeUndefined();
    expect(await failure(r.invoke({ FunctionName: 'f' }))).toBe(
      '409 ResourceConflictException: The operation cannot be performed at this time. The function is currently in the following state: Pending',
    );
    clock += 20;
    const active = await r.getFunctionConfiguration({ FunctionName: 'f' });
    expect(active).toMatchObject({ State: 'Active', LastUpdateStatus: 'Successful' });
    expect(active.RevisionId).not.toBe(created.RevisionId);
    const updated = await r.updateFunctionConfiguration({ FunctionName: 'f', Timeout: 10 });
    expect(updated.LastUpdateStatus).toBe('InProgress');
    expect(await failure(r.updateFunctionConfiguration({ FunctionName: 'f', Timeout: 11 }))).toBe(
      '409 ResourceConflictException: The operation cannot be performed at this time. An update is in progress for resource: arn:aws:lambda:us-east-1:000000000000:function:f',
    );
    clock += 20;
    expect(await r.getFunctionConfiguration({ FunctionName: 'f' })).toMatchObject({ LastUpdateStatus: 'Successful', Timeout: 10 });
    expect(await failure(r.updateFunctionConfiguration({ FunctionName: 'f', Timeout: 12, RevisionId: updated.RevisionId }))).toMatch(/^412 PreconditionFailedException: /);
  });

  test('PublishVersion is idempotent until $LATEST changes; numbers only grow, also after deletions', async () => {
    const r = open({ settleMs: 0 });
    await create(r);
    expect((await r.publishVersion({ FunctionName: 'f', Description: 'one' })).Version).toBe('1');
    expect(await r.publishVersion({ FunctionName: 'f', Description: 'other' })).toMatchObject({ Version: '1', Description: 'one' });
    await r.updateFunctionConfiguration({ FunctionName: 'f', Description: 'changed' });
    expect((await r.publishVersion({ FunctionName: 'f' })).Version).toBe('2');
    await r.deleteFunction({ FunctionName: 'f', Qualifier: '2' });
    await r.updateFunctionCode({ FunctionName: 'f', ZipFile: handlerZip('exports.handler = async () => 3;') });
    expect((await r.publishVersion({ FunctionName: 'f' })).Version).toBe('3');
    expect(await failure(r.deleteFunction({ FunctionName: 'f', Qualifier: '$LATEST' }))).toBe(
      '400 InvalidParameterValueException: $LATEST version cannot be deleted without deleting the function.',
    );
    expect(await failure(r.deleteFunction({ FunctionName: 'f', Qualifier: 'live' }))).toBe(
      '400 InvalidParameterValueException: Deletion of aliases is not currently supported.',
    );

    await r.publishLayerVersion({ LayerName: 'l', Content: { ZipFile: makeZip([{ name: 'a', content: '1' }]) } });
    await r.publishLayerVersion({ LayerName: 'l', Content: { ZipFile: makeZip([{ name: 'a', content: '1' }]) } });
    await r.deleteLayerVersion({ LayerName: 'l', VersionNumber: 1 });
    await r.deleteLayerVersion({ LayerName: 'l', VersionNumber: 2 });
    await r.deleteLayerVersion({ LayerName: 'l', VersionNumber: 2 });
    expect((await r.publishLayerVersion({ LayerName: 'l', Content: { ZipFile: makeZip([{ name: 'a', content: '1' }]) } })).Version).toBe(3);
    expect(await failure(r.getLayerVersion({ LayerName: 'l', VersionNumber: 1 }))).toBe('404 ResourceNotFoundException: The resource you requested does not exist.');
    expect(await failure(r.getLayerVersion({ LayerName: 'l', VersionNumber: 0 }))).toBe('400 InvalidParameterValueException: Layer Version Cannot be less than 1');
  });

  test('alias routing rules, and weights applied per request', async () => {
    let roll = 0;
    const r = open({ settleMs: 0, random: () => roll });
    await create(r);
    await r.publishVersion({ FunctionName: 'f' });
    await r.updateFunctionConfiguration({ FunctionName: 'f', MemorySize: 512 });
    await r.publishVersion({ FunctionName: 'f' });
    expect(await failure(r.createAlias({ FunctionName: 'f', Name: 'a', FunctionVersion: '$LATEST', RoutingConfig: { AdditionalVersionWeights: { '1': 0.5 } } })))
      .toBe('400 InvalidParameterValueException: $LATEST is not supported for an alias pointing to more than 1 version');
    expect(await failure(r.createAlias({ FunctionName: 'f', Name: 'a', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.5, '3': 0.1 } } })))
      .toBe('400 InvalidParameterValueException: Number of items in AdditionalVersionWeights cannot be greater than 1');
    expect(await failure(r.createAlias({ FunctionName: 'f', Name: 'a', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 2 } } })))
      .toBe("400 ValidationException: 1 validation error detected: Value '{2=2.0}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]");
    expect(await failure(r.createAlias({ FunctionName: 'f', Name: 'a', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '9': 0.5 } } })))
      .toBe('404 ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:000000000000:function:f:9');
    await r.createAlias({ FunctionName: 'f', Name: 'a', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.3 } } });
    expect(await failure(r.createAlias({ FunctionName: 'f', Name: 'a', FunctionVersion: '1' }))).toBe(
      '409 ResourceConflictException: Alias already exists: arn:aws:lambda:us-east-1:000000000000:function:f:a',
    );
    roll = 0.29;
    expect((await r.invoke({ FunctionName: 'f', Qualifier: 'a' })).ExecutedVersion).toBe('2');
    roll = 0.3;
    expect((await r.invoke({ FunctionName: 'f', Qualifier: 'a' })).ExecutedVersion).toBe('1');
    expect(await failure(r.deleteFunction({ FunctionName: 'f', Qualifier: '2' }))).toBe(
      '409 ResourceConflictException: Unable to delete version because the following aliases reference it: [a]',
    );
  });

  test('a bad zip is rejected and nothing of it is stored', async () => {
    const r = open();
    expect(await failure(create(r, 'bad', makeZip([{ name: '../x', content: 'x' }])))).toMatch(/^400 InvalidParameterValueException: Could not unzip/);
    expect(readdirSync(join(home, 'registry', 'blobs'))).toEqual([]);
    expect((await r.listFunctions()).Functions).toEqual([]);
  });

  test('Event invocations are queued and retried twice on a function error; DryRun only validates', async () => {
    const invoker = new EchoInvoker();
    const outcomes: unknown[] = [];
    const r = open({ invoker, settleMs: 0, onEventOutcome: (o) => outcomes.push(o) });
    await create(r);
    const failing = await r.invoke({ FunctionName: 'f', InvocationType: 'Event', Payload: Buffer.from('{"fail":"x"}') });
    expect(failing).toEqual({ StatusCode: 202, RequestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const fine = await r.invoke({ FunctionName: 'f', InvocationType: 'Event', Payload: Buffer.from('{}') });
    expect(fine).toEqual({ StatusCode: 202, RequestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    await r.drainEvents();
    expect(invoker.requests).toHaveLength(4);
    // Retries keep the request id the caller was given, as Lambda's do.
    expect(invoker.requests.map((q) => q.requestId).sort()).toEqual([failing.RequestId, failing.RequestId, failing.RequestId, fine.RequestId].sort());
    expect(outcomes).toEqual([
      { functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:f', version: '$LATEST', attempts: 1, status: 'Succeeded' },
      { functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:f', version: '$LATEST', attempts: 3, status: 'Failed', error: 'Unhandled: Error' },
    ]);
    expect(await r.invoke({ FunctionName: 'f', InvocationType: 'DryRun' })).toMatchObject({ StatusCode: 204 });
    expect(invoker.requests).toHaveLength(4);
    expect(await failure(r.invoke({ FunctionName: 'f', Payload: Buffer.from('{oops') }))).toMatch(
      /^400 InvalidRequestContentException: Could not parse request body into json: Could not parse payload into json: /,
    );
  });
});
