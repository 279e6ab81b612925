// The gateway's pure parts: route selection (API Gateway's documented example), the three URL forms, result
// mapping rules of payloads 1.0 and 2.0, the canned answers, and the hand-written route file's problems.
import { describe, expect, it } from 'vitest';
import type { GatewayRoute } from '../../src/core/index.js';
import { RegistryError } from '../../src/registry/index.js';
import { gatewayHostId, gatewayUrlsOf, readGatewayRoutes, shadowingRoutes } from '../../src/gateway/index.js';
import { compileRoutes, isRouteMatch, resolveRoute } from '../../src/gateway/route-table.js';
import { mapV1Result, mapV2Result } from '../../src/gateway/proxy-result.js';
import { createGatewayHandler } from '../../src/gateway/gateway-handler.js';
import type { GatewayRequest } from '../../src/gateway/gateway-request.js';
import { ValidationError } from '../../src/core/index.js';

const route = (kind: GatewayRoute['kind'], method: string, path: string, extra: Partial<GatewayRoute> = {}): GatewayRoute => ({
  stackName: 's', apiId: kind === 'rest' ? 'ServerlessRestApi' : 'ServerlessHttpApi', kind, method, path,
  stage: kind === 'rest' ? 'Prod' : '$default', functionName: 'f', ...extra,
});

function picked(routes: GatewayRoute[], method: string, path: string, host?: string): string {
  const r = resolveRoute(compileRoutes(routes), host, method, path);
  return isRouteMatch(r) ? `${r.compiled.routeKey} ${JSON.stringify(r.pathParameters ?? null)}` : `miss ${r.kind}`;
}

