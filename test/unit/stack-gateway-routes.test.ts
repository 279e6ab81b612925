// The routes a deployed stack gives the local API Gateway (in-process registry, nothing invoked): an `HttpApi` event
// without Path is SAM's `$default` route (every path, `/` too, unlike `/{proxy+}`), and a `FunctionUrlConfig` route
// names the function's physical name and its AutoPublishAlias, as `Api` routes do.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { PipeError } from '../../src/core/index.js';
import { deployStack, listGatewayRoutes } from '../../src/deploy/index.js';
import type { StackContext } from '../../src/deploy/index.js';
import { compileRoutes, isRouteMatch, resolveRoute } from '../../src/gateway/route-table.js';
import { openDatabase } from '../../src/infra/index.js';
import type { Db } from '../../src/infra/index.js';
import { Registry } from '../../src/registry/index.js';
import type { Invoker } from '../../src/registry/index.js';

const NO_INVOKE: Invoker = {
  invoke: () => Promise.reject(new PipeError('INTERNAL', 'these tests never invoke')),
  retire: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

let dir: string;
let db: Db;
let registry: Registry;
let ctx: StackContext;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pipe-stack-routes-'));
  db = openDatabase(join(dir, 'state.db'));
  registry = Registry.open({ invoker: NO_INVOKE, db, home: dir, settleMs: 0 });
  ctx = { db, lambda: registry, home: dir };
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'index.js'), 'exports.handler = async () => 1;\n');
  writeFileSync(join(dir, 'template.yaml'), `Transform: AWS::Serverless-2016-10-31
Resources:
  Items:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: index.handler
      Runtime: nodejs18.x
      AutoPublishAlias: live
      FunctionUrlConfig:
        AuthType: NONE
      Events:
        Everything:
          Type: HttpApi
        Pets:
          Type: HttpApi
          Properties:
            Path: /pets
            Method: post
`);
});

afterEach(() => {
  registry.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

it('stores $default for an HttpApi event without Path, and the physical name on the function URL route', async () => {
  const r = await deployStack(ctx, { templateFile: join(dir, 'template.yaml'), stackName: 'shop' });
  expect(r.stack.status).toBe('CREATE_COMPLETE');
  const name = r.plan.functions[0]!.functionName;
  expect(name).toMatch(/^shop-Items-[0-9A-F]{12}$/);
  const base = { stackName: 'shop', functionName: name, qualifier: 'live' };
  expect(listGatewayRoutes(db)).toEqual([
    { ...base, apiId: 'ServerlessHttpApi', kind: 'http', method: 'ANY', path: '$default', stage: '$default', payloadFormatVersion: '2.0' },
    { ...base, apiId: 'ServerlessHttpApi', kind: 'http', method: 'POST', path: '/pets', stage: '$default', payloadFormatVersion: '2.0' },
    { ...base, apiId: 'Items', kind: 'function-url', method: 'ANY', path: '/{proxy+}', stage: '$default', payloadFormatVersion: '2.0' },
  ]);
  // The gateway's route table takes them as they are: `/` and any path reach $default, POST /pets its own route.
  const table = compileRoutes(listGatewayRoutes(db));
  const routeOf = (method: string, path: string) => {
    const m = resolveRoute(table, '127.0.0.1:3000', method, path);
    return isRouteMatch(m) ? `${m.compiled.route.method} ${m.compiled.route.path}` : 'none';
  };
  expect([routeOf('GET', '/'), routeOf('GET', '/a/b'), routeOf('POST', '/pets')]).toEqual(['ANY $default', 'ANY $default', 'POST /pets']);
});
