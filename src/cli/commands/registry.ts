// `pipe registry serve`, `pipe invoke`, `pipe functions`, `pipe layers`: the registry (local Lambda) from the terminal.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { awsBuckets, awsServices, openLambdaApi } from '../../app/index.js';
import { PipeError } from '../../core/index.js';
import { pipeHome } from '../../infra/index.js';
import { Registry, RegistryServer, liveServerRecord, removeServerRecord, writeServerRecord } from '../../registry/index.js';
import type { FunctionConfiguration, Invoker, LambdaApi, LayersListItem } from '../../registry/index.js';
import { createDockerInvoker } from '../../registry/index.js';
import { EXIT } from '../exit-codes.js';
import { onStop, watchParent } from '../stop-signals.js';
import type { StopCause } from '../stop-signals.js';
import type { Output } from '../output.js';

interface EndpointOptions {
  endpoint?: string;
  region?: string;
  json?: boolean;
}

const REGION_HELP = 'the region (default: AWS_REGION, then AWS_DEFAULT_REGION, as the AWS CLI; else us-east-1)';

/** The region a command works in, found as the AWS CLI finds it, so `aws lambda` and `pipe` see the same functions. */
function regionOf(o: EndpointOptions): string | undefined {
  const region = o.region ?? (process.env['AWS_REGION'] || undefined) ?? (process.env['AWS_DEFAULT_REGION'] || undefined);
  if (region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new PipeError('INVALID_ARGUMENT', `${region} is not a region name (like us-east-1)`);
  }
  return region;
}

function clientOptions(o: EndpointOptions): { region?: string } {
  const region = regionOf(o);
  return region === undefined ? {} : { region };
}

export function registerRegistryCommands(program: Command, out: Output): void {
  const registry = program.command('registry').description('The registry: a local AWS Lambda (control plane, invoke, HTTP API)');
  registry
    .command('serve')
    .description('Serve the Lambda API (use any AWS client with --endpoint-url http://HOST:PORT)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on', '9001')
    .option('--image <runtime=image>', 'the image of a runtime\'s environments, e.g. python3.12=my/python:3.12 (repeatable; default pipe/standard:1)', collect, [])
    .option('--concurrency <n>', 'concurrent environments per function without reserved concurrency', '10')
    .option('--idle-timeout <seconds>', 'stop an environment idle this long', '600')
    .option('--json', 'print events as JSON lines')
    .action((o: ServeOptions) => serve(out, o));

  program
    .command('invoke <function>')
    .description('Invoke a function: NAME, NAME:QUALIFIER or an ARN (exit 1 on a function error)')
    .option('--payload <json>', 'the event, as JSON text or @file', '{}')
    .option('--tail', 'print the last 4 KB of the invocation log to stderr')
    .option('--endpoint <url>', 'a running `pipe registry serve` (default: the one serving PIPE_HOME, else in-process)')
    .option('--region <region>', REGION_HELP)
    .option('--json', 'print the result as JSON')
    .action((fn: string, o: EndpointOptions & { payload: string; tail?: boolean }) => invoke(out, fn, o));

  program
    .command('functions')
    .description('List the registry\'s functions')
    .option('--endpoint <url>', 'a running `pipe registry serve` (default: the one serving PIPE_HOME, else in-process)')
    .option('--region <region>', REGION_HELP)
    .option('--json', 'print JSON')
    .action((o: EndpointOptions) => listFunctions(out, o));

  program
    .command('layers')
    .description('List the registry\'s layers (latest version of each)')
    .option('--endpoint <url>', 'a running `pipe registry serve` (default: the one serving PIPE_HOME, else in-process)')
    .option('--region <region>', REGION_HELP)
    .option('--json', 'print JSON')
    .action((o: EndpointOptions) => listLayers(out, o));
}

function parsePort(raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new PipeError('INVALID_ARGUMENT', `--port ${raw} is not a port number`);
  return port;
}

