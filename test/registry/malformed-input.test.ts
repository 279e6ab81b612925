// Malformed requests to every operation, generated from the Lambda service model: a wrong JSON type for every body
// member of every operation (and every member of the structures they hold), malformed JSON, empty bodies, bad
// names, qualifiers and paths. Each gets AWS's status and error type, never a 500 or a reset.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Shape } from '../../src/registry/http/model-types.js';
import { ROUTES } from '../../src/registry/http/routes.js';
import { LAMBDA_MODEL } from '../../src/registry/http/service-model.js';
import { bodyMembers } from '../../src/registry/http/validate-input.js';
import { ROLE, handlerZip, startRegistry } from './support.js';
import type { TestRegistry } from './support.js';

let t: TestRegistry;

beforeAll(async () => {
  t = await startRegistry({ settleMs: 0 });
  await t.registry.createFunction({ FunctionName: 'f', Role: ROLE, Runtime: 'nodejs20.x', Handler: 'index.handler', Code: { ZipFile: handlerZip() } });
});
afterAll(async () => t.stop());

async function call(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('x-amzn-errortype'), text, json: () => JSON.parse(text) as Record<string, unknown> };
}

const PATH_VALUES: Record<string, string> = { FunctionName: 'f', Name: 'live', LayerName: 'lay', VersionNumber: '1' };

function routeOf(operation: string): { method: string; path: string } {
  const route = ROUTES.find((r) => r.operation === operation);
  if (!route) throw new Error(`no route for ${operation}`);
  return { method: route.method, path: route.path.replace(/\{(\w+)\}/g, (_, p: string) => PATH_VALUES[p] ?? p) };
}

/** A value of the wrong JSON type for a shape, and the SerializationException message AWS answers for it. */
function wrongValue(s: Shape): [unknown, string] {
  switch (s.type) {
    case 'string': return [5, 'NUMBER_VALUE can not be converted to a String'];
    case 'blob': return [true, 'TRUE_VALUE can not be converted to a ByteBuffer'];
    case 'integer': return ['5', 'STRING_VALUE can not be converted to an Integer'];
    case 'long': return ['5', 'STRING_VALUE can not be converted to a Long'];
    case 'double': return [false, 'FALSE_VALUE can not be converted to a Double'];
    case 'float': return [false, 'FALSE_VALUE can not be converted to a Float'];
    case 'boolean': return ['true', 'STRING_VALUE can not be converted to a Boolean'];
    case 'timestamp': return [[], 'Start of list found where not expected'];
    case 'list': return ['x', 'Expected list or null'];
    case 'map': return [['x'], 'Start of list found where not expected'];
    case 'structure': return ['x', 'Expected null'];
  }
}

interface Case {
  operation: string;
  /** Where the wrong value sits, e.g. `VpcConfig.SubnetIds`. */
  at: string;
  body: Record<string, unknown>;
  message: string;
}

/** One case per body member of every operation, and per member of the structures they hold (one level down). */
function generatedCases(): Case[] {
  const cases: Case[] = [];
  for (const operation of Object.keys(LAMBDA_MODEL.operations)) {
    for (const [name, ref] of Object.entries(bodyMembers(operation))) {
      const s = LAMBDA_MODEL.shapes[ref.shape];
      if (!s) throw new Error(`no shape ${ref.shape}`);
      const [value, message] = wrongValue(s);
      cases.push({ operation, at: name, body: { [name]: value }, message });
      for (const [inner, innerRef] of Object.entries(s.type === 'structure' ? s.members ?? {} : {})) {
        const innerShape = LAMBDA_MODEL.shapes[innerRef.shape];
        if (!innerShape) throw new Error(`no shape ${innerRef.shape}`);
        const [v, m] = wrongValue(innerShape);
        cases.push({ operation, at: `${name}.${inner}`, body: { [name]: { [inner]: v } }, message: m });
      }
    }
  }
  return cases;
}

const CASES = generatedCases();

