// The Lambda-compatible HTTP server (node:http): routes requests to the Registry, turns every error into AWS's shape.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { RegistryError, isRegistryError } from '../errors.js';
import { LIMITS } from '../limits.js';
import type { Registry } from '../registry.js';
import type { AwsService, ObjectBucketService } from '../../core/index.js';
import { AWS_CALL_BODY_LIMIT, dispatchAwsCall, matchAwsService } from './aws-protocols.js';
import { OBJECT_BODY_LIMIT, handleObjectRequest, matchObjectRequest } from './s3-objects.js';
import { jsonBody, readBody, regionOf } from './request.js';
import type { ApiRequest, ApiResponse } from './request.js';
import { matchRoute } from './routes.js';
import { describeUnserved } from './unserved.js';
import type { UnservedListener } from './unserved.js';
import { hasJsonBody, modelOperation, validateBody } from './validate-input.js';

/** Longest request target and largest header section answered normally; past them, 414 and 431. */
export const URL_LIMIT = 16 * 1024;
export const HEADERS_LIMIT = 16 * 1024;
/** What node's parser reads before it gives up (then the clientError handler answers from the raw bytes). */
const PARSER_HEADER_LIMIT = 256 * 1024;

export interface RegistryServerOptions {
  registry: Registry;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** AWS APIs served on the same port beside Lambda's (JSON by X-Amz-Target, query by Action). */
  services?: readonly AwsService[];
  /** Told of every signed AWS call answered as an unknown operation (a build's parity report lists them). */
  onUnserved?: UnservedListener;
  /** Path-style S3 buckets served on the same port (GetObject / PutObject). */
  buckets?: readonly ObjectBucketService[];
  /** Called with unexpected errors (answered as 500 ServiceException); the CLI logs them. */
  onError?: (error: unknown, operation: string) => void;
}

/** A node request listener: what `RegistryServer.handler` is, and what another server mounts to answer the AWS APIs. */
export type NodeRequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A node HTTP server with the registry's limits: request lines and header sections past URL_LIMIT / HEADERS_LIMIT
 * answered 414 / 431 in AWS's shape, malformed requests 400; `listener` answers everything else.
 */
export function createAwsHttpServer(listener: NodeRequestListener): Server {
  const server = createServer({ maxHeaderSize: PARSER_HEADER_LIMIT }, listener);
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket: Socket) => watchRequestLine(socket));
  server.on('clientError', (e: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket) => answerClientError(e, socket));
  return server;
}

/** The `http://host:port` a listening server is reached at. */
export function listeningUrl(server: Server): string {
  const a = server.address() as AddressInfo | null;
  if (!a) throw new Error('the server is not listening');
  const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return `http://${host}:${a.port}`;
}

/** Answers requests to the AWS APIs (Lambda REST, and the JSON / query services): what another server mounts. */
export function createRegistryHandler(options: Pick<RegistryServerOptions, 'registry' | 'services' | 'buckets' | 'onUnserved' | 'onError'>): NodeRequestListener {
  const handler = new RegistryRequestHandler(options.registry, options.services ?? [], options.buckets ?? [], options.onError, options.onUnserved);
  return (req, res) => void handler.handle(req, res);
}

export class RegistryServer {
  private readonly server: Server;
  /** Answers one request to the AWS APIs: mountable in another server. */
  readonly handler: NodeRequestListener;

