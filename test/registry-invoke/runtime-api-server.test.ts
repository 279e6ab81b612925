// The Runtime API server over real HTTP, without Docker: headers on /next, status codes of every endpoint.
import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_RESPONSE_BYTES } from '../../src/registry/invoke/index.js';
import { RuntimeApiServer } from '../../src/registry/invoke/runtime-api-server.js';
import type { RuntimeEvent, RuntimeOutcome } from '../../src/registry/invoke/runtime-api-server.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(address: string, method: string, path: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<Reply> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host, port: Number(port), method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const EVENT: RuntimeEvent = {
  requestId: 'req-1',
  payload: Buffer.from('{"a":1}'),
  deadlineMs: 1_900_000_000_000,
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:f:alias',
  traceId: 'Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0',
  logMarkers: false,
};

describe('Runtime API server', () => {
  let api: RuntimeApiServer;
  let nexts: number;
  let outcomes: Array<[string, RuntimeOutcome]>;
  let initErrors: Array<[string, string | undefined]>;

  beforeEach(async () => {
    nexts = 0;
    outcomes = [];
    initErrors = [];
    api = await RuntimeApiServer.start({
      onNext: () => (nexts += 1),
      onOutcome: (id, outcome) => outcomes.push([id, outcome]),
      onInitError: (body, type) => {
        initErrors.push([body.toString(), type]);
      },
    });
  });
  afterEach(async () => {
    await api.close();
  });

  it('listens on loopback', () => {
    expect(api.address).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('holds /next until an event is delivered, then answers with the event and its headers', async () => {
    let answered = false;
    const next = call(api.address, 'GET', '/2018-06-01/runtime/invocation/next').finally(() => (answered = true));
    // Waits for the server to have taken the request, however long a busy machine makes that.
    await expect.poll(() => nexts, { timeout: 10_000, interval: 5 }).toBe(1);
    expect(answered).toBe(false);
    api.deliver({ ...EVENT, clientContext: '{"custom":{}}', cognitoIdentity: '{"cognitoIdentityId":"x"}' });
    const reply = await next;
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('{"a":1}');
    expect(reply.headers).toMatchObject({
      'lambda-runtime-aws-request-id': 'req-1',
      'lambda-runtime-deadline-ms': '1900000000000',
      'lambda-runtime-invoked-function-arn': EVENT.invokedFunctionArn,
      'lambda-runtime-trace-id': EVENT.traceId,
      'lambda-runtime-client-context': '{"custom":{}}',
      'lambda-runtime-cognito-identity': '{"cognitoIdentityId":"x"}',
    });
    expect(reply.headers['x-pipe-log-markers']).toBeUndefined();
  });

  it('answers /next at once when an event is waiting, and leaves out empty optional headers', async () => {
    api.deliver({ ...EVENT, logMarkers: true });
    const reply = await call(api.address, 'GET', '/2018-06-01/runtime/invocation/next');
    expect(reply.headers['lambda-runtime-client-context']).toBeUndefined();
    expect(reply.headers['lambda-runtime-cognito-identity']).toBeUndefined();
    expect(reply.headers['x-pipe-log-markers']).toBe('1');
  });

  it('accepts a response with 202, then refuses a second one with 403 and an unknown id with 400', async () => {
    api.deliver(EVENT);
    await call(api.address, 'GET', '/2018-06-01/runtime/invocation/next');
    const ok = await call(api.address, 'POST', '/2018-06-01/runtime/invocation/req-1/response', '"done"');
    expect(ok.status).toBe(202);
    expect(outcomes).toEqual([['req-1', { kind: 'response', payload: Buffer.from('"done"') }]]);
    const twice = await call(api.address, 'POST', '/2018-06-01/runtime/invocation/req-1/response', '"again"');
    expect(twice.status).toBe(403);
    expect(JSON.parse(twice.body)).toMatchObject({ errorType: 'InvalidStateTransition' });
    const unknown = await call(api.address, 'POST', '/2018-06-01/runtime/invocation/nope/response', '1');
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.body)).toEqual({ errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' });
    expect(outcomes).toHaveLength(1);
  });

  it('takes an invocation error with its error type header', async () => {
    api.deliver(EVENT);
    await call(api.address, 'GET', '/2018-06-01/runtime/invocation/next');
    const body = '{"errorType":"Boom","errorMessage":"x","trace":[]}';
    const reply = await call(api.address, 'POST', '/2018-06-01/runtime/invocation/req-1/error', body, {
      'lambda-runtime-function-error-type': 'Boom',
    });
    expect(reply.status).toBe(202);
    expect(outcomes).toEqual([['req-1', { kind: 'error', payload: Buffer.from(body), errorType: 'Boom' }]]);
  });

  it('answers 413 to a response over 6 MiB + 100 bytes and reports it', async () => {
    api.deliver(EVENT);
    await call(api.address, 'GET', '/2018-06-01/runtime/invocation/next');
    const reply = await call(api.address, 'POST', '/2018-06-01/runtime/invocation/req-1/response', Buffer.alloc(MAX_RESPONSE_BYTES + 1, 0x61));
    expect(reply.status).toBe(413);
    expect(outcomes).toEqual([['req-1', { kind: 'response-too-large', size: MAX_RESPONSE_BYTES + 1 }]]);
  });

  it('takes an init error before the first /next with 202, and refuses one after with 403', async () => {
    const first = await call(api.address, 'POST', '/2018-06-01/runtime/init/error', '{"errorType":"Runtime.X","errorMessage":"m"}', {
      'lambda-runtime-function-error-type': 'Runtime.X',
    });
    expect(first.status).toBe(202);
    expect(initErrors).toEqual([['{"errorType":"Runtime.X","errorMessage":"m"}', 'Runtime.X']]);
    api.deliver(EVENT);
    await call(api.address, 'GET', '/2018-06-01/runtime/invocation/next');
    const late = await call(api.address, 'POST', '/2018-06-01/runtime/init/error', '{}');
    expect(late.status).toBe(403);
  });

  it("holds an init error's answer until the environment has read what it needs: the runtime exits right after it", async () => {
    let release!: () => void;
    const called: string[] = [];
    const held = await RuntimeApiServer.start({
      onNext: () => undefined,
      onOutcome: () => undefined,
      onInitError: (body) => {
        called.push(body.toString());
        return new Promise<void>((resolve) => (release = resolve));
      },
    });
    try {
      let answered = false;
      const answer = call(held.address, 'POST', '/2018-06-01/runtime/init/error', '{"errorType":"Runtime.X"}').then((r) => ((answered = true), r));
      await expect.poll(() => called).toEqual(['{"errorType":"Runtime.X"}']);
      // A whole round trip on another connection of the same server comes back while the init error's waits.
      expect((await call(held.address, 'GET', '/2018-06-01/runtime/other')).status).toBe(404);
      expect(answered).toBe(false);
      release();
      expect((await answer).status).toBe(202);
    } finally {
      await held.close();
    }
  });

  it('answers 404 to unknown paths and 405 to wrong methods', async () => {
    expect((await call(api.address, 'GET', '/2018-06-01/runtime/other')).status).toBe(404);
    expect((await call(api.address, 'GET', '/elsewhere')).status).toBe(404);
    expect((await call(api.address, 'POST', '/2018-06-01/runtime/invocation/next', '')).status).toBe(405);
    expect((await call(api.address, 'GET', '/2018-06-01/runtime/invocation/x/response')).status).toBe(405);
  });
});
