// `pipe registry serve`, `pipe invoke`, `pipe functions`, `pipe layers`: the registry (local Lambda) from the terminal.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { openLambdaApi, settleDeploysOf } from '../../app/index.js';
import { PipeError } from '../../core/index.js';
import { pipeHome } from '../../infra/index.js';
import type { FunctionConfiguration, LambdaApi, LayersListItem } from '../../registry/index.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';
import { runServer } from './serve.js';
import type { ServerFlags } from './serve.js';

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
    .description('Serve the Lambda API (use any AWS client with --endpoint-url http://HOST:PORT), with the dashboard on the same port')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on', '9001')
    .option('--image <runtime=image>', 'the image of a runtime\'s environments, e.g. python3.12=my/python:3.12 (repeatable; default pipe/standard:1)', (v: string, p: string[]) => [...p, v], [])
    .option('--concurrency <n>', 'concurrent environments per function without reserved concurrency', '10')
    .option('--idle-timeout <seconds>', 'stop an environment idle this long', '600')
    .option('--token <token>', 'the token the dashboard on the same port requires (needed to listen beyond loopback)')
    .option('--json', 'print events as JSON lines')
    .action((o: ServerFlags) => runServer(out, o, 'registry'));

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

/** The --endpoint given, else the server serving PIPE_HOME (recovered first), else the registry in-process (Docker only to invoke). */
async function withLambdaApi<T>(o: EndpointOptions, fn: (api: LambdaApi) => Promise<T>): Promise<T> {
  // This PIPE_HOME's registry: stacks and deployments a killed deploy left are made consistent first.
  if (o.endpoint === undefined) await settleDeploysOf(pipeHome());
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