  constructor(private readonly options: RegistryServerOptions) {
    this.handler = createRegistryHandler(options);
    this.server = createAwsHttpServer(this.handler);
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 9001, this.options.host ?? '127.0.0.1', () => resolve());
    });
    return this.url;
  }

  get url(): string {
    return listeningUrl(this.server);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

class RegistryRequestHandler {
  constructor(
    private readonly registry: Registry,
    private readonly services: readonly AwsService[],
    private readonly buckets: readonly ObjectBucketService[],
    private readonly onError: ((error: unknown, operation: string) => void) | undefined,
    private readonly onUnserved: UnservedListener | undefined,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    let operation = 'Unknown';
    try {
      checkHeaderSizes(req);
      const url = new URL(req.url ?? '/', 'http://registry');
      const aws = matchAwsService(req, url.pathname, this.services);
      if (aws) {
        operation = aws.operation ?? aws.service.signingName;
        const read = await readBody(req, AWS_CALL_BODY_LIMIT);
        if (read.tooLarge) throw new RegistryError('RequestEntityTooLargeException', `Request must be smaller than ${AWS_CALL_BODY_LIMIT} bytes`);
        const region = regionOf(header(req, 'authorization')) ?? this.registry.defaultRegion;
        const onUnknown = (op: string) => this.noteUnserved(req, url, undefined, op);
        send(res, requestId, await dispatchAwsCall(aws, read.body, { region, host: req.headers.host ?? 'localhost', requestId }, onUnknown));
        return;
      }
      const object = matchObjectRequest(req.method ?? 'GET', url.pathname, this.buckets);
      if (object) {
        operation = req.method === 'PUT' ? 'PutObject' : 'GetObject';
        const read = await readBody(req, OBJECT_BODY_LIMIT);
        if (read.tooLarge) throw new RegistryError('RequestEntityTooLargeException', `Request must be smaller than ${OBJECT_BODY_LIMIT} bytes`);
        send(res, requestId, await handleObjectRequest(req, object, read.body, requestId));
        return;
      }
      const match = matchRoute(req.method ?? 'GET', url.pathname);
      if (!match) {
        // A query call's operation is in its form body; any other body is dropped.
        const form = (header(req, 'content-type') ?? '').startsWith('application/x-www-form-urlencoded');
        const body = form ? (await readBody(req, AWS_CALL_BODY_LIMIT)).body : (req.resume(), undefined);
        this.noteUnserved(req, url, body);
        throw new RegistryError('UnknownOperationException', `Unknown operation ${req.method ?? ''} ${url.pathname}`);
      }
      operation = match.route.operation;
      const limit = match.route.maxBody ?? LIMITS.createFunctionRequest;
      const read = await readBody(req, limit);
      if (read.tooLarge) {
        throw new RegistryError('RequestEntityTooLargeException', `Request must be smaller than ${limit} bytes for the ${match.route.limitName ?? operation} operation`);
      }
      const modelOp = modelOperation(operation, url.searchParams);
      let json: Record<string, unknown> | undefined;
      if (hasJsonBody(modelOp)) {
        json = jsonBody({ body: read.body });
        validateBody(modelOp, json);
      }
      const region = regionOf(header(req, 'authorization'));
      const apiRequest: ApiRequest = {
        operation,
        params: match.params,
        query: url.searchParams,
        headers: req.headers,
        body: read.body,
        ...(json === undefined ? {} : { json }),
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

  private noteUnserved(req: IncomingMessage, url: URL, body: Buffer | undefined, operation?: string): void {
    if (!this.onUnserved) return;
    const call = describeUnserved(req, url, body);
    if (call) this.onUnserved(operation === undefined ? call : { ...call, operation });
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

/** 414 for a request target past URL_LIMIT, 431 for a header section past HEADERS_LIMIT. */
function checkHeaderSizes(req: IncomingMessage): void {
  const target = req.url ?? '';
  if (target.length > URL_LIMIT) {
    req.resume();
    throw new RegistryError('URITooLong', `The request URI is ${target.length} bytes long; the limit is ${URL_LIMIT} bytes`);
  }
  const size = req.rawHeaders.reduce((n, h) => n + Buffer.byteLength(h) + 2, 0);
  if (size > HEADERS_LIMIT) {
    req.resume();
    throw new RegistryError('RequestHeaderFieldsTooLarge', `The request headers are ${size} bytes; the limit is ${HEADERS_LIMIT} bytes`);
  }
}

/** Connections whose first request line ran past URL_LIMIT: node's parser says only "header overflow" for both. */
const longRequestLine = new WeakSet<Socket>();

function watchRequestLine(socket: Socket): void {
  let seen = 0;
  const onData = (chunk: Buffer): void => {
    const end = chunk.indexOf('\r\n');
    if (end !== -1 || seen + chunk.length > URL_LIMIT) {
      if (end === -1 || seen + end > URL_LIMIT) longRequestLine.add(socket);
      socket.off('data', onData);
    }
    seen += chunk.length;
  };
  socket.on('data', onData);
}

/**
 * A request node's parser refused (headers past PARSER_HEADER_LIMIT, bad syntax): answered in AWS's error shape,
 * then the rest of what the client sends is read and dropped before the connection closes, so the client reads
 * the answer instead of a reset.
 */
function answerClientError(e: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket): void {
  if (!socket.writable || e.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  let error: RegistryError;
  if (e.code === 'HPE_HEADER_OVERFLOW') {
    error = longRequestLine.has(socket)
      ? new RegistryError('URITooLong', `The request URI is longer than the limit of ${URL_LIMIT} bytes`)
      : new RegistryError('RequestHeaderFieldsTooLarge', `The request headers are larger than the limit of ${HEADERS_LIMIT} bytes`);
  } else {
    error = new RegistryError('InvalidRequestContentException', `Malformed HTTP request (${e.code ?? 'parse error'})`);
  }
  const body = Buffer.from(JSON.stringify(error.toBody()));
  const head = [
    `HTTP/1.1 ${error.status} ${error.status === 414 ? 'URI Too Long' : error.status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}`,
    `x-amzn-RequestId: ${randomUUID()}`, `x-amzn-ErrorType: ${error.errorName}`, 'Content-Type: application/json',
    `Content-Length: ${body.length}`, 'Connection: close', '', '',
  ].join('\r\n');
  socket.on('data', () => {});
  socket.setTimeout(10_000, () => socket.destroy());
  socket.end(Buffer.concat([Buffer.from(head), body]));
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