describe('route selection', () => {
  // http-front.md §3.1: the HTTP API developer guide's example.
  const doc = [route('http', 'GET', '/pets/dog/1'), route('http', 'GET', '/pets/dog/{id}'), route('http', 'GET', '/pets/{proxy+}'), route('http', 'ANY', '/{proxy+}'), route('http', 'ANY', '$default')];

  it("follows API Gateway's documented example", () => {
    expect(picked(doc, 'GET', '/pets/dog/1')).toBe('GET /pets/dog/1 null');
    expect(picked(doc, 'GET', '/pets/dog/2')).toBe('GET /pets/dog/{id} {"id":"2"}');
    expect(picked(doc, 'GET', '/pets/cat/1')).toBe('GET /pets/{proxy+} {"proxy":"cat/1"}');
    expect(picked(doc, 'POST', '/test/5')).toBe('ANY /{proxy+} {"proxy":"test/5"}');
    // {proxy+} needs a segment: `/` falls to $default
    expect(picked(doc, 'GET', '/')).toBe('$default null');
  });

  it('prefers the leftmost literal, a method over ANY on the same resource, and the first listed on a tie', () => {
    const routes = [route('rest', 'GET', '/{a}/b'), route('rest', 'GET', '/a/{b}'), route('rest', 'ANY', '/x/{id}'), route('rest', 'DELETE', '/x/{id}')];
    expect(picked(routes, 'GET', '/a/b')).toBe('GET /a/{b} {"b":"b"}');
    expect(picked(routes, 'DELETE', '/x/1')).toBe('DELETE /x/{id} {"id":"1"}');
    expect(picked(routes, 'PUT', '/x/1')).toBe('ANY /x/{id} {"id":"1"}');
    const twoStacks = [route('rest', 'GET', '/hello', { stackName: 'one', functionName: 'f1' }), route('rest', 'GET', '/hello', { stackName: 'two', functionName: 'f2' })];
    const plain = resolveRoute(compileRoutes(twoStacks), '127.0.0.1:3000', 'GET', '/hello');
    expect(isRouteMatch(plain) && plain.compiled.route.stackName).toBe('one');
    const byHost = resolveRoute(compileRoutes(twoStacks), `${gatewayHostId(twoStacks[1]!)}.execute-api.localhost:3000`, 'GET', '/Prod/hello');
    expect(isRouteMatch(byHost) && byHost.compiled.route.stackName).toBe('two');
  });

  it('matches whole segments only, decodes parameters, and keeps a trailing slash to the same resource', () => {
    const routes = [route('rest', 'GET', '/'), route('rest', 'GET', '/files/{proxy+}'), route('rest', 'GET', '/u/{id}')];
    expect(picked(routes, 'GET', '/')).toBe('GET / null');
    expect(picked(routes, 'GET', '/files')).toBe('miss rest');
    expect(picked(routes, 'GET', '/files/a%2Fb/c')).toBe('GET /files/{proxy+} {"proxy":"a/b/c"}');
    expect(picked(routes, 'GET', '/u/x%20y/')).toBe('GET /u/{id} {"id":"x y"}');
    expect(picked(routes, 'GET', '/u/x/y')).toBe('miss rest');
    expect(picked(routes, 'GET', '/U/x')).toBe('miss rest');
  });

  it('takes the stage in the path on the host form, and REST answers 403 without it', () => {
    const rest = route('rest', 'GET', '/hello');
    const named = route('http', 'GET', '/hi', { apiId: 'Named', stage: 'dev' });
    const host = (r: GatewayRoute) => `${gatewayHostId(r)}.execute-api.localhost`;
    expect(picked([rest, named], 'GET', '/Prod/hello', host(rest))).toBe('GET /hello null');
    expect(picked([rest, named], 'GET', '/Prod', host(rest))).toBe('miss rest');
    expect(picked([rest, named], 'GET', '/hello', host(rest))).toBe('miss rest');
    expect(picked([rest, named], 'GET', '/dev/hi', `${gatewayHostId(named)}.execute-api.us-east-1.localhost:3000`)).toBe('GET /hi null');
    expect(picked([rest, named], 'GET', '/hi', host(named))).toBe('miss http');
    expect(picked([rest, named], 'GET', '/x', 'nosuchapi1.execute-api.localhost')).toBe('miss http');
    // the plain form: no stage, or the stage when nothing else answers
    expect(picked([rest, named], 'GET', '/hello')).toBe('GET /hello null');
    expect(picked([rest, named], 'GET', '/dev/hi')).toBe('GET /hi null');
    expect(picked([rest], 'GET', '/nothing')).toBe('miss rest');
    expect(picked([rest, named], 'GET', '/nothing')).toBe('miss http');
  });

  it('serves a function URL on every path by host or prefix, and no API route reaches it', () => {
    const url = route('function-url', 'ANY', '/{proxy+}', { apiId: 'Fn' });
    const id = gatewayHostId(url);
    expect(id).toMatch(/^[a-z0-9]{32}$/);
    expect(picked([url], 'DELETE', '/', `${id}.lambda-url.localhost:3000`)).toBe('$default null');
    expect(picked([url], 'GET', `/_lambda-url/${id}/a/b`)).toBe('$default null');
    const r = resolveRoute(compileRoutes([url]), undefined, 'GET', `/_lambda-url/${id}/a/b`);
    expect(isRouteMatch(r) && r.path).toBe('/a/b');
    expect(picked([url], 'GET', '/a/b')).toBe('miss http');
  });
});

describe('the URLs of a route', () => {
  it('gives the plain and host forms, and says which routes the plain form cannot reach', () => {
    const a = route('rest', 'GET', '/users/{id}', { stackName: 'one' });
    const b = route('rest', 'GET', '/users/{userId}', { stackName: 'two' });
    const c = route('http', 'GET', '/users/{id}', { stackName: 'one', apiId: 'Other', stage: 'dev' });
    const d = route('rest', 'POST', '/users/{id}', { stackName: 'two' });
    expect(shadowingRoutes([a, b, c, d])).toEqual([undefined, a, a, undefined]);
    expect(gatewayUrlsOf(c, 'http://127.0.0.1:3000')).toEqual({
      plain: 'http://127.0.0.1:3000/users/{id}',
      host: `http://${gatewayHostId(c)}.execute-api.localhost:3000/dev/users/{id}`,
    });
    const url = route('function-url', 'ANY', '/{proxy+}', { apiId: 'Fn' });
    expect(gatewayUrlsOf(url, 'http://127.0.0.1:3000')).toEqual({
      plain: `http://127.0.0.1:3000/_lambda-url/${gatewayHostId(url)}/`,
      host: `http://${gatewayHostId(url)}.lambda-url.localhost:3000/`,
    });
  });
});

