// `pipe serve`: the dashboard, its JSON API and live events, and on the same port the AWS APIs (Lambda and the
// services of app/aws-services.ts). `pipe registry serve` is the same server, saying what it always said.
import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { awsBuckets, awsServices, openServerRecords } from '../../app/index.js';
import { PipeError } from '../../core/index.js';
import { StackStore, listGatewayRoutes } from '../../deploy/index.js';
import type { GatewayRoute } from '../../core/index.js';
import type { Db } from '../../infra/index.js';
import { gatewayUrlsOf, startGateway } from '../../gateway/index.js';
import type { Gateway, GatewayRequestLog } from '../../gateway/index.js';
import { findWorkspaceRoot, isProcessAlive } from '../../infra/index.js';
import { Registry, createDockerInvoker, removeServerRecord, settledServerRecord, writeServerRecord } from '../../registry/index.js';
import type { Invoker } from '../../registry/index.js';
// The server room (hono, the dashboard) loads when a server starts, not for `pipe --help`, which registers this command.
import type * as ServerRoom from '../../server/index.js';
import { openContext } from './control.js';
import type { Output } from '../output.js';
import { onStop, watchParent } from '../stop-signals.js';
import type { StopCause } from '../stop-signals.js';
import { join } from 'node:path';

export interface ServerFlags {
  host: string;
  port: string;
  image?: string[];
  concurrency?: string;
  idleTimeout?: string;
  token?: string;
  json?: boolean;
}

interface ServeFlags extends ServerFlags {
  gatewayPort?: string;
  open?: boolean;
  pipelines?: string;
}

