// The registry through @aws-sdk/client-lambda (v3): the same calls, and the error classes the SDK throws.
import {
  CreateAliasCommand, CreateFunctionCommand, DeleteFunctionCommand, GetAliasCommand, GetFunctionCommand, InvalidParameterValueException,
  InvokeCommand, LambdaClient, LambdaServiceException, ListVersionsByFunctionCommand, PreconditionFailedException,
  PublishLayerVersionCommand, PublishVersionCommand, PutFunctionConcurrencyCommand, GetFunctionConcurrencyCommand,
  ResourceConflictException, ResourceNotFoundException, UpdateAliasCommand, UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2, waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROLE, handlerZip, makeZip, startRegistry } from './support.js';
import type { TestRegistry } from './support.js';

let t: TestRegistry;
let lambda: LambdaClient;

beforeAll(async () => {
  t = await startRegistry();
  lambda = new LambdaClient({
    endpoint: t.url,
    region: 'ap-southeast-2',
    credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  lambda.destroy();
  await t.stop();
});

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail');
}

describe('@aws-sdk/client-lambda against pipe registry serve', () => {
  test('create, wait, publish, alias with weights, layer, invoke, concurrency', async () => {
    const created = await lambda.send(new CreateFunctionCommand({
      FunctionName: 'sdk', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: handlerZip() }, Publish: true,
    }));
    expect(created).toMatchObject({ Version: '1', FunctionArn: 'arn:aws:lambda:ap-southeast-2:000000000000:function:sdk:1' });
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 10, minDelay: 1 }, { FunctionName: 'sdk' });
    expect((await lambda.send(new PublishVersionCommand({ FunctionName: 'sdk' }))).Version).toBe('1');

    const layer = await lambda.send(new PublishLayerVersionCommand({
      LayerName: 'util', Content: { ZipFile: makeZip([{ name: 'nodejs/util.js', content: '' }]) },
    }));
    const conf = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'sdk', Layers: [layer.LayerVersionArn ?? ''], MemorySize: 256 }));
    expect(conf).toMatchObject({ MemorySize: 256, LastUpdateStatus: 'InProgress' });
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 10, minDelay: 1 }, { FunctionName: 'sdk' });
    expect((await lambda.send(new PublishVersionCommand({ FunctionName: 'sdk' }))).Version).toBe('2');

    await lambda.send(new CreateAliasCommand({ FunctionName: 'sdk', Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 1 } } }));
    // A new version is Pending for a moment, as on AWS: clients wait before invoking it.
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 10, minDelay: 1 }, { FunctionName: 'sdk', Qualifier: '2' });
    const res = await lambda.send(new InvokeCommand({ FunctionName: 'arn:aws:lambda:ap-southeast-2:000000000000:function:sdk:live', Payload: Buffer.from('{"k":"v"}') }));
    expect(res.StatusCode).toBe(200);
    expect(res.ExecutedVersion).toBe('2');
    expect(Buffer.from(res.Payload ?? []).toString()).toBe('{"k":"v"}');
    expect(t.invoker.requests.at(-1)?.target).toMatchObject({ memorySize: 256, region: 'ap-southeast-2', layerZipPaths: [expect.stringMatching(/\.zip$/)] });

    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'sdk', ReservedConcurrentExecutions: 3 }));
    expect((await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'sdk' }))).ReservedConcurrentExecutions).toBe(3);
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: 'sdk' }))).Concurrency).toEqual({ ReservedConcurrentExecutions: 3 });
    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'sdk', MaxItems: 2 }));
    expect(versions.Versions?.map((v) => v.Version)).toEqual(['$LATEST', '1']);
    const rest = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'sdk', Marker: versions.NextMarker }));
    expect(rest.Versions?.map((v) => v.Version)).toEqual(['2']);
  });

  test('errors arrive as the SDK\'s exception classes with AWS messages', async () => {
    const missing = await rejection(lambda.send(new GetFunctionCommand({ FunctionName: 'nope' })));
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect(missing.message).toBe('Function not found: arn:aws:lambda:ap-southeast-2:000000000000:function:nope');

    const dup = await rejection(lambda.send(new CreateFunctionCommand({
      FunctionName: 'sdk', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: handlerZip() },
    })));
    expect(dup).toBeInstanceOf(ResourceConflictException);
    expect(dup.message).toBe('Function already exist: sdk');

    const alias = await lambda.send(new GetAliasCommand({ FunctionName: 'sdk', Name: 'live' }));
    await lambda.send(new UpdateAliasCommand({ FunctionName: 'sdk', Name: 'live', Description: 'moved' }));
    const stale = await rejection(lambda.send(new UpdateAliasCommand({ FunctionName: 'sdk', Name: 'live', RevisionId: alias.RevisionId, Description: 'x' })));
    expect(stale).toBeInstanceOf(PreconditionFailedException);

    const tooMany = await rejection(lambda.send(new UpdateFunctionConfigurationCommand({
      FunctionName: 'sdk', Layers: ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => `arn:aws:lambda:ap-southeast-2:000000000000:layer:${n}:1`),
    })));
    expect(tooMany).toBeInstanceOf(InvalidParameterValueException);
    expect(tooMany.message).toBe('Cannot reference more than 5 layers.');

    const weights = await rejection(lambda.send(new UpdateAliasCommand({ FunctionName: 'sdk', Name: 'live', RoutingConfig: { AdditionalVersionWeights: { '1': 0.5 } } })));
    expect(weights.message).toBe('Invalid function version 1. Function version 1 is already included in routing configuration.');

    const big = await rejection(lambda.send(new InvokeCommand({ FunctionName: 'sdk', Payload: Buffer.alloc(6 * 1024 * 1024 + 1, 32) })));
    expect(big).toBeInstanceOf(LambdaServiceException);
    expect(big.name).toBe('RequestEntityTooLargeException');
    expect((big as LambdaServiceException).$metadata.httpStatusCode).toBe(413);

    const otherRegion = await rejection(lambda.send(new GetFunctionCommand({ FunctionName: 'arn:aws:lambda:us-west-2:000000000000:function:sdk' })));
    expect(otherRegion.message).toBe("Functions from 'us-west-2' are not reachable in this region ('ap-southeast-2')");

    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'sdk' }));
    expect(await rejection(lambda.send(new GetFunctionCommand({ FunctionName: 'sdk' })))).toBeInstanceOf(ResourceNotFoundException);
  });
});