interface ServeOptions {
  host: string;
  port: string;
  image: string[];
  concurrency: string;
  idleTimeout: string;
  json?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
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

function parsePositive(flag: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new PipeError('INVALID_ARGUMENT', `${flag} ${raw} is not a whole number of at least 1`);
  return n;
}

async function serve(out: Output, o: ServeOptions): Promise<void> {
  const port = parsePort(o.port);
  const images = parseImages(o.image);
  const defaultConcurrency = parsePositive('--concurrency', o.concurrency);
  const idleTimeoutMs = parsePositive('--idle-timeout', o.idleTimeout) * 1000;
  const home = pipeHome();
  const running = liveServerRecord(home);
  if (running) {
    throw new PipeError('INVALID_ARGUMENT', `a registry already serves this PIPE_HOME at ${running.url} (pid ${running.pid})`, {
      hint: 'use that one (pipe commands on this PIPE_HOME already do), stop it first, or set another PIPE_HOME',
    });
  }
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
  const invoker = loggingInvoker(docker, say);
  const registry = Registry.open({
    invoker,
    onEventOutcome: (e) => say({ type: 'event-invocation', ...e }, `event invocation of ${e.functionArn}:${e.version} ${e.status} after ${e.attempts} attempt(s)${e.error ? `: ${e.error}` : ''}`),
  });
  const server = new RegistryServer({
    registry, host: o.host, port, services: awsServices({ home, registry }), buckets: awsBuckets({ home, registry }),
    onError: (e, op) => say({ type: 'error', operation: op, message: String(e) }, `error in ${op}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`),
  });
  let url: string;
  try {
    url = await server.listen();
  } catch (e) {
    registry.close();
    await invoker.close();
    throw listenError(e, o.host, port);
  }
  endpointUrl = reachableUrl(url);
  // Every other pipe process on this PIPE_HOME now goes through this server (app/lambda-api.ts).
  writeServerRecord(home, { url: endpointUrl, pid: process.pid, startedAt: new Date().toISOString() });
  // Ctrl-C, SIGTERM, SIGHUP, or the parent that started it gone (`npx pipe registry serve &` then `kill $!`
  // kills npx's wrapper only): stop, and remove every environment. Listened for before 'listening' is said, so a
  // signal sent as soon as it is read is not missed.
  const stopped = new Promise<StopCause>((resolve) => {
    const release = onStop((c) => {
      release();
      resolve(c);
    });
    watchParent();
  });
  say({ type: 'listening', url, pid: process.pid }, `registry listening on ${url} (aws lambda ... --endpoint-url ${url})`);
  const cause = await stopped;
  say({ type: 'stopping', cause }, `registry stopping (${cause})`);
  removeServerRecord(home);
  await server.close();
  registry.close();
  await invoker.close();
}

/** Every synchronous invocation, logged as it ends: function, version, request id, duration and how it went. */
function loggingInvoker(inner: Invoker, say: (event: Record<string, unknown>, text: string) => void): Invoker {
  return {
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
function listenError(e: unknown, host: string, port: number): PipeError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new PipeError('INVALID_ARGUMENT', `cannot listen on ${host}:${port}: the port is in use`, {
      hint: 'another `pipe registry serve` may be running there; pick another --port',
      cause: e,
    });
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EACCES') {
    return new PipeError('INVALID_ARGUMENT', `cannot listen on ${host}:${port} (${code})`, { hint: 'use --host 127.0.0.1 or 0.0.0.0, and a --port above 1023', cause: e });
  }
  return new PipeError('INTERNAL', `cannot listen on ${host}:${port}: ${(e as Error).message}`, { cause: e });
}

async function readPayload(raw: string): Promise<Buffer> {
  if (!raw.startsWith('@')) return Buffer.from(raw);
  try {
    return await readFile(raw.slice(1));
  } catch (e) {
    throw new PipeError('INVALID_ARGUMENT', `cannot read the payload file ${raw.slice(1)}: ${(e as Error).message}`);
  }
}

async function invoke(out: Output, fn: string, o: EndpointOptions & { payload: string; tail?: boolean }): Promise<void> {
  const input = { FunctionName: fn, Payload: await readPayload(o.payload), LogType: o.tail ? 'Tail' : 'None' };
  const result = await withLambdaApi(o, (api) => api.invoke(input));
  const log = result.LogResult === undefined ? undefined : Buffer.from(result.LogResult, 'base64').toString('utf8');
  if (o.json) {
    out.stdout(`${JSON.stringify({
      StatusCode: result.StatusCode,
      RequestId: result.RequestId,
      ExecutedVersion: result.ExecutedVersion,
      FunctionError: result.FunctionError,
      Log: log,
      Payload: result.Payload?.toString('utf8'),
    })}\n`);
  } else {
    if (log !== undefined) out.stderr(log.endsWith('\n') ? log : `${log}\n`);
    const text = result.Payload?.toString('utf8') ?? '';
    if (text !== '') out.stdout(`${text}\n`);
  }
  if (result.FunctionError !== undefined) out.exitCode = EXIT.failed;
}

async function listFunctions(out: Output, o: EndpointOptions): Promise<void> {
  const functions = await withLambdaApi(o, allFunctions);
  if (o.json) return out.stdout(`${JSON.stringify(functions)}\n`);
  if (functions.length === 0) return out.stderr('no functions\n');
  out.stdout(table(['NAME', 'RUNTIME', 'HANDLER', 'MEMORY', 'TIMEOUT', 'LAST MODIFIED'], functions.map((f: FunctionConfiguration) => [
    f.FunctionName, f.Runtime, f.Handler, `${f.MemorySize} MB`, `${f.Timeout} s`, f.LastModified,
  ])));
}

async function listLayers(out: Output, o: EndpointOptions): Promise<void> {
  const layers = await withLambdaApi(o, allLayers);
  if (o.json) return out.stdout(`${JSON.stringify(layers)}\n`);
  if (layers.length === 0) return out.stderr('no layers\n');
  out.stdout(table(['NAME', 'LATEST VERSION', 'RUNTIMES', 'CREATED'], layers.map((l: LayersListItem) => [
    l.LayerName, String(l.LatestMatchingVersion.Version), (l.LatestMatchingVersion.CompatibleRuntimes ?? []).join(','),
    l.LatestMatchingVersion.CreatedDate,
  ])));
}

/** The --endpoint given, else the server serving PIPE_HOME, else the registry in-process (Docker only to invoke). */
async function withLambdaApi<T>(o: EndpointOptions, fn: (api: LambdaApi) => Promise<T>): Promise<T> {
  const handle = await openLambdaApi({ home: pipeHome(), ...clientOptions(o), ...(o.endpoint === undefined ? {} : { endpoint: o.endpoint }) });
  try {
    return await fn(handle.api);
  } finally {
    await handle.close();
  }
}

async function allFunctions(r: LambdaApi): Promise<FunctionConfiguration[]> {
  const all: FunctionConfiguration[] = [];
  let marker: string | undefined;
  do {
    const page = await r.listFunctions(marker === undefined ? {} : { Marker: marker });
    all.push(...page.Functions);
    marker = page.NextMarker;
  } while (marker !== undefined);
  return all;
}

async function allLayers(r: LambdaApi): Promise<LayersListItem[]> {
  const all: LayersListItem[] = [];
  let marker: string | undefined;
  do {
    const page = await r.listLayers(marker === undefined ? {} : { Marker: marker });
    all.push(...page.Layers);
    marker = page.NextMarker;
  } while (marker !== undefined);
  return all;
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return `${[line(head), ...rows.map(line)].join('\n')}\n`;
}
