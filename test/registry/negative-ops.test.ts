// One negative test over HTTP for each operation the other HTTP tests only call on the happy path: AWS's status,
// error type and message.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROLE, handlerZip, startRegistry } from './support.js';
import type { TestRegistry } from './support.js';

let t: TestRegistry;
const FN = 'arn:aws:lambda:us-east-1:000000000000:function';
const LAYER = 'arn:aws:lambda:us-east-1:000000000000:layer';

beforeAll(async () => {
  t = await startRegistry({ settleMs: 0 });
  await t.registry.createFunction({ FunctionName: 'f', Role: ROLE, Runtime: 'nodejs20.x', Handler: 'index.handler', Code: { ZipFile: handlerZip() } });
  await t.registry.publishVersion({ FunctionName: 'f' });
  await t.registry.createAlias({ FunctionName: 'f', Name: 'live', FunctionVersion: '1' });
});
afterAll(async () => t.stop());

describe('each operation refuses bad input with AWS status, type and message', () => {
  test.each([
    ['CreateAlias', 'POST', '/2015-03-31/functions/f/aliases', '{"Name":"live","FunctionVersion":"1"}', 409, 'ResourceConflictException', { message: `Alias already exists: ${FN}:f:live` }],
    ['GetAlias', 'GET', '/2015-03-31/functions/f/aliases/gone', undefined, 404, 'ResourceNotFoundException', { Message: `Cannot find alias arn: ${FN}:f:gone` }],
    ['DeleteAlias', 'DELETE', '/2015-03-31/functions/nofn/aliases/live', undefined, 404, 'ResourceNotFoundException', { Message: `Function not found: ${FN}:nofn` }],
    ['ListAliases', 'GET', '/2015-03-31/functions/nofn/aliases', undefined, 404, 'ResourceNotFoundException', { Message: `Function not found: ${FN}:nofn` }],
    ['PutFunctionConcurrency', 'PUT', '/2017-10-31/functions/f/concurrency', '{"ReservedConcurrentExecutions":950}', 400, 'InvalidParameterValueException', {
      message: "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].",
    }],
    ['GetFunctionConcurrency', 'GET', '/2019-09-30/functions/nofn/concurrency', undefined, 404, 'ResourceNotFoundException', { Message: `Function not found: ${FN}:nofn` }],
    ['DeleteFunctionConcurrency', 'DELETE', '/2017-10-31/functions/nofn/concurrency', undefined, 404, 'ResourceNotFoundException', { Message: `Function not found: ${FN}:nofn` }],
    ['PublishLayerVersion', 'POST', '/2018-10-31/layers/lay/versions', '{"Content":{"ZipFile":"UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="},"CompatibleArchitectures":["sparc"]}', 400, 'ValidationException', {
      message: "1 validation error detected: Value '[sparc]' at 'compatibleArchitectures' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 2, Member must satisfy enum value set: [x86_64, arm64]]",
    }],
    ['GetLayerVersion', 'GET', '/2018-10-31/layers/lay/versions/7', undefined, 404, 'ResourceNotFoundException', { Message: 'The resource you requested does not exist.' }],
    ['GetLayerVersionByArn', 'GET', `/2018-10-31/layers?find=LayerVersion&Arn=${encodeURIComponent(`${LAYER}:lay:7`)}`, undefined, 404, 'ResourceNotFoundException', { Message: 'The resource you requested does not exist.' }],
    ['DeleteLayerVersion', 'DELETE', '/2018-10-31/layers/lay/versions/0', undefined, 400, 'InvalidParameterValueException', { message: 'Layer Version Cannot be less than 1' }],
    ['ListLayerVersions', 'GET', '/2018-10-31/layers/lay/versions?MaxItems=0', undefined, 400, 'ValidationException', {
      message: "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1",
    }],
    ['ListLayers', 'GET', '/2018-10-31/layers?Marker=not-a-marker', undefined, 400, 'InvalidParameterValueException', { message: 'Invalid marker: not-a-marker' }],
    ['GetFunctionConfiguration', 'GET', '/2015-03-31/functions/f/configuration?Qualifier=9', undefined, 404, 'ResourceNotFoundException', { Message: `Function not found: ${FN}:f:9` }],
    ['ListVersionsByFunction', 'GET', '/2015-03-31/functions/nofn/versions', undefined, 404, 'ResourceNotFoundException', { Message: `Function not found: ${FN}:nofn` }],
    ['GetAccountSettings (a method it does not take)', 'POST', '/2016-08-19/account-settings', '{}', 404, 'UnknownOperationException', { message: 'Unknown operation POST /2016-08-19/account-settings' }],
    ['GetCodeBlob', 'GET', `/pipe/blobs/${'0'.repeat(64)}.zip`, undefined, 404, 'ResourceNotFoundException', { Message: `No stored code with SHA-256 ${'0'.repeat(64)}` }],
  ])('%s: %s %s -> %s %s', async (_op, method, path, body, status, type, message) => {
    const res = await fetch(`${t.url}${path}`, { method, ...(body === undefined ? {} : { body }) });
    const json = (await res.json()) as Record<string, unknown>;
    expect({ status: res.status, type: res.headers.get('x-amzn-errortype') }).toEqual({ status, type });
    if (message !== undefined) expect(json).toEqual({ Type: 'User', ...message });
  });
});
