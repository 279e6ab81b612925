// `pipe serve --gateway-port` as a user runs it (the bundle): a SAM stack deployed by `pipe deploy` while it runs
// names the gateway in its outputs, and its routes answer on the gateway port at once: an `Api` event (REST, 1.0),
// an `HttpApi` event without Path (SAM's `$default`: `/` too) and the function's `FunctionUrlConfig` (2.0), each
// through the function's alias; a stop closes the gateway with the dashboard.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LABELS } from '../../src/core/index.js';
import { gatewayUrlsOf } from '../../src/gateway/index.js';
import { DockerEngine } from '../../src/infra/index.js';
import { makePipeEnv, pipe } from '../support/cli.js';
import { describeDocker } from '../support/docker.js';
import { endStrayPipes, homeContainers, startPipe } from '../support/pipe-process.js';
import type { PipeProcess } from '../support/pipe-process.js';

const TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Items:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: index.handler
      Runtime: nodejs18.x
      AutoPublishAlias: live
      FunctionUrlConfig: { AuthType: NONE }
      Events:
        GetItem:
          Type: Api
          Properties:
            Path: /items/{id}
            Method: get
        Everything:
          Type: HttpApi
Outputs:
  ItemUrl:
    Value: !Sub https://\${ServerlessRestApi}.execute-api.\${AWS::Region}.amazonaws.com/Prod/items/7
`;

// What each event looked like to the function: its payload version, route, path and the version that ran.
const HANDLER = `exports.handler = async (e, context) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    version: e.version ?? '1.0', routeKey: e.routeKey ?? e.resource, path: e.rawPath ?? e.path,
    id: (e.pathParameters ?? {}).id ?? null, qualifier: context.invokedFunctionArn.split(':').slice(7).join(':'),
  }),
});
`;

describeDocker('pipe serve --gateway-port in front of deployed stacks', () => {
  const env = makePipeEnv();
  const dir = mkdtempSync(join(tmpdir(), 'pipe-serve-gateway-'));
  let serve: PipeProcess;
  let gatewayUrl: string;

  beforeAll(async () => {
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'index.js'), HANDLER);
    writeFileSync(join(dir, 'template.yaml'), TEMPLATE);
    serve = startPipe(['serve', '--port', '0', '--gateway-port', '0', '--json', '--pipelines', dir], env);
    const line = await serve.waitForOutput(/^(\{"time".*"type":"gateway-listening".*\})$/m, 30_000);
    gatewayUrl = (JSON.parse(line[1] ?? '{}') as { url: string }).url;
  });
  afterAll(async () => {
    await endStrayPipes();
    const engine = new DockerEngine();
    for (const id of await homeContainers(env, { [LABELS.managed]: 'true' }).catch(() => [])) await engine.removeContainer(id).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the Api, HttpApi $default and function URL routes of a stack deployed while it runs', async () => {
    expect(gatewayUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const deployed = await pipe(['deploy', join(dir, 'template.yaml'), '--stack-name', 'shop'], env);
    expect([deployed.exitCode, deployed.stderr]).toEqual([0, expect.any(String)]);
    // The deploy found the gateway in the server's record: the output names it, not the default port 3000.
    expect(deployed.stdout).toContain(`ItemUrl = ${gatewayUrl}/items/7`);

    const rest = await fetch(`${gatewayUrl}/items/7`);
    expect(rest.status).toBe(200);
    expect(await rest.json()).toEqual({ version: '1.0', routeKey: '/items/{id}', path: '/items/7', id: '7', qualifier: 'live' });
    // An HttpApi event without Path is the $default route: every path the REST route does not take, `/` included.
    for (const path of ['/', '/anything/else']) {
      const http = await fetch(`${gatewayUrl}${path}`, { method: 'POST', body: 'x' });
      expect([path, http.status, await http.json()]).toEqual([path, 200, { version: '2.0', routeKey: '$default', path, id: null, qualifier: 'live' }]);
    }
    // The function URL invokes the function by its physical name, through its alias.
    const { plain } = gatewayUrlsOf({ stackName: 'shop', apiId: 'Items', kind: 'function-url', method: 'ANY', path: '/{proxy+}', stage: '$default', functionName: '' }, gatewayUrl);
    const url = await fetch(`${plain}deep/path`);
    expect(url.status).toBe(200);
    expect(await url.json()).toEqual({ version: '2.0', routeKey: '$default', path: '/deep/path', id: null, qualifier: 'live' });
    // Each request is logged by the server, with the function it went to.
    await serve.waitForOutput(/"type":"request".*"target":"\/items\/7".*"status":200/, 5_000);
    expect(serve.stdout()).toMatch(/"type":"request"[^\n]*"functionName":"shop-Items-[0-9A-F]{12}"[^\n]*"qualifier":"live"/);

    serve.kill('SIGTERM');
    const ended = await serve.exited;
    expect(ended.exitCode).toBe(0);
    await expect(fetch(`${gatewayUrl}/items/7`)).rejects.toThrow();
  }, 120_000);
});
