// A small client of the registry's HTTP API (unsigned: the registry accepts any caller): the LambdaApi's HTTP
// adapter and the CLI's --endpoint.
import { request } from 'node:http';
import { PipeError } from '../../core/index.js';
import { REGISTRY_ERRORS, RegistryError } from '../errors.js';
import type { RegistryErrorName } from '../errors.js';
import type { InvokeInput, InvokeOutput } from '../inputs.js';
import type { FunctionConfiguration, LayersListItem } from '../shapes.js';

/** Which region to talk to; absent, the server's default. */
export interface ClientOptions {
  region?: string;
}

export async function call(
  endpoint: string,
  method: string,
  path: string,
  options: ClientOptions,
  init: { body?: Buffer; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers = { ...init.headers, ...regionHeader(options.region) };
  let res: Response;
  try {
    res = await send(new URL(path, endpoint), method, headers, init.body);
  } catch (e) {
    throw unreachable(endpoint, e);
  }
  if (res.status >= 400) throw await errorOf(res);
  return res;
}

/**
 * One request with node:http, answered as a fetch Response. Not fetch itself: its 300-second header timeout would
 * cut off a synchronous invoke of a function allowed 15 minutes; the registry bounds every call itself.
 */
function send(url: URL, method: string, headers: Record<string, string>, body: Buffer | undefined): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: body === undefined ? headers : { ...headers, 'Content-Length': String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const status = res.statusCode ?? 500;
        const answer = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) answer.set(k, Array.isArray(v) ? v.join(', ') : v);
        const bytes = Buffer.concat(chunks);
        resolve(new Response(status === 204 || status === 304 || bytes.length === 0 ? null : bytes, { status, headers: answer }));
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** fetch says only "fetch failed"; its cause says why (ECONNREFUSED: nothing listens there). */
function unreachable(endpoint: string, e: unknown): PipeError {
  const cause = (e as { cause?: NodeJS.ErrnoException }).cause;
  const code = cause?.code ?? (e as NodeJS.ErrnoException).code;
  const why = code === 'ECONNREFUSED' ? 'nothing answers at that address' : `it cannot be reached (${code ?? cause?.message ?? (e as Error).message})`;
  return new PipeError('REGISTRY_UNAVAILABLE', `no registry at ${endpoint}: ${why}`, {
    hint: "start one with 'pipe registry serve', or leave out --endpoint to use this project's registry in-process",
    cause: e,
  });
}

/** The registry reads the region from a SigV4 credential scope and checks no signature, so a scope is all it takes. */
function regionHeader(region: string | undefined): Record<string, string> {
  if (region === undefined) return {};
  return { Authorization: `AWS4-HMAC-SHA256 Credential=pipe/20150331/${region}/lambda/aws4_request, SignedHeaders=host, Signature=unsigned` };
}

/** Response headers AWS sends with some errors, kept on the rebuilt error (Retry-After with throttling). */
const ERROR_HEADERS = ['retry-after'];

/**
 * Rebuilds the RegistryError the server answered, from `x-amzn-ErrorType` and the body: the same name, message,
 * status and extra fields (`Reason`, ...) the in-process Registry throws.
 */
async function errorOf(res: Response): Promise<RegistryError> {
  const type = res.headers.get('x-amzn-errortype') ?? 'ServiceException';
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  const name: RegistryErrorName = Object.hasOwn(REGISTRY_ERRORS, type) ? (type as RegistryErrorName) : 'ServiceException';
  const message = typeof body['message'] === 'string' ? body['message'] : typeof body['Message'] === 'string' ? body['Message'] : `HTTP ${res.status}`;
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (k !== 'Type' && k !== 'message' && k !== 'Message' && typeof v === 'string') fields[k] = v;
  const headers: Record<string, string> = {};
  for (const h of ERROR_HEADERS) {
    const v = res.headers.get(h);
    if (v !== null) headers[h === 'retry-after' ? 'Retry-After' : h] = v;
  }
  return new RegistryError(name, message, { fields, headers });
}

export async function invokeOverHttp(endpoint: string, input: InvokeInput, options: ClientOptions = {}): Promise<InvokeOutput> {
  const query = input.Qualifier === undefined ? '' : `?Qualifier=${encodeURIComponent(input.Qualifier)}`;
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (input.InvocationType !== undefined) headers['X-Amz-Invocation-Type'] = input.InvocationType;
  if (input.LogType !== undefined) headers['X-Amz-Log-Type'] = input.LogType;
  if (input.ClientContext !== undefined) headers['X-Amz-Client-Context'] = input.ClientContext;
  const path = `/2015-03-31/functions/${encodeURIComponent(input.FunctionName)}/invocations${query}`;
  const res = await call(endpoint, 'POST', path, options, { body: input.Payload ?? Buffer.alloc(0), headers });
  const out: InvokeOutput = {
    StatusCode: res.status as InvokeOutput['StatusCode'],
    Payload: Buffer.from(await res.arrayBuffer()),
    RequestId: res.headers.get('x-amzn-requestid') ?? '',
  };
  const functionError = res.headers.get('x-amz-function-error');
  if (functionError === 'Handled' || functionError === 'Unhandled') out.FunctionError = functionError;
  const executed = res.headers.get('x-amz-executed-version');
  if (executed !== null) out.ExecutedVersion = executed;
  const log = res.headers.get('x-amz-log-result');
  if (log !== null) out.LogResult = log;
  return out;
}

export async function listFunctionsOverHttp(endpoint: string, options: ClientOptions = {}): Promise<FunctionConfiguration[]> {
  return collectPages<FunctionConfiguration>(endpoint, '/2015-03-31/functions', 'Functions', options);
}

export async function listLayersOverHttp(endpoint: string, options: ClientOptions = {}): Promise<LayersListItem[]> {
  return collectPages<LayersListItem>(endpoint, '/2018-10-31/layers', 'Layers', options);
}

async function collectPages<T>(endpoint: string, path: string, key: string, options: ClientOptions): Promise<T[]> {
  const all: T[] = [];
  let marker: string | undefined;
  do {
    const res = await call(endpoint, 'GET', marker === undefined ? path : `${path}?Marker=${encodeURIComponent(marker)}`, options);
    const page = (await res.json()) as Record<string, unknown>;
    all.push(...((page[key] as T[] | undefined) ?? []));
    marker = typeof page['NextMarker'] === 'string' ? page['NextMarker'] : undefined;
  } while (marker !== undefined);
  return all;
}
