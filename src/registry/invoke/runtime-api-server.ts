// The Lambda Runtime API (2018-06-01) for one execution environment: an in-process HTTP server on 127.0.0.1
// that hands events to the runtime on /next and takes back responses, errors and init errors.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_RESPONSE_BYTES } from './errors.js';
import { LOG_MARKERS_HEADER } from './log-collector.js';

/** One event for the runtime, with what goes into the /next response headers. */
export interface RuntimeEvent {
  requestId: string;
  payload: Buffer;
  /** Epoch milliseconds at which the invocation times out. */
  deadlineMs: number;
  invokedFunctionArn: string;
  traceId: string;
  /** Decoded client context JSON, if the caller gave one. */
  clientContext?: string;
  /** Cognito identity JSON, if any. */
  cognitoIdentity?: string;
  /** Ask the bootstrap to frame this invocation's output with log markers (see log-collector.ts). */
  logMarkers: boolean;
}

/** What the runtime said about one invocation. */
export type RuntimeOutcome =
  | { kind: 'response'; payload: Buffer }
  | { kind: 'error'; payload: Buffer; errorType: string | undefined }
  | { kind: 'response-too-large'; size: number };

/** The environment's side of the conversation. */
export interface RuntimeApiListener {
  /** The runtime asked for the next event: init is over, or the previous invocation is fully done. */
  onNext(): void;
  onOutcome(requestId: string, outcome: RuntimeOutcome): void;
  /**
   * The runtime reported an init error. Its answer waits for what this returns: the runtime exits right after it,
   * and what the environment still reads from its container (the memory peak) goes with it.
   */
  onInitError(payload: Buffer, errorType: string | undefined): void | Promise<void>;
}

const PREFIX = '/2018-06-01/runtime/';
const INVOCATION_PATH = /^invocation\/([^/]+)\/(response|error)$/;
const RECENT_LIMIT = 32;

function sendJson(res: ServerResponse, status: number, body: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function accepted(res: ServerResponse): void {
  sendJson(res, 202, { status: 'OK' });
}

function headerText(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Reads a body up to `limit` bytes; past it keeps draining (so the client can read our answer) but stores nothing. */
function readBody(req: IncomingMessage, limit: number): Promise<{ body: Buffer; size: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on('end', () => resolve({ body: size <= limit ? Buffer.concat(chunks, size) : Buffer.alloc(0), size }));
    req.on('error', reject);
  });
}

export class RuntimeApiServer {
  private pendingEvent: RuntimeEvent | undefined;
  private waitingNext: ServerResponse | undefined;
  /** The request id delivered to the runtime and not yet answered. */
  private inFlight: string | undefined;
  private readonly answered = new Set<string>();
  private initialised = false;

  private constructor(
    private readonly server: Server,
    private readonly listener: RuntimeApiListener,
  ) {}

  /** Starts a server on an ephemeral loopback port. */
  static async start(listener: RuntimeApiListener): Promise<RuntimeApiServer> {
    let api: RuntimeApiServer | undefined;
    const server = createServer({ noDelay: true, keepAlive: true }, (req, res) => api?.route(req, res));
    // The runtime's /next is a long poll: no request or idle timeouts may cut it.
    server.requestTimeout = 0;
    server.headersTimeout = 0;
    server.keepAliveTimeout = 0;
    api = new RuntimeApiServer(server, listener);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return api;
  }

  /** host:port, the value of AWS_LAMBDA_RUNTIME_API. */
  get address(): string {
    const a = this.server.address() as AddressInfo;
    return `127.0.0.1:${a.port}`;
  }

  /** Queues an event; the runtime gets it on its current or next /next. */
  deliver(event: RuntimeEvent): void {
    this.pendingEvent = event;
    this.flush();
  }

