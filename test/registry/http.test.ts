// The HTTP API with raw requests: malformed input gets a 4xx with AWS's error shape, never a 500; headers and codes.
import type { Server } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RegistryServer } from '../../src/registry/index.js';
import { ROLE, handlerZip, startRegistry } from './support.js';
import type { TestRegistry } from './support.js';

let t: TestRegistry;

beforeAll(async () => {
  t = await startRegistry({ settleMs: 0 });
  await t.registry.createFunction({ FunctionName: 'f', Role: ROLE, Runtime: 'nodejs20.x', Handler: 'index.handler', Code: { ZipFile: handlerZip() } });
});
afterAll(async () => t.stop());

async function call(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('x-amzn-errortype'), requestId: res.headers.get('x-amzn-requestid'), headers: res.headers, text };
}

describe('HTTP API robustness', () => {
  test.each([
    ['POST', '/2015-03-31/functions', '{not json', 400, 'InvalidRequestContentException'],
    ['POST', '/2015-03-31/functions', '[1,2]', 400, 'InvalidRequestContentException'],
    ['POST', '/2015-03-31/functions', '{}', 400, 'ValidationException'],
    ['POST', '/2015-03-31/functions', '{"FunctionName":5,"Role":"r","Code":{}}', 400, 'SerializationException'],
    ['POST', '/2015-03-31/functions', `{"FunctionName":"g","Role":"${ROLE}","Runtime":"nodejs20.x","Handler":"i.h","Code":{"ZipFile":"!!"}}`, 400, 'InvalidParameterValueException'],
    ['POST', '/2015-03-31/functions', `{"FunctionName":"g","Role":"${ROLE}","Runtime":"nodejs20.x","Handler":"i.h","Code":{}}`, 400, 'InvalidParameterValueException'],
    ['GET', '/2015-03-31/functions/%E0%A4%A', undefined, 400, 'InvalidParameterValueException'],
    ['GET', '/2015-03-31/functions?MaxItems=abc', undefined, 400, 'ValidationException'],
    ['GET', '/2015-03-31/functions?Marker=garbage', undefined, 400, 'InvalidParameterValueException'],
    ['GET', '/2015-03-31/functions?FunctionVersion=SOME', undefined, 400, 'ValidationException'],
    ['GET', '/2018-10-31/layers/x/versions/abc', undefined, 400, 'ValidationException'],
    ['PUT', '/2015-03-31/functions/f/configuration', '{"MemorySize":"big"}', 400, 'SerializationException'],
    ['GET', '/nothing/here', undefined, 404, 'UnknownOperationException'],
    ['POST', '/2015-03-31/functions/f/invocations', '{}', 400, 'ValidationException', { 'X-Amz-Invocation-Type': 'Sometimes' }],
  ])('%s %s %s -> %i %s', async (method, path, body, status, type, headers?: Record<string, string>) => {
    const res = await call(method, path, body, headers);
    expect({ status: res.status, type: res.type }).toEqual({ status, type });
    const parsed = JSON.parse(res.text) as Record<string, unknown>;
    expect(parsed['Type']).toBe('User');
    expect(typeof (parsed['message'] ?? parsed['Message'])).toBe('string');
    expect(res.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('names arrive percent-encoded, as ARNs, with ?Qualifier=; the region comes from the signature', async () => {
    const arn = encodeURIComponent('arn:aws:lambda:us-east-1:000000000000:function:f');
    expect((await call('GET', `/2015-03-31/functions/${arn}/configuration?Qualifier=%24LATEST`)).status).toBe(200);
    expect((await call('GET', `/2015-03-31/functions/f%3A%24LATEST`)).status).toBe(200);
    const signed = { Authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-north-1/lambda/aws4_request, SignedHeaders=host, Signature=00' };
    const elsewhere = await call('GET', '/2015-03-31/functions/f', undefined, signed);
    expect(elsewhere).toMatchObject({ status: 404, type: 'ResourceNotFoundException' });
    expect(JSON.parse(elsewhere.text)).toEqual({ Type: 'User', Message: 'Function not found: arn:aws:lambda:eu-north-1:000000000000:function:f' });
  });

  test('invoke maps the InvokeResult to status and X-Amz headers', async () => {
    const tail = await call('POST', '/2015-03-31/functions/f/invocations', '{"fail":"bad"}', { 'X-Amz-Log-Type': 'Tail' });
    expect(tail.status).toBe(200);
    expect(tail.headers.get('x-amz-function-error')).toBe('Unhandled');
    expect(tail.headers.get('x-amz-executed-version')).toBe('$LATEST');
    // x-amzn-RequestId is the invocation's request id: the one the runtime got and the log shows.
    expect(tail.requestId).toBe(t.invoker.requests.at(-1)?.requestId);
    expect(Buffer.from(tail.headers.get('x-amz-log-result') ?? '', 'base64').toString()).toMatch(new RegExp(`^START RequestId: ${tail.requestId} `));
    expect(JSON.parse(tail.text)).toMatchObject({ errorMessage: 'bad', errorType: 'Error' });
    const context = Buffer.from('{"custom":{"k":"v"}}').toString('base64');
    expect((await call('POST', '/2015-03-31/functions/f/invocations', '', { 'X-Amz-Client-Context': context })).text).toBe('{}');
    expect(t.invoker.requests.at(-1)?.clientContext).toBe(context);
    const event = await call('POST', '/2015-03-31/functions/f/invocations', '{}', { 'X-Amz-Invocation-Type': 'Event' });
    expect(event.status).toBe(202);
    await t.registry.drainEvents();
    expect(event.requestId).toBe(t.invoker.requests.at(-1)?.requestId);
    const dry = await call('POST', '/2015-03-31/functions/f/invocations', '{}', { 'X-Amz-Invocation-Type': 'DryRun' });
    expect({ status: dry.status, text: dry.text }).toEqual({ status: 204, text: '' });
    const tooBig = await call('POST', '/2015-03-31/functions/f/invocations', Buffer.alloc(7 * 1024 * 1024, 32));
    expect(tooBig).toMatchObject({ status: 413, type: 'RequestEntityTooLargeException' });
    expect(JSON.parse(tooBig.text)).toEqual({ Type: 'User', message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation' });
    await t.registry.putFunctionConcurrency({ FunctionName: 'f', ReservedConcurrentExecutions: 0 });
    const throttled = await call('POST', '/2015-03-31/functions/f/invocations', '{}');
    expect(throttled).toMatchObject({ status: 429, type: 'TooManyRequestsException' });
    expect(throttled.headers.get('retry-after')).toBe('1');
    expect(JSON.parse(throttled.text)).toEqual({ Type: 'User', message: 'Rate Exceeded.', Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' });
    await t.registry.deleteFunctionConcurrency({ FunctionName: 'f' });
  });

  test('success codes: 201 creates, 204 deletes, account settings', async () => {
    expect((await call('POST', '/2015-03-31/functions/f/versions', '{}')).status).toBe(201);
    expect((await call('POST', '/2015-03-31/functions/f/aliases', '{"Name":"x","FunctionVersion":"1"}')).status).toBe(201);
    expect((await call('DELETE', '/2015-03-31/functions/f/aliases/x')).status).toBe(204);
    expect((await call('DELETE', '/2018-10-31/layers/none/versions/3')).status).toBe(204);
    const settings = await call('GET', '/2016-08-19/account-settings/');
    expect(JSON.parse(settings.text)).toMatchObject({ AccountLimit: { ConcurrentExecutions: 1000 }, AccountUsage: { FunctionCount: 1 } });
  });
});

describe('a client that goes away', () => {
  test('an upload cut off midway is dropped quietly, not reported as a registry failure', async () => {
    const failures: string[] = [];
    const server = new RegistryServer({ registry: t.registry, host: '127.0.0.1', port: 0, onError: (e, op) => failures.push(`${op}: ${String(e)}`) });
    const { port } = new URL(await server.listen());
    // The server's end of the connection: once it has closed (and a turn has passed), the abort has been handled.
    let serverSide: Socket | undefined;
    (server as unknown as { server: Server }).server.once('connection', (s: Socket) => (serverSide = s));
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    // `100 Continue` comes back once the server has the request in hand; then part of the body, then goodbye.
    socket.write('POST /2015-03-31/functions HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n');
    await new Promise((resolve) => socket.once('data', resolve));
    await new Promise((resolve) => socket.write('{"FunctionName":', resolve));
    socket.destroy();
    await new Promise((resolve) => (serverSide?.closed ? resolve(undefined) : serverSide?.once('close', resolve)));
    await new Promise((resolve) => setImmediate(resolve));
    await server.close();
    expect(failures).toEqual([]);
    expect((await call('GET', '/2015-03-31/functions')).status).toBe(200);
  });
});