export function registerServeCommand(program: Command, out: Output): void {
  program
    .command('serve')
    .description('Serve the dashboard (pipelines, executions, functions, live) and, on the same port, the AWS APIs')
    .option('--host <host>', 'address to listen on (beyond loopback only with --token)', '127.0.0.1')
    .option('--port <port>', 'port to listen on', '9001')
    .option('--gateway-port <port>', 'port of the API Gateway in front of deployed functions')
    .option('--open', 'open the dashboard in the default browser')
    .option('--pipelines <dir>', "folder of pipeline files to list (default: the project's pipelines/)")
    .option('--token <token>', 'the token to require (default: one kept in PIPE_HOME/serve-token)')
    .option('--image <runtime=image>', "the image of a runtime's environments (repeatable; default pipe/standard:1)", collect, [])
    .option('--concurrency <n>', 'concurrent environments per function without reserved concurrency', '10')
    .option('--idle-timeout <seconds>', 'stop an environment idle this long', '600')
    .option('--json', 'print events as JSON lines')
    .action((o: ServeFlags) => runServer(out, o, 'serve'));
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** How long a starting server waits for a previous one on the same PIPE_HOME that is on its way out. */
const PREVIOUS_SERVER_GRACE_MS = 2000;

export function parsePort(flag: string, raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new PipeError('INVALID_ARGUMENT', `${flag} ${raw} is not a port number`);
  return port;
}

function parsePositive(flag: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new PipeError('INVALID_ARGUMENT', `${flag} ${raw} is not a whole number of at least 1`);
  return n;
}

function parseImages(pairs: string[]): Record<string, string> {
  const images: Record<string, string> = {};
  for (const pair of pairs) {
    const m = /^([a-z0-9.]+)=(\S+)$/.exec(pair);
    if (!m) throw new PipeError('INVALID_ARGUMENT', `--image ${pair} is not RUNTIME=IMAGE (like python3.12=my/python:3.12)`);
    images[m[1] ?? ''] = m[2] ?? '';
  }
  return images;
}

/** The token to require: the one given, which a host beyond loopback needs; else the one kept in PIPE_HOME. */
function tokenFor(server: typeof ServerRoom, host: string, given: string | undefined, home: string): string {
  const { checkGivenToken, ensureServeToken, isLoopbackHost } = server;
  if (given !== undefined) return checkGivenToken(given);
  if (!isLoopbackHost(host)) {
    throw new PipeError('INVALID_ARGUMENT', `listening on ${host} reaches beyond this machine: it needs a token of your own (--token)`, {
      hint: 'keep the default --host 127.0.0.1, or give --token with at least 24 random characters',
    });
  }
  return ensureServeToken(home);
}

/**
 * Runs the server until Ctrl-C, SIGTERM, SIGHUP or the parent that started it goes; then stops it and removes every
 * environment. `mode` says which command runs it: their flags and what they print differ, nothing else.
 */
export async function runServer(out: Output, o: ServeFlags, mode: 'serve' | 'registry'): Promise<void> {
  const port = parsePort('--port', o.port);
  const images = parseImages(o.image ?? []);
  const defaultConcurrency = parsePositive('--concurrency', o.concurrency ?? '10');
  const idleTimeoutMs = parsePositive('--idle-timeout', o.idleTimeout ?? '600') * 1000;
  const gatewayPort = o.gatewayPort === undefined ? undefined : parsePort('--gateway-port', o.gatewayPort);
  const serverRoom = await import('../../server/index.js');
  const { InvocationJournal, PipeServer } = serverRoom;
  const ctx = await openContext();
  // One that is stopping (its parent just killed) is given time to go: see settledServerRecord.
  const running = await settledServerRecord(ctx.home, PREVIOUS_SERVER_GRACE_MS);
  if (running) {
    ctx.db.close();
    throw new PipeError('INVALID_ARGUMENT', `a registry already serves this PIPE_HOME at ${running.url} (pid ${running.pid})`, {
      hint: 'use that one (pipe commands on this PIPE_HOME already do), stop it first, or set another PIPE_HOME',
    });
  }
  const token = tokenFor(serverRoom, o.host, o.token, ctx.home);
  const say = (event: Record<string, unknown>, text: string) =>
    o.json ? out.stdout(`${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`) : out.stderr(`${text}\n`);
  // Functions get the server's address as AWS_ENDPOINT_URL; known once it listens (--port 0 picks one).
  let endpointUrl: string | undefined;
  const docker = await createDockerInvoker({
    endpointUrl: () => endpointUrl, images, defaultConcurrency, idleTimeoutMs,
    onEnvironment: (e) => say({ ...e }, e.type === 'environment-started'
      ? `environment started for ${e.functionArn}:${e.version} (${e.runtime}) in ${e.durationMs} ms${e.containerId ? `, container ${e.containerId.slice(0, 12)}` : ''}`
      : `environment stopped for ${e.functionArn}:${e.version}${e.containerId ? `, container ${e.containerId.slice(0, 12)}` : ''}`),
  });
  const journal = new InvocationJournal(ctx.home);
  const invoker = loggingInvoker(journal.wrap(docker), say);
  const registry = Registry.open({
    invoker,
    home: ctx.home,
    onEventOutcome: (e) => say({ type: 'event-invocation', ...e }, `event invocation of ${e.functionArn}:${e.version} ${e.status} after ${e.attempts} attempt(s)${e.error ? `: ${e.error}` : ''}`),
  });
  // The signed calls it cannot serve are counted by access key: a build reports its own at its end.
  const records = openServerRecords(ctx.home);
  const server = new PipeServer({
    ctx, registry, journal, token, host: o.host, port,
    pipelinesDir: o.pipelines ?? join(findWorkspaceRoot(), 'pipelines'),
    services: awsServices({ home: ctx.home, registry, cipher: ctx.cipher }),
    buckets: awsBuckets({ home: ctx.home, registry }),
    onUnserved: records.onUnserved,
    onError: (e, op) => say({ type: 'error', operation: op, message: String(e) }, `error in ${op}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`),
  });
  let url: string;
  try {
    url = await server.listen();
  } catch (e) {
    registry.close();
    await invoker.close();
    records.close();
    ctx.db.close();
    throw listenError(e, o.host, port);
  }
  endpointUrl = reachableUrl(url);
  // The API Gateway beside the dashboard: the deployed stacks' routes, read from the store on every request.
  let gateway: Gateway | undefined;
  if (mode === 'serve' && gatewayPort !== undefined) {
    try {
      gateway = await startGateway({
        host: o.host, port: gatewayPort, routes: deployedRoutes(ctx.db), lambda: registry,
        onRequest: (l) => say({ type: 'request', ...l, route: l.route ? `${l.route.stackName}/${l.route.apiId} ${l.route.method} ${l.route.path}` : undefined, functionName: l.route?.functionName, qualifier: l.route?.qualifier }, gatewayLine(l)),
      });
    } catch (e) {
      await server.close();
      registry.close();
      await invoker.close();
      ctx.db.close();
      throw listenError(e, o.host, gatewayPort, '--gateway-port');
    }
  }
  const gatewayUrl = gateway ? reachableUrl(gateway.url) : undefined;
  // Deploys in this process (and, through the record, in every other one on this PIPE_HOME) name this gateway.
  if (gatewayUrl !== undefined && process.env['PIPE_GATEWAY_URL'] === undefined) process.env['PIPE_GATEWAY_URL'] = gatewayUrl;
  // Every other pipe process on this PIPE_HOME now goes through this server (app/lambda-api.ts).
  writeServerRecord(ctx.home, { url: endpointUrl, pid: process.pid, startedAt: new Date().toISOString(), ...(gatewayUrl ? { gatewayUrl } : {}) });
  const stopped = new Promise<StopCause>((resolve) => {
    const release = onStop((c) => {
      release();
      resolve(c);
    });
    watchParent(isProcessAlive);
  });
  if (mode === 'registry') {
    say({ type: 'listening', url, pid: process.pid, dashboard: server.loginUrl }, `registry listening on ${url} (aws lambda ... --endpoint-url ${url})\ndashboard on ${server.loginUrl}`);
  } else {
    say({ type: 'listening', url, pid: process.pid, dashboard: server.loginUrl }, `dashboard on ${server.loginUrl}\nAWS APIs on ${url} (aws lambda ... --endpoint-url ${url})`);
    if (gateway) {
      const routes = listGatewayRoutes(ctx.db);
      say({ type: 'gateway-listening', url: gateway.url, routes: routes.length }, `API Gateway on ${gateway.url} (${routes.length} route(s) of deployed stacks)`);
      for (const r of routes) {
        const name = r.kind === 'function-url' ? `${r.stackName}/${r.apiId} function URL` : `${r.stackName}/${r.apiId} ${r.method} ${r.path}`;
        say({ type: 'route', stackName: r.stackName, apiId: r.apiId, kind: r.kind, method: r.method, path: r.path, ...gatewayUrlsOf(r, gateway.url) }, `  ${name}: ${gatewayUrlsOf(r, gateway.url).plain}`);
      }
    }
    if (o.open) openBrowser(server.loginUrl, say);
  }
  const cause = await stopped;
  say({ type: 'stopping', cause }, `${mode === 'registry' ? 'registry' : 'server'} stopping (${cause})`);
  // The ports close in the same tick as the record goes: a server started at once after this one can take them.
  const closing = Promise.all([gateway?.close(), server.close()]);
  removeServerRecord(ctx.home);
  await closing;
  registry.close();
  await invoker.close();
  records.close();
  ctx.db.close();
}

function openBrowser(url: string, say: (event: Record<string, unknown>, text: string) => void): void {
  const child = spawn(process.platform === 'darwin' ? 'open' : 'xdg-open', [url], { stdio: 'ignore', detached: true });
  child.on('error', (e) => say({ type: 'warning', message: `cannot open a browser: ${e.message}` }, `warning: cannot open a browser (${e.message}); open the URL above`));
  child.unref();
}

/**
 * The deployed stacks' routes, read at every request (a deploy in any process changes them), as the same array while
 * they stay the same: the gateway then keeps its compiled route table. One store, so no migration check per request.
 */
function deployedRoutes(db: Db): () => readonly GatewayRoute[] {
  const stacks = new StackStore(db);
  let last: { key: string; routes: GatewayRoute[] } | undefined;
  return () => {
    const routes = stacks.routes();
    const key = JSON.stringify(routes);
    if (key !== last?.key) last = { key, routes };
    return last.routes;
  };
}

/** One gateway request: method, target, status, duration, outcome and the function it went to. */
function gatewayLine(l: GatewayRequestLog): string {
  const to = l.route ? ` -> ${l.route.functionName}${l.route.qualifier ? `:${l.route.qualifier}` : ''}` : '';
  return `gateway ${l.method} ${l.target} ${l.status} ${l.durationMs} ms ${l.outcome}${to}${l.reason ? ` (${l.reason})` : ''}`;
}

/** Every synchronous invocation, logged as it ends: function, version, request id, duration and how it went. */
function loggingInvoker(inner: Invoker, say: (event: Record<string, unknown>, text: string) => void): Invoker {
  return {
    ...(inner.runtimeSupport ? { runtimeSupport: (runtime: string) => inner.runtimeSupport?.(runtime) ?? { supported: true as const } } : {}),
    async invoke(request) {
      const started = performance.now();
      const base = { type: 'invocation', functionArn: request.target.functionArn, version: request.target.version, requestId: request.requestId };
      try {
        const r = await inner.invoke(request);
        const durationMs = Math.round(performance.now() - started);
        const status = r.functionError ? `FunctionError ${r.functionError}` : 'ok';
        say({ ...base, durationMs, status }, `invoke ${request.target.functionArn}:${request.target.version} ${request.requestId} ${durationMs} ms ${status}`);
        return r;
      } catch (e) {
        const durationMs = Math.round(performance.now() - started);
        const status = e instanceof Error && 'name' in e ? e.name : 'error';
        say({ ...base, durationMs, status, message: e instanceof Error ? e.message : String(e) }, `invoke ${request.target.functionArn}:${request.target.version} ${request.requestId} ${durationMs} ms ${status}`);
        throw e;
      }
    },
    retire: (functionArn, version) => inner.retire(functionArn, version),
    close: () => inner.close(),
  };
}

/** Environments share the host's network: a server listening on every address is reached on loopback. */
function reachableUrl(url: string): string {
  const u = new URL(url);
  if (u.hostname === '0.0.0.0' || u.hostname === '[::]') u.hostname = '127.0.0.1';
  return u.origin;
}

/** A port in use or a host that is not this machine's is the caller's to fix: exit 2 with what to do. */
function listenError(e: unknown, host: string, port: number, flag = '--port'): PipeError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new PipeError('INVALID_ARGUMENT', `cannot listen on ${host}:${port}: the port is in use`, {
      hint: `another \`pipe serve\`, \`pipe registry serve\` or gateway may be running there; pick another ${flag}`,
      cause: e,
    });
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EACCES') {
    return new PipeError('INVALID_ARGUMENT', `cannot listen on ${host}:${port} (${code})`, { hint: 'use --host 127.0.0.1, and a --port above 1023', cause: e });
  }
  return new PipeError('INTERNAL', `cannot listen on ${host}:${port}: ${(e as Error).message}`, { cause: e });
}
