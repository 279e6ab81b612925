// The gateway's HTTP edge over real sockets, with a scripted LambdaApi (the port faked, as STYLE.md asks; the
// functions themselves are in gateway-functions.test.ts): body and header limits, HEAD and 204 without a body,
// a result header HTTP cannot carry, and a request log per request.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayRoute } from '../../src/core/index.js';
import { MAX_BODY_BYTES, startGateway } from '../../src/gateway/index.js';
import type { Gateway, GatewayRequestLog } from '../../src/gateway/index.js';
import type { InvokeInput, InvokeOutput } from '../../src/registry/index.js';

const ROUTES: GatewayRoute[] = [{ stackName: 's', apiId: 'ServerlessRestApi', kind: 'rest', method: 'ANY', path: '/{proxy+}', stage: 'Prod', functionName: 'f' }];

/** The function's answer per path: a scripted port, so each case says exactly what the function returned. */
const RESULTS: Record<string, unknown> = {
  '/ok': { statusCode: 200, headers: { 'X-A': '1' }, body: 'hello' },
  '/empty': { statusCode: 204, headers: {}, body: 'ignored' },
  '/bad-header': { statusCode: 200, headers: { 'X-Bad': 'line\r\nbreak' }, body: 'x' },
};

describe('the gateway at the HTTP edge', () => {
  let gateway: Gateway;
  const logs: GatewayRequestLog[] = [];
  const invoked: InvokeInput[] = [];

  beforeAll(async () => {
    const invoke = async (input: InvokeInput): Promise<InvokeOutput> => {
      invoked.push(input);
      const event = JSON.parse(input.Payload!.toString()) as { path: string };
      return { StatusCode: 200, RequestId: 'r', Payload: Buffer.from(JSON.stringify(RESULTS[event.path] ?? { statusCode: 200, body: String(input.Payload!.length) })) };
    };
    gateway = await startGateway({ port: 0, routes: () => ROUTES, lambda: { invoke }, onRequest: (l) => logs.push(l) });
  });
  afterAll(() => gateway.close());

  it('invokes the function without a qualifier when the route names none, and answers HEAD and 204 without a body', async () => {
    const head = await fetch(`${gateway.url}/ok`, { method: 'HEAD' });
    expect([head.status, head.headers.get('x-a'), await head.text()]).toEqual([200, '1', '']);
    expect(invoked.at(-1)).toMatchObject({ FunctionName: 'f' });
    expect(invoked.at(-1)).not.toHaveProperty('Qualifier');
    const empty = await fetch(`${gateway.url}/empty`);
    expect([empty.status, await empty.text()]).toEqual([204, '']);
  });

  it('answers a result header HTTP cannot carry as a malformed result', async () => {
    const r = await fetch(`${gateway.url}/bad-header`);
    expect([r.status, await r.text()]).toEqual([502, '{"message": "Internal server error"}']);
    expect(logs.at(-1)).toMatchObject({ status: 502, outcome: 'malformed-result' });
  });

  it('takes a body up to 10 MB and refuses a longer one with 413, without invoking', async () => {
    const before = invoked.length;
    const big = await fetch(`${gateway.url}/big`, { method: 'POST', body: Buffer.alloc(MAX_BODY_BYTES + 1, 0x61), headers: { 'content-type': 'text/plain' } });
    expect([big.status, await big.text()]).toEqual([413, '{"message":"Request Entity Too Large"}']);
    expect(invoked.length).toBe(before);
    expect(logs.at(-1)).toMatchObject({ method: 'POST', target: '/big', status: 413, outcome: 'too-large' });
    // the same refused when sent chunked, without a Content-Length to go by
    const chunked = await new Promise<number>((resolve, reject) => {
      const url = new URL(`${gateway.url}/big`);
      const req = httpRequest({ host: url.hostname, port: url.port, method: 'POST', path: url.pathname, headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 11; i++) req.write(Buffer.alloc(1024 * 1024, 0x62));
      req.end();
    });
    expect(chunked).toBe(413);
    const fits = await fetch(`${gateway.url}/fits`, { method: 'POST', body: Buffer.alloc(1024 * 1024, 0x61), headers: { 'content-type': 'text/plain' } });
    expect(fits.status).toBe(200);
    expect(Number(await fits.text())).toBeGreaterThan(1024 * 1024);
  });

  it('refuses a Host that is no loopback name (a rebound DNS name), and takes every loopback one', async () => {
    const status = (host: string) =>
      new Promise<[number, string]>((resolve, reject) => {
        const url = new URL(`${gateway.url}/ok`);
        const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, headers: { host } }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve([res.statusCode ?? 0, body]));
        });
        req.on('error', reject);
        req.end();
      });
    const before = invoked.length;
    const [code, body] = await status('evil.example:3000');
    expect(code).toBe(403);
    expect(JSON.parse(body)).toEqual({ message: 'Forbidden: the gateway on a loopback address answers only loopback host names (127.0.0.1, localhost, *.localhost)' });
    expect(logs.at(-1)).toMatchObject({ status: 403, outcome: 'foreign-host', reason: 'Host evil.example:3000 is not a loopback name' });
    expect(invoked.length).toBe(before);
    for (const host of ['localhost:1', '127.0.0.1', '127.1.2.3:80', '[::1]:3000', 'abc.execute-api.localhost:3000']) {
      expect((await status(host))[0], host).not.toBe(403);
    }
  });

  it('refuses request headers past 10,240 bytes with 431', async () => {
    const r = await fetch(`${gateway.url}/ok`, { headers: { 'x-long': 'a'.repeat(11_000) } });
    expect(r.status).toBe(431);
  });
});