describe('result mapping', () => {
  const json = (v: unknown) => Buffer.from(JSON.stringify(v));

  it('payload 1.0: the five keys only on REST, a string body, headers merged once, application/json by default', () => {
    const ok = mapV1Result(json({ statusCode: '201', headers: { A: '1', 'Set-Cookie': 'x=1' }, multiValueHeaders: { A: ['1', '2'], 'Set-Cookie': ['y=2'] }, body: 'b' }), true);
    expect(ok).toEqual({ ok: true, response: { status: 201, headers: [['A', '1'], ['A', '2'], ['Set-Cookie', 'y=2'], ['Set-Cookie', 'x=1'], ['content-type', 'application/json']], body: Buffer.from('b') } });
    expect(mapV1Result(json({ statusCode: 200, body: 'x', extra: 1 }), true)).toEqual({ ok: false, reason: 'unexpected keys extra' });
    expect(mapV1Result(json({ statusCode: 200, body: 'x', extra: 1 }), false).ok).toBe(true);
    expect(mapV1Result(json({ statusCode: 200, body: { a: 1 } }), true)).toEqual({ ok: false, reason: 'body is not a string' });
    expect(mapV1Result(json({ body: 'x' }), true)).toEqual({ ok: false, reason: 'statusCode is missing or not an HTTP status' });
    expect(mapV1Result(json('hello'), true)).toEqual({ ok: false, reason: 'the result is not a JSON object' });
    expect(mapV1Result(json({ statusCode: 200, body: 'AAEC/w==', isBase64Encoded: true }), true)).toMatchObject({ ok: true, response: { body: Buffer.from([0, 1, 2, 255]) } });
  });

  it('payload 2.0: bare values are 200 JSON as returned, cookies become Set-Cookie', () => {
    expect(mapV2Result(json('hi'))).toEqual({ ok: true, response: { status: 200, headers: [['content-type', 'application/json']], body: Buffer.from('"hi"') } });
    expect(mapV2Result(json([1, true]))).toMatchObject({ ok: true, response: { status: 200, body: Buffer.from('[1,true]') } });
    expect(mapV2Result(json({ a: 1 }))).toMatchObject({ ok: true, response: { status: 200, body: Buffer.from('{"a":1}') } });
    expect(mapV2Result(json({ statusCode: 204, cookies: ['a=1', 'b=2'], whatever: 1 }))).toEqual({ ok: true, response: { status: 204, headers: [['set-cookie', 'a=1'], ['set-cookie', 'b=2'], ['content-type', 'application/json']], body: Buffer.alloc(0) } });
    expect(mapV2Result(json({ statusCode: 200, cookies: 'a=1' }))).toEqual({ ok: false, reason: 'cookies is not a list of strings' });
    expect(mapV2Result(Buffer.from('not json'))).toEqual({ ok: false, reason: 'the result is not JSON' });
  });
});

