// The local API Gateway in front of real functions (the Docker invoker, pipe/standard:1, a Node.js handler),
// driven by real HTTP clients: fetch for the plain form, curl for the host forms and repeated headers.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDocker } from '../support/docker.js';
import { Registry } from '../../src/registry/index.js';
import { createDockerInvoker } from '../../src/registry/invoke/index.js';
import type { DockerInvoker } from '../../src/registry/invoke/index.js';
import type { GatewayRoute } from '../../src/core/index.js';
import { gatewayHostId, gatewayUrlsOf, startGateway } from '../../src/gateway/index.js';
import type { Gateway, GatewayRequestLog } from '../../src/gateway/index.js';
import { containersOf, makeZip, removeWorkDir } from '../registry-invoke/support.js';

const run = promisify(execFile);
const FN = 'gw-echo';

// One handler for every case, chosen by `?mode=`: echoes the event unless asked for something else.
const HANDLER = `
exports.handler = async (event, context) => {
  const q = event.queryStringParameters || {};
  switch (q.mode) {
    case 'throw': throw new Error('boom');
    case 'sleep': await new Promise((r) => setTimeout(r, 1500)); return { statusCode: 200, body: 'late' };
    case 'png': return { statusCode: 200, headers: { 'Content-Type': 'image/png' }, body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 254, 255]).toString('base64'), isBase64Encoded: true };
    case 'reverse': {
      const bytes = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body ?? '');
      return { statusCode: 200, headers: { 'Content-Type': 'application/octet-stream' }, body: Buffer.from(bytes).reverse().toString('base64'), isBase64Encoded: true };
    }
    case 'cookies-v1': return { statusCode: 201, headers: { 'X-One': 'x', 'Content-Type': 'text/plain' }, multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'], 'X-One': ['x'] }, body: 'made' };
    case 'cookies-v2': return { statusCode: 200, cookies: ['a=1; Path=/', 'b=2; HttpOnly'], body: 'ok' };
    case 'bare': return 'hello';
    case 'object': return { hello: 'world' };
    case 'object-body': return { statusCode: 200, body: { not: 'a string' } };
    case 'extra-key': return { statusCode: 200, body: 'x', extra: true };
    default: return { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ event, arn: context.invokedFunctionArn, version: context.functionVersion }) };
  }
};`;

const rest = (method: string, path: string, extra: Partial<GatewayRoute> = {}): GatewayRoute => ({
  stackName: 'shop', apiId: 'ServerlessRestApi', kind: 'rest', method, path, stage: 'Prod', functionName: FN, ...extra,
});
const http = (method: string, path: string, extra: Partial<GatewayRoute> = {}): GatewayRoute => ({
  stackName: 'shop', apiId: 'ServerlessHttpApi', kind: 'http', method, path, stage: '$default', functionName: FN, payloadFormatVersion: '2.0', ...extra,
});
const ROUTES: GatewayRoute[] = [
  rest('GET', '/items'),
  rest('GET', '/items/{id}'),
  rest('GET', '/items/special'),
  rest('ANY', '/files/{proxy+}'),
  rest('POST', '/files/{proxy+}', { qualifier: 'live' }),
  rest('POST', '/blobs'),
  http('GET', '/v2/users/{userId}'),
  http('ANY', '/v2/{proxy+}'),
  http('GET', '/v1http/ping', { apiId: 'OldHttpApi', payloadFormatVersion: '1.0' }),
  { stackName: 'shop', apiId: 'EchoFunction', kind: 'function-url', method: 'ANY', path: '/{proxy+}', stage: '$default', functionName: FN, qualifier: 'live' },
];
const urlRoute = ROUTES[ROUTES.length - 1]!;

interface Echo {
  event: Record<string, any>;
  arn: string;
  version: string;
}