describe('a wrong JSON type for every body member of every operation', () => {
  test('the model gives cases for every operation with a JSON body', () => {
    const operations = new Set(CASES.map((c) => c.operation));
    expect([...operations].sort()).toEqual([
      'CreateAlias', 'CreateFunction', 'PublishLayerVersion', 'PublishVersion', 'PutFunctionConcurrency', 'UpdateAlias',
      'UpdateFunctionCode', 'UpdateFunctionConfiguration',
    ]);
    expect(CASES.length).toBeGreaterThan(100);
  });

  test.each(CASES.map((c) => [c.operation, c.at, c] as const))('%s %s -> 400 SerializationException', async (_op, _at, c) => {
    const { method, path } = routeOf(c.operation);
    const res = await call(method, path, JSON.stringify(c.body));
    expect({ status: res.status, type: res.type, body: res.json() }).toEqual({
      status: 400, type: 'SerializationException', body: { Type: 'User', message: c.message },
    });
  });

  test.each([
    ['CreateFunction', '{"Tags":["a","b"]}', 'Start of list found where not expected'],
    ['CreateFunction', '{"DeadLetterConfig":"arn:aws:sqs:us-east-1:000000000000:q"}', 'Expected null'],
    ['CreateFunction', '{"VpcConfig":{"SubnetIds":"subnet-1"}}', 'Expected list or null'],
    ['UpdateFunctionConfiguration', '{"Environment":{"Variables":{"A":1}}}', 'NUMBER_VALUE can not be converted to a String'],
    ['CreateAlias', '{"RoutingConfig":{"AdditionalVersionWeights":{"2":"half"}}}', 'STRING_VALUE can not be converted to a Double'],
    ['UpdateFunctionConfiguration', '{"Layers":[["arn"]]}', 'Start of list found where not expected'],
  ])('%s %s (reported) -> SerializationException', async (operation, body, message) => {
    const { method, path } = routeOf(operation);
    const res = await call(method, path, body);
    expect({ status: res.status, type: res.type, body: res.json() }).toEqual({ status: 400, type: 'SerializationException', body: { Type: 'User', message } });
  });

  test('nulls are absent, unknown members are ignored: a valid body with both still succeeds', async () => {
    const res = await call('PUT', '/2015-03-31/functions/f/configuration', '{"Description":"d","Timeout":null,"SomethingNew":{"x":[1]}}');
    expect(res.status).toBe(200);
  });
});

const BODY_OPERATIONS = [...new Set(CASES.map((c) => c.operation))];

describe('malformed and empty bodies', () => {
  test.each(BODY_OPERATIONS)('%s with malformed JSON -> 400 InvalidRequestContentException', async (operation) => {
    const { method, path } = routeOf(operation);
    for (const body of ['{"a":', '{a:1}', '[1]', '"text"', '\u0000']) {
      const res = await call(method, path, body);
      expect({ body, status: res.status, type: res.type }).toEqual({ body, status: 400, type: 'InvalidRequestContentException' });
    }
  });

  test.each([
    ['CreateFunction', "3 validation errors detected: Value null at 'functionName' failed to satisfy constraint: Member must not be null; Value null at 'role' failed to satisfy constraint: Member must not be null; Value null at 'code' failed to satisfy constraint: Member must not be null"],
    ['CreateAlias', "2 validation errors detected: Value null at 'name' failed to satisfy constraint: Member must not be null; Value null at 'functionVersion' failed to satisfy constraint: Member must not be null"],
    ['PublishLayerVersion', "1 validation error detected: Value null at 'content' failed to satisfy constraint: Member must not be null"],
    ['PutFunctionConcurrency', "1 validation error detected: Value null at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must not be null"],
  ])('%s with an empty body -> 400 ValidationException naming every missing member', async (operation, message) => {
    const { method, path } = routeOf(operation);
    const res = await call(method, path, '');
    expect({ status: res.status, type: res.type, body: res.json() }).toEqual({ status: 400, type: 'ValidationException', body: { Type: 'User', message } });
  });
});