describe("the gateway's own answers", () => {
  const request = (path: string, host = '127.0.0.1:3000'): GatewayRequest => ({
    method: 'GET', rawPath: path, rawQuery: '', headers: [['Host', host]], body: Buffer.alloc(0), sourceIp: '127.0.0.1', port: 3000, receivedAt: Date.now(),
  });

  it('answers a refused invoke with 500, a throttled function URL with 429, and says why', async () => {
    const routes = [route('rest', 'GET', '/r'), route('http', 'GET', '/h'), route('function-url', 'ANY', '/{proxy+}', { apiId: 'Fn' })];
    const handle = createGatewayHandler({
      routes: () => routes,
      lambda: { invoke: async (i) => { throw i.FunctionName === 'f' ? new RegistryError('TooManyRequestsException', 'Rate Exceeded.') : new Error('x'); } },
    });
    const rest = await handle(request('/r'));
    expect([rest.response.status, rest.response.body.toString(), rest.log.outcome, rest.log.reason]).toEqual([500, '{"message": "Internal server error"}', 'throttled', 'TooManyRequestsException: Rate Exceeded.']);
    const http = await handle(request('/h'));
    expect([http.response.status, http.response.body.toString()]).toEqual([500, '{"message":"Internal Server Error"}']);
    const url = await handle(request('/', `${gatewayHostId(routes[2]!)}.lambda-url.localhost`));
    expect([url.response.status, url.response.body.toString()]).toEqual([429, '{"message":"Rate Exceeded."}']);
  });

  it('answers an HTTP API that outlasts its timeout with 503', async () => {
    const handle = createGatewayHandler({ routes: () => [route('http', 'GET', '/h')], lambda: { invoke: () => new Promise(() => {}) }, timeoutMs: 20 });
    const r = await handle(request('/h'));
    expect([r.response.status, r.response.body.toString(), r.log.outcome]).toEqual([503, '{"message":"Service Unavailable"}', 'timeout']);
  });
});

describe('route files', () => {
  it('fills in the defaults a SAM template implies', () => {
    const routes = readGatewayRoutes(
      '- stackName: shop\n  apiId: ServerlessRestApi\n  kind: rest\n  method: get\n  path: /items/{id}\n  functionName: items\n' +
      '- { stackName: shop, apiId: ServerlessHttpApi, kind: http, path: $default, functionName: items, qualifier: live }\n' +
      '- { "stackName": "shop", "apiId": "ItemsFunction", "kind": "function-url", "functionName": "items", "payloadFormatVersion": "2.0" }\n',
      'routes.yml',
    );
    expect(routes).toEqual([
      { stackName: 'shop', apiId: 'ServerlessRestApi', kind: 'rest', method: 'GET', path: '/items/{id}', stage: 'Prod', functionName: 'items' },
      { stackName: 'shop', apiId: 'ServerlessHttpApi', kind: 'http', method: 'ANY', path: '$default', stage: '$default', functionName: 'items', qualifier: 'live', payloadFormatVersion: '2.0' },
      { stackName: 'shop', apiId: 'ItemsFunction', kind: 'function-url', method: 'ANY', path: '/{proxy+}', stage: '$default', functionName: 'items' },
    ]);
  });

  it('reports every problem with file:line:col', () => {
    let error: unknown;
    try {
      readGatewayRoutes('- stackName: s\n  apiId: A\n  kind: soap\n  path: /a/{p+}/b\n  functionName: f\n  metod: GET\n- kind: rest\n  path: items\n  payloadFormatVersion: 2.0\n', 'routes.yml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).format()).toMatchInlineSnapshot(`
      "routes.yml: 8 problems found
        routes.yml:3:9 [0].kind: expected one of rest, http, function-url, got 'soap'
          3 |   kind: soap
            |         ^
        routes.yml:4:9 [0].path: a greedy segment {p+} must be the last one
          4 |   path: /a/{p+}/b
            |         ^
        routes.yml:6:3 [0].metod: unknown key 'metod'; did you mean 'method'?
          6 |   metod: GET
            |   ^
        routes.yml:7:3 [1].stackName: missing; every route names its stackName
          7 | - kind: rest
            |   ^
        routes.yml:7:3 [1].apiId: missing; every route names its apiId
          7 | - kind: rest
            |   ^
        routes.yml:7:3 [1].functionName: missing; every route names its functionName
          7 | - kind: rest
            |   ^
        routes.yml:8:9 [1].path: expected a path starting with '/' (like /users/{id}) or $default, got 'items'
          8 |   path: items
            |         ^
        routes.yml:9:25 [1].payloadFormatVersion: a REST API sends payload 1.0, not '2.0'
          9 |   payloadFormatVersion: 2.0
            |                         ^"
    `);
  });
});
