// The Lambda-compatible HTTP server (node:http): routes requests to the Registry, turns every error into AWS's shape.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RegistryError, isRegistryError } from '../errors.js';
import { LIMITS } from '../limits.js';
import type { Registry } from '../registry.js';
import { readBody, regionOf } from './request.js';
import type { ApiRequest, ApiResponse } from './request.js';
import { matchRoute } from './routes.js';

export interface RegistryServerOptions {
  registry: Registry;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Called with unexpected errors (answered as 500 ServiceException); the CLI logs them. */
  onError?: (error: unknown, operation: string) => void;
}

export class RegistryServer {
  private readonly server: Server;
  private readonly registry: Registry;
  private readonly onError: ((error: unknown, operation: string) => void) | undefined;

  constructor(private readonly options: RegistryServerOptions) {
    this.registry = options.registry;
    this.onError = options.onError;
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 30_000;
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 9001, this.options.host ?? '127.0.0.1', () => resolve());
    });
    return this.url;
  }

  get url(): string {
    const a = this.server.address() as AddressInfo | null;
    if (!a) throw new Error('the registry server is not listening');
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return `http://${host}:${a.port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    let operation = 'Unknown';
    try {
      const url = new URL(req.url ?? '/', 'http://registry');
      const match = matchRoute(req.method ?? 'GET', url.pathname);
      if (!match) {
        req.resume();
        throw new RegistryError('UnknownOperationException', `Unknown operation ${req.method ?? ''} ${url.pathname}`);
      }
      operation = match.route.operation;
      const limit = match.route.maxBody ?? LIMITS.createFunctionRequest;
      const read = await readBody(req, limit);
      if (read.tooLarge) {
        throw new RegistryError('RequestEntityTooLargeException', `Request must be smaller than ${limit} bytes for the ${match.route.limitName ?? operation} operation`);
      }
      const region = regionOf(header(req, 'authorization'));
      const apiRequest: ApiRequest = {
        operation,
        params: match.params,
        query: url.searchParams,
        headers: req.headers,
        body: read.body,
        scope: region === undefined ? {} : { region },
        host: req.headers.host ?? 'localhost',
      };
      send(res, requestId, await match.route.handle(this.registry, apiRequest));
    } catch (e) {
      // A client that went away mid-request (an upload cut off) is nobody's failure and has no one to answer.
      if (req.destroyed && !req.complete) return;
      send(res, requestId, this.toErrorResponse(e, operation));
    }
  }

  private toErrorResponse(e: unknown, operation: string): ApiResponse {
    const error = isRegistryError(e) ? e : asServiceError(e);
    if (!isRegistryError(e) && !(e instanceof URIError)) this.onError?.(e, operation);
    return { status: error.status, json: error.toBody(), headers: { 'x-amzn-ErrorType': error.errorName, ...error.headers } };
  }
}

/** A bad percent-escape is the caller's fault; anything else unexpected is ours. */
function asServiceError(e: unknown): RegistryError {
  if (e instanceof URIError) return new RegistryError('InvalidParameterValueException', `Malformed percent-encoding in the request path: ${e.message}`);
  return new RegistryError('ServiceException', `The registry failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function send(res: ServerResponse, requestId: string, out: ApiResponse): void {
  if (res.headersSent) return;
  const headers: Record<string, string> = { 'x-amzn-RequestId': requestId, ...out.headers };
  let body: Buffer | undefined = out.raw;
  if (body === undefined && out.json !== undefined) {
    body = Buffer.from(JSON.stringify(out.json));
    headers['Content-Type'] = 'application/json';
  }
  headers['Content-Length'] = String(body?.length ?? 0);
  res.writeHead(out.status, headers);
  res.end(body);
}
