// `pipe gateway serve` as a user runs it (the bundle): a bad route file is refused with every problem; a running
// gateway in front of a running registry (--endpoint) answers through a real function and stops on SIGTERM.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makePipeEnv, pipe } from '../support/cli.js';
import { describeDocker } from '../support/docker.js';
import { endStrayPipes, startPipe } from '../support/pipe-process.js';
import { Registry, RegistryServer } from '../../src/registry/index.js';
import { createDockerInvoker } from '../../src/registry/invoke/index.js';
import type { DockerInvoker } from '../../src/registry/invoke/index.js';
import { containersOf, makeZip, removeWorkDir } from '../registry-invoke/support.js';

const env = makePipeEnv();
const dir = mkdtempSync(join(tmpdir(), 'pipe-gateway-cli-'));
afterEach(endStrayPipes);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pipe gateway serve, bad input', () => {
  it('refuses a route file with every problem, file:line:col, exit 2', async () => {
    const file = join(dir, 'bad.yml');
    writeFileSync(file, '- stackName: s\n  apiId: A\n  kind: rest\n  path: /a/{p+}/b\n  functionName: f\n- kind: grpc\n');
    const r = await pipe(['gateway', 'serve', '--routes', file, '--port', '0', '--endpoint', 'http://127.0.0.1:1'], env);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`error: ${file}: 6 problems found`);
    expect(r.stderr).toContain(`${file}:4:9 [0].path: a greedy segment {p+} must be the last one`);
    expect(r.stderr).toContain(`${file}:6:9 [1].kind: expected one of rest, http, function-url, got 'grpc'`);
  });

  it('refuses a missing route file and a bad port, exit 2', async () => {
    const missing = await pipe(['gateway', 'serve', '--routes', join(dir, 'nope.yml')], env);
    expect([missing.exitCode, missing.stderr]).toEqual([2, expect.stringContaining('cannot read the route file')]);
    const port = await pipe(['gateway', 'serve', '--routes', join(dir, 'nope.yml'), '--port', '70000'], env);
    expect([port.exitCode, port.stderr]).toEqual([2, 'error: --port 70000 is not a whole number from 0 to 65535']);
  });
});

describeDocker('pipe gateway serve in front of a running registry', () => {
  let home: string;
  let invoker: DockerInvoker;
  let registry: Registry;
  let server: RegistryServer;
  let endpoint: string;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'pipe-gateway-cli-registry-'));
    invoker = await createDockerInvoker();
    registry = Registry.open({ invoker, home });
    await registry.createFunction({
      FunctionName: 'items', Role: 'arn:aws:iam::000000000000:role/x', Runtime: 'nodejs18.x', Handler: 'index.handler',
      Code: { ZipFile: readFileSync(makeZip({ 'index.js': 'exports.handler = async (e) => ({ statusCode: 200, body: `${e.httpMethod} ${e.path} ${e.pathParameters.id}` });' })) },
    });
    await registry.waitUntilReady({ FunctionName: 'items' });
    server = new RegistryServer({ registry, host: '127.0.0.1', port: 0 });
    endpoint = await server.listen();
  });
  afterAll(async () => {
    await server?.close();
    registry?.close();
    await invoker?.close();
    if (invoker) expect(await containersOf(invoker.invokerId)).toEqual([]);
    rmSync(home, { recursive: true, force: true });
    removeWorkDir();
  });

  it('answers a route through the function, prints routes and requests as JSON lines, and stops on SIGTERM', async () => {
    const routes = join(dir, 'routes.yml');
    writeFileSync(routes, '- stackName: shop\n  apiId: ServerlessRestApi\n  kind: rest\n  method: GET\n  path: /items/{id}\n  functionName: items\n');
    const gw = startPipe(['gateway', 'serve', '--routes', routes, '--port', '0', '--endpoint', endpoint, '--json'], env);
    const m = await gw.waitForOutput(/"type":"listening","url":"(http:\/\/127\.0\.0\.1:\d+)"/);
    const url = String(m[1]);
    const route = JSON.parse(gw.stdout().split('\n')[0]!) as Record<string, unknown>;
    expect(route).toMatchObject({ type: 'route', stackName: 'shop', apiId: 'ServerlessRestApi', plain: `${url}/items/{id}` });
    expect(route['host']).toMatch(/^http:\/\/[a-z0-9]{10}\.execute-api\.localhost:\d+\/Prod\/items\/\{id\}$/);
    const ok = await fetch(`${url}/items/42`);
    expect([ok.status, await ok.text()]).toEqual([200, 'GET /items/42 42']);
    const none = await fetch(`${url}/nothing`);
    expect([none.status, await none.text()]).toEqual([403, '{"message":"Missing Authentication Token"}']);
    await gw.waitForOutput(/"type":"request".*"target":"\/nothing".*"status":403/);
    expect(gw.stdout()).toMatch(/"type":"request".*"target":"\/items\/42","host":"127\.0\.0\.1:\d+","status":200.*"outcome":"invoked"/);
    gw.kill('SIGTERM');
    const ended = await gw.exited;
    expect(ended.exitCode).toBe(0);
    expect(ended.stdout).toContain('"type":"stopping","cause":"SIGTERM"');
  });
});