describeDocker('the API Gateway in front of deployed functions', () => {
  let home: string;
  let invoker: DockerInvoker;
  let registry: Registry;
  let gateway: Gateway;
  let base: string;
  let port: string;
  const logs: GatewayRequestLog[] = [];

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'pipe-gateway-'));
    invoker = await createDockerInvoker();
    registry = Registry.open({ invoker, home });
    await registry.createFunction({
      FunctionName: FN, Role: 'arn:aws:iam::000000000000:role/gw', Runtime: 'nodejs18.x', Handler: 'index.handler', Timeout: 5,
      Code: { ZipFile: readFileSync(makeZip({ 'index.js': HANDLER })) },
    });
    await registry.waitUntilReady({ FunctionName: FN });
    await registry.publishVersion({ FunctionName: FN });
    await registry.createAlias({ FunctionName: FN, Name: 'live', FunctionVersion: '1' });
    gateway = await startGateway({ host: '127.0.0.1', port: 0, routes: () => ROUTES, lambda: registry, onRequest: (l) => logs.push(l) });
    base = gateway.url;
    port = new URL(base).port;
  });
  afterAll(async () => {
    await gateway?.close();
    registry?.close();
    await invoker?.close();
    if (invoker) expect(await containersOf(invoker.invokerId)).toEqual([]);
    rmSync(home, { recursive: true, force: true });
    removeWorkDir();
  });

  async function echo(path: string, init?: RequestInit): Promise<Echo> {
    const res = await fetch(`${base}${path}`, init);
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as Echo;
  }

  /** curl with its own headers; -i so the status line and headers come back too. */
  async function curl(url: string, ...args: string[]): Promise<{ status: number; headers: string; body: string }> {
    const { stdout } = await run('curl', ['-s', '-i', '--max-time', '20', ...args, url]);
    const split = stdout.indexOf('\r\n\r\n');
    const head = stdout.slice(0, split);
    return { status: Number(/^HTTP\/[\d.]+ (\d+)/.exec(head)?.[1]), headers: head, body: stdout.slice(split + 4) };
  }

  it('sends a REST API 1.0 event with path parameters, repeated query keys and the request context', async () => {
    const { event, version } = await echo('/items/42?tag=a&tag=b&q=x%20y', { headers: { 'X-Custom': 'c1' } });
    expect(version).toBe('$LATEST');
    expect(event).not.toHaveProperty('version');
    expect(event).toMatchObject({
      resource: '/items/{id}', path: '/items/42', httpMethod: 'GET',
      pathParameters: { id: '42' }, stageVariables: null,
      queryStringParameters: { tag: 'b', q: 'x y' }, multiValueQueryStringParameters: { tag: ['a', 'b'], q: ['x y'] },
      body: null, isBase64Encoded: false,
    });
    expect(event.headers['X-Custom']).toBe('c1'); // REST keeps names as sent (fetch sends them so)
    expect(event.headers['X-Forwarded-Proto']).toBe('http');
    expect(event.headers['X-Forwarded-Port']).toBe(port);
    expect(event.requestContext).toMatchObject({
      stage: 'Prod', resourcePath: '/items/{id}', httpMethod: 'GET', path: '/Prod/items/42', protocol: 'HTTP/1.1',
      apiId: gatewayHostId(ROUTES[0]!), identity: { sourceIp: '127.0.0.1', accessKey: null },
    });
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(Math.abs(event.requestContext.requestTimeEpoch - Date.now())).toBeLessThan(60_000);
    // a fresh id per request
    const again = await echo('/items/42');
    expect(again.event.requestContext.requestId).not.toBe(event.requestContext.requestId);
    expect(again.event.queryStringParameters).toBeNull();
    expect(again.event.multiValueQueryStringParameters).toBeNull();
  });

  it('prefers a literal path over {param}, {param} over {proxy+}, a method over ANY, and takes /hello/ for /hello', async () => {
    expect((await echo('/items/special')).event.resource).toBe('/items/special');
    expect((await echo('/items/')).event.resource).toBe('/items');
    const proxied = await echo('/files/a/b%20c/d.txt', { method: 'DELETE' });
    expect(proxied.event).toMatchObject({ resource: '/files/{proxy+}', httpMethod: 'DELETE', pathParameters: { proxy: 'a/b c/d.txt' } });
    expect(proxied.version).toBe('$LATEST');
    // POST has a method of its own on the resource, wired to the alias `live` (version 1)
    const posted = await echo('/files/x', { method: 'POST', body: 'hi', headers: { 'content-type': 'text/plain' } });
    expect(posted.arn).toMatch(/:function:gw-echo:live$/);
    expect(posted.version).toBe('1');
    expect(posted.event).toMatchObject({ httpMethod: 'POST', body: 'hi', isBase64Encoded: false });
    expect(logs.at(-1)).toMatchObject({ outcome: 'invoked', status: 200, executedVersion: '1', route: { method: 'POST', path: '/files/{proxy+}' } });
  });

  it('sends an HTTP API 2.0 event: lowercase headers joined by commas, cookies, rawQueryString, no empty keys', async () => {
    const r = await curl(`${base}/v2/users/u%201?tag=a&tag=b`, '-H', 'X-Tag: a', '-H', 'X-Tag: b', '-H', 'Cookie: s=1; theme=dark', '-H', 'Cookie: t=2');
    expect(r.status).toBe(200);
    const { event } = JSON.parse(r.body) as Echo;
    expect(event).toMatchObject({
      version: '2.0', routeKey: 'GET /v2/users/{userId}', rawPath: '/v2/users/u%201', rawQueryString: 'tag=a&tag=b',
      cookies: ['s=1', 'theme=dark', 't=2'], queryStringParameters: { tag: 'a,b' }, pathParameters: { userId: 'u 1' },
      isBase64Encoded: false,
      requestContext: { routeKey: 'GET /v2/users/{userId}', stage: '$default', http: { method: 'GET', path: '/v2/users/u%201', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' } },
    });
    expect(event.headers['x-tag']).toBe('a,b');
    expect(event.headers).not.toHaveProperty('cookie');
    expect(Object.keys(event.headers).every((k) => k === k.toLowerCase())).toBe(true);
    for (const absent of ['body', 'stageVariables', 'multiValueHeaders']) expect(event).not.toHaveProperty(absent);
    const bare = (await echo('/v2/anything/else', { method: 'PATCH' })).event;
    expect(bare).toMatchObject({ routeKey: 'ANY /v2/{proxy+}', pathParameters: { proxy: 'anything/else' }, rawQueryString: '' });
    for (const absent of ['cookies', 'queryStringParameters']) expect(bare).not.toHaveProperty(absent);
  });

  it('sends repeated headers to a REST API as multiValueHeaders, names as sent', async () => {
    const r = await curl(`${base}/items`, '-H', 'X-Tag: a', '-H', 'X-Tag: b');
    const { event } = JSON.parse(r.body) as Echo;
    expect(event.multiValueHeaders['X-Tag']).toEqual(['a', 'b']);
    expect(event.headers['X-Tag']).toBe('b');
  });

  it('sends payload 1.0 to an HTTP API set to it, with version and lowercase names', async () => {
    const { event } = await echo('/v1http/ping', { headers: { 'X-Mixed': 'm' } });
    expect(event).toMatchObject({ version: '1.0', resource: '/v1http/ping', httpMethod: 'GET', pathParameters: null });
    expect(event.headers['x-mixed']).toBe('m');
    expect(event.multiValueHeaders['x-mixed']).toEqual(['m']);
  });

  it('carries binary bodies both ways: base64 in the event, decoded on the wire', async () => {
    const bytes = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x80, 10, 13]);
    const res = await fetch(`${base}/blobs?mode=reverse`, { method: 'POST', body: bytes, headers: { 'content-type': 'application/octet-stream' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(Buffer.from(bytes).reverse());
    const seen = await echo('/blobs', { method: 'POST', body: bytes, headers: { 'content-type': 'image/png' } });
    expect(seen.event).toMatchObject({ isBase64Encoded: true, body: bytes.toString('base64') });
    // HTTP API 2.0 the same way, and a binary result through curl
    const v2 = await echo('/v2/upload', { method: 'PUT', body: bytes, headers: { 'content-type': 'application/octet-stream' } });
    expect(v2.event).toMatchObject({ isBase64Encoded: true, body: bytes.toString('base64') });
    const png = await fetch(`${base}/v2/logo?mode=png`);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect([...Buffer.from(await png.arrayBuffer())]).toEqual([0x89, 0x50, 0x4e, 0x47, 0, 1, 254, 255]);
  });

  it('maps headers, multiValueHeaders and cookies of the result to the response', async () => {
    const v1 = await fetch(`${base}/items?mode=cookies-v1`);
    expect(v1.status).toBe(201);
    expect(v1.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(v1.headers.get('x-one')).toBe('x'); // in both maps, sent once
    expect(v1.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await v1.text()).toBe('made');
    const v2 = await fetch(`${base}/v2/c?mode=cookies-v2`);
    expect(v2.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
    expect(v2.headers.get('content-type')).toBe('application/json');
    expect(v2.headers.get('apigw-requestid')).toMatch(/^[A-Za-z0-9_-]{15}=$/);
    expect(await v2.text()).toBe('ok');
  });

  it('answers 2.0 bare results as 200 JSON bodies, as the function returned them', async () => {
    const bare = await fetch(`${base}/v2/x?mode=bare`);
    expect([bare.status, bare.headers.get('content-type'), await bare.text()]).toEqual([200, 'application/json', '"hello"']);
    const object = await fetch(`${base}/v2/x?mode=object`);
    expect([object.status, await object.json()]).toEqual([200, { hello: 'world' }]);
  });

  it("gives API Gateway's answers for a throwing function, a malformed result and no route", async () => {
    const thrown = await fetch(`${base}/items?mode=throw`);
    expect([thrown.status, await thrown.text()]).toEqual([502, '{"message": "Internal server error"}']);
    expect(logs.at(-1)).toMatchObject({ outcome: 'function-error', status: 502 });
    const objectBody = await fetch(`${base}/items?mode=object-body`);
    expect([objectBody.status, await objectBody.text()]).toEqual([502, '{"message": "Internal server error"}']);
    expect(logs.at(-1)?.reason).toBe('Malformed Lambda proxy response: body is not a string');
    const extra = await fetch(`${base}/items?mode=extra-key`);
    expect(extra.status).toBe(502);
    const v2thrown = await fetch(`${base}/v2/x?mode=throw`);
    expect([v2thrown.status, await v2thrown.text()]).toEqual([500, '{"message":"Internal Server Error"}']);
    // the plain form serves REST and HTTP APIs together: no route is an HTTP API's 404
    const missing = await fetch(`${base}/nothing/here`);
    expect([missing.status, await missing.text()]).toEqual([404, '{"message":"Not Found"}']);
    // a method the resource lacks
    expect((await fetch(`${base}/items/1`, { method: 'DELETE' })).status).toBe(404);
  });

  it("reaches one API by its host, stage in the path, with REST's 403 for no route", async () => {
    const { host } = gatewayUrlsOf(ROUTES[1]!, base);
    expect(host).toBe(`http://${gatewayHostId(ROUTES[1]!)}.execute-api.localhost:${port}/Prod/items/{id}`);
    const ok = await curl(host.replace('{id}', '7'));
    expect(ok.status).toBe(200);
    const { event } = JSON.parse(ok.body) as Echo;
    expect(event).toMatchObject({ path: '/items/7', requestContext: { path: '/Prod/items/7', domainName: `${gatewayHostId(ROUTES[1]!)}.execute-api.localhost` } });
    const apiHost = new URL(host).origin;
    const none = await curl(`${apiHost}/Prod/nothing`);
    expect([none.status, none.body]).toEqual([403, '{"message":"Missing Authentication Token"}']);
    expect(none.headers).toMatch(/x-amzn-errortype: MissingAuthenticationTokenException/i);
    expect((await curl(`${apiHost}/items/7`)).status).toBe(403); // the stage is part of the URL
    // the stage prefix also works on the plain host
    expect((await echo('/Prod/items/8')).event).toMatchObject({ path: '/items/8', pathParameters: { id: '8' } });
  });

  it('serves a function URL on every path, by host name (curl) or path prefix (fetch), on its qualifier', async () => {
    const urls = gatewayUrlsOf(urlRoute, base);
    const byHost = await curl(`${urls.host}any/deep/path?x=1`, '-X', 'POST', '-d', 'payload', '-H', 'content-type: text/plain');
    expect(byHost.status).toBe(200);
    const viaHost = JSON.parse(byHost.body) as Echo;
    expect(viaHost.event).toMatchObject({ version: '2.0', routeKey: '$default', rawPath: '/any/deep/path', rawQueryString: 'x=1', body: 'payload', requestContext: { stage: '$default', apiId: gatewayHostId(urlRoute) } });
    expect(viaHost.event).not.toHaveProperty('pathParameters');
    expect(viaHost.version).toBe('1');
    const root = await echo(new URL(urls.plain).pathname);
    expect(root.event.rawPath).toBe('/');
    const thrown = await fetch(`${urls.plain}x?mode=throw`);
    expect(thrown.status).toBe(502);
    expect((await fetch(`${base}/_lambda-url/nosuchid/`)).status).toBe(404);
  });

  it('answers 504 when the function outlasts the integration timeout', async () => {
    const short = await startGateway({ host: '127.0.0.1', port: 0, routes: () => ROUTES, lambda: registry, timeoutMs: 200 });
    try {
      const t0 = Date.now();
      const res = await fetch(`${short.url}/items?mode=sleep`);
      expect([res.status, await res.text()]).toEqual([504, '{"message": "Endpoint request timed out"}']);
      expect(Date.now() - t0).toBeLessThan(1400);
    } finally {
      await short.close();
    }
  });
});