  async close(): Promise<void> {
    this.waitingNext?.destroy();
    this.waitingNext = undefined;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private flush(): void {
    const res = this.waitingNext;
    const event = this.pendingEvent;
    if (!res || !event) return;
    this.waitingNext = undefined;
    this.pendingEvent = undefined;
    this.inFlight = event.requestId;
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': event.payload.length,
      'lambda-runtime-aws-request-id': event.requestId,
      'lambda-runtime-deadline-ms': event.deadlineMs,
      'lambda-runtime-invoked-function-arn': event.invokedFunctionArn,
      'lambda-runtime-trace-id': event.traceId,
    };
    // Lambda sets these two only when they are not empty.
    if (event.clientContext) headers['lambda-runtime-client-context'] = event.clientContext;
    if (event.cognitoIdentity) headers['lambda-runtime-cognito-identity'] = event.cognitoIdentity;
    if (event.logMarkers) headers[LOG_MARKERS_HEADER] = '1';
    res.writeHead(200, headers);
    res.end(event.payload);
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '';
    const path = url.startsWith(PREFIX) ? url.slice(PREFIX.length).split('?')[0] ?? '' : undefined;
    if (path === undefined) return sendJson(res, 404, { errorMessage: 'Not found', errorType: 'NotFound' });
    if (path === 'invocation/next') {
      if (req.method !== 'GET') return sendJson(res, 405, { errorMessage: 'Method not allowed', errorType: 'MethodNotAllowed' });
      return this.handleNext(req, res);
    }
    if (path === 'init/error') {
      if (req.method !== 'POST') return sendJson(res, 405, { errorMessage: 'Method not allowed', errorType: 'MethodNotAllowed' });
      return void this.handleInitError(req, res);
    }
    const m = INVOCATION_PATH.exec(path);
    if (m) {
      if (req.method !== 'POST') return sendJson(res, 405, { errorMessage: 'Method not allowed', errorType: 'MethodNotAllowed' });
      return void this.handleInvocationAnswer(req, res, decodeURIComponent(m[1] ?? ''), m[2] === 'error');
    }
    sendJson(res, 404, { errorMessage: 'Not found', errorType: 'NotFound' });
  }

  private handleNext(req: IncomingMessage, res: ServerResponse): void {
    if (this.waitingNext && !this.waitingNext.destroyed) {
      // Only one runtime process polls; a second poll means the first connection is stale.
      this.waitingNext.destroy();
    }
    this.initialised = true;
    this.waitingNext = res;
    res.once('close', () => {
      if (this.waitingNext === res) this.waitingNext = undefined;
    });
    this.listener.onNext();
    this.flush();
  }

  private async handleInitError(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { body } = await readBody(req, MAX_RESPONSE_BYTES);
    if (this.initialised) {
      return sendJson(res, 403, { errorMessage: 'Init is over: report errors per invocation', errorType: 'InvalidStateTransition' });
    }
    await this.listener.onInitError(body, headerText(req, 'lambda-runtime-function-error-type'));
    accepted(res);
  }

  private async handleInvocationAnswer(req: IncomingMessage, res: ServerResponse, requestId: string, isError: boolean): Promise<void> {
    const { body, size } = await readBody(req, MAX_RESPONSE_BYTES);
    if (requestId !== this.inFlight) {
      if (this.answered.has(requestId)) {
        return sendJson(res, 403, { errorMessage: 'Invalid state transition: already answered', errorType: 'InvalidStateTransition' });
      }
      return sendJson(res, 400, { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' });
    }
    this.inFlight = undefined;
    this.answered.add(requestId);
    if (this.answered.size > RECENT_LIMIT) this.answered.delete(this.answered.values().next().value as string);
    if (size > MAX_RESPONSE_BYTES) {
      sendJson(res, 413, {
        errorMessage: `Exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
        errorType: 'RequestEntityTooLarge',
      });
      this.listener.onOutcome(requestId, { kind: 'response-too-large', size });
      return;
    }
    accepted(res);
    this.listener.onOutcome(
      requestId,
      isError
        ? { kind: 'error', payload: body, errorType: headerText(req, 'lambda-runtime-function-error-type') }
        : { kind: 'response', payload: body },
    );
  }
}
