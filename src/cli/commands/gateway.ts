// `pipe gateway serve`: the local API Gateway alone, in front of the registry's functions, from a route list
// (`pipe serve --gateway-port` serves the routes of deployed stacks).
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { PipeError } from '../../core/index.js';
import type { GatewayRoute } from '../../core/index.js';
import { gatewayUrlsOf, readGatewayRoutes, shadowingRoutes, startGateway } from '../../gateway/index.js';
import type { GatewayRequestLog } from '../../gateway/index.js';
import { Registry, createDockerInvoker, invokeOverHttp } from '../../registry/index.js';
import type { LambdaApi } from '../../registry/index.js';
import { isProcessAlive } from '../../infra/index.js';
import { onStop, watchParent } from '../stop-signals.js';
import type { StopCause } from '../stop-signals.js';
import type { Output } from '../output.js';

interface GatewayServeOptions {
  routes: string;
  host: string;
  port: string;
  endpoint?: string;
  timeout?: string;
  json?: boolean;
}

export function registerGatewayCommands(program: Command, out: Output): void {
  const gateway = program.command('gateway').description('The local API Gateway: HTTP requests to functions as API Gateway proxy events');
  gateway
    .command('serve')
    .description('Serve a route list in front of the registry\'s functions (exit 2 on a bad route file)')
    .requiredOption('--routes <file>', 'the routes, YAML or JSON: a list of {stackName, apiId, kind, method, path, functionName, ...}')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on', '3000')
    .option('--endpoint <url>', 'a running `pipe registry serve` to invoke through (default: in-process, state in PIPE_HOME)')
    .option('--timeout <ms>', 'integration timeout of REST and HTTP APIs (default 29000 and 30000)')
    .option('--json', 'print events as JSON lines')
    .action((o: GatewayServeOptions) => serve(out, o));
}

function parseNumber(flag: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new PipeError('INVALID_ARGUMENT', `${flag} ${raw} is not a whole number from ${min} to ${max}`);
  return n;
}

async function readRoutes(file: string): Promise<GatewayRoute[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new PipeError('INVALID_ARGUMENT', `cannot read the route file ${file}: ${(e as Error).message}`);
  }
  return readGatewayRoutes(text, file);
}

async function openLambda(endpoint: string | undefined): Promise<{ lambda: Pick<LambdaApi, 'invoke'>; close(): Promise<void> }> {
  if (endpoint !== undefined) return { lambda: { invoke: (input) => invokeOverHttp(endpoint, input) }, close: async () => {} };
  const invoker = await createDockerInvoker();
  const registry = Registry.open({ invoker });
  return {
    lambda: registry,
    async close() {
      registry.close();
      await invoker.close();
    },
  };
}

function requestLine(l: GatewayRequestLog): string {
  const to = l.route ? ` -> ${l.route.functionName}${l.route.qualifier ? `:${l.route.qualifier}` : ''}` : '';
  const why = l.reason ? ` (${l.reason})` : '';
  return `${l.method} ${l.target} ${l.status} ${l.durationMs} ms ${l.outcome}${to}${why}`;
}

async function serve(out: Output, o: GatewayServeOptions): Promise<void> {
  const port = parseNumber('--port', o.port, 0, 65535);
  const timeoutMs = o.timeout === undefined ? undefined : parseNumber('--timeout', o.timeout, 50, 900_000);
  const routes = await readRoutes(o.routes);
  const say = (event: Record<string, unknown>, text: string) =>
    o.json ? out.stdout(`${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`) : out.stderr(`${text}\n`);
  const { lambda, close } = await openLambda(o.endpoint);
  let gateway;
  try {
    gateway = await startGateway({
      host: o.host, port, routes: () => routes, lambda, ...(timeoutMs === undefined ? {} : { timeoutMs }),
      onRequest: (l) => say({ type: 'request', ...l, route: l.route ? `${l.route.stackName}/${l.route.apiId} ${l.route.method} ${l.route.path}` : undefined }, requestLine(l)),
    });
  } catch (e) {
    await close();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new PipeError('INVALID_ARGUMENT', `cannot listen on ${o.host}:${port}: the port is in use`, { hint: 'pick another --port', cause: e });
    throw e;
  }
  const stopped = new Promise<StopCause>((resolve) => {
    const release = onStop((c) => {
      release();
      resolve(c);
    });
    watchParent(isProcessAlive);
  });
  const shadowing = shadowingRoutes(routes);
  routes.forEach((r, i) => {
    const urls = gatewayUrlsOf(r, gateway.url);
    const name = r.kind === 'function-url' ? `${r.stackName}/${r.apiId} function URL` : `${r.stackName}/${r.apiId} ${r.method} ${r.path}`;
    const by = shadowing[i];
    if (by === undefined) {
      say({ type: 'route', stackName: r.stackName, apiId: r.apiId, kind: r.kind, method: r.method, path: r.path, ...urls }, `${name}: ${urls.plain} (${urls.host})`);
    } else {
      const other = `${by.stackName}/${by.apiId}`;
      say({ type: 'route', stackName: r.stackName, apiId: r.apiId, kind: r.kind, method: r.method, path: r.path, host: urls.host, shadowedBy: other }, `${name}: ${urls.host} (${other} answers ${urls.plain})`);
    }
  });
  say({ type: 'listening', url: gateway.url, pid: process.pid }, `gateway listening on ${gateway.url}`);
  const cause = await stopped;
  say({ type: 'stopping', cause }, `gateway stopping (${cause})`);
  await gateway.close();
  await close();
}