describe('headers, names, qualifiers and paths', () => {
  test.each([
    ['not base64', 'not base64!'],
    ['base64 of text that is not JSON', Buffer.from('hello').toString('base64')],
    ['base64 of a JSON list', Buffer.from('[1]').toString('base64')],
  ])('a client context that is %s -> 400 InvalidParameterValueException', async (_what, context) => {
    const res = await call('POST', '/2015-03-31/functions/f/invocations', '{}', { 'X-Amz-Client-Context': context });
    expect({ status: res.status, type: res.type, body: res.json() }).toEqual({
      status: 400, type: 'InvalidParameterValueException', body: { Type: 'User', message: 'Client context must be a valid Base64-encoded JSON object.' },
    });
  });

  const long = 'a'.repeat(200);
  test.each([
    ['GET', `/2015-03-31/functions/${long}`, 400],
    ['GET', '/2015-03-31/functions/bad%20name', 400],
    ['GET', '/2015-03-31/functions/f?Qualifier=bad%20q', 400],
    ['GET', '/2015-03-31/functions/f?Qualifier=', 400],
    ['GET', `/2015-03-31/functions/f/aliases/${long}`, 400],
    ['GET', '/2015-03-31/functions/f/aliases/12', 400],
    ['GET', '/2018-10-31/layers/bad%20name/versions/1', 400],
    ['GET', '/2018-10-31/layers/lay/versions/0', 400],
    ['GET', '/2018-10-31/layers/lay/versions/99999999999999999999', 400],
    ['GET', '/2018-10-31/layers?find=LayerVersion&Arn=nope', 400],
    ['POST', '/2015-03-31/functions/f/invocations?Qualifier=%24LATEST%00', 400],
    ['GET', '/2015-03-31/functions/%ZZ', 400],
    ['GET', '/2015-03-31/functions/f/unknown', 404],
    ['PATCH', '/2015-03-31/functions/f', 404],
    ['GET', '/', 404],
    ['GET', '//..//..', 404],
  ])('%s %s -> %s, AWS error shape', async (method, path, status) => {
    const res = await call(method, path, method === 'POST' ? '{}' : undefined);
    expect(res.status).toBe(status);
    expect(res.type).toMatch(/Exception$/);
    const body = res.json();
    expect(body['Type']).toBe('User');
    expect(typeof (body['message'] ?? body['Message'])).toBe('string');
  });
});

describe('a seeded random mix of routes, path segments, queries, bodies and headers', () => {
  test('1500 requests: no 5xx, no reset, no stack trace; every error in AWS shape', async () => {
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const pick = <T,>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)] as T;
    const segments = ['f', '%24LATEST', 'f%3A1', 'arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af', '%00', '..', '%', 'x'.repeat(300), '1', '-1', '99999999999999999999', 'live', '%E2%98%83', 'a%2Fb'];
    const queries = ['', '?Qualifier=', '?Qualifier=%24LATEST', '?MaxItems=-1', '?MaxItems=1e3', '?Marker=%00', '?FunctionVersion=ALL', '?find=LayerVersion', '?find=LayerVersion&Arn=x', '?CompatibleRuntime=x'];
    const bodies = [
      '', '{}', 'null', '[]', '{"a":', `{"Code":{"ZipFile":"UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="},"FunctionName":"g","Role":"${ROLE}","Runtime":"nodejs20.x","Handler":"i.h"}`,
      '{"Name":1}', '{"RoutingConfig":{"AdditionalVersionWeights":{"x":2}}}', '{"ReservedConcurrentExecutions":-1}', '{"ReservedConcurrentExecutions":1e400}',
      '{"Timeout":1.5}', '{"MemorySize":1e20}', '{"Layers":[]}', '{"Environment":{"Variables":null}}', '{"Content":{}}', '{"FunctionVersion":"$LATEST","Name":"n"}',
      '{"Description":"\\ud800"}', '{"ZipFile":"%%%"}', '{"ZipFile":{}}',
    ];
    const problems: string[] = [];
    for (let i = 0; i < 1500; i++) {
      const route = pick(ROUTES);
      const path = route.path.replace(/\{\w+\}/g, () => pick(segments)) + pick(queries);
      const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : pick(bodies);
      const headers: Record<string, string> = {};
      if (rnd() < 0.2) headers['X-Amz-Invocation-Type'] = pick(['Event', 'DryRun', 'x']);
      if (rnd() < 0.2) headers['X-Amz-Log-Type'] = pick(['Tail', 'x']);
      if (rnd() < 0.2) headers['X-Amz-Client-Context'] = pick(['e30=', 'x']);
      const what = `${route.method} ${path} ${body ?? ''} ${JSON.stringify(headers)}`;
      try {
        const res = await fetch(`${t.url}${path}`, { method: route.method, headers, ...(body === undefined ? {} : { body }) });
        const text = await res.text();
        if (res.status >= 500 || /\n\s+at /.test(text)) problems.push(`${res.status} ${what}: ${text.slice(0, 200)}`);
        if (res.status >= 400 && !(/Exception$/.test(res.headers.get('x-amzn-errortype') ?? '') && /"Type":"User","[mM]essage":"/.test(text))) {
          problems.push(`not AWS-shaped: ${res.status} ${what}: ${text.slice(0, 200)}`);
        }
      } catch (e) {
        problems.push(`reset: ${what}: ${String(e)}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
