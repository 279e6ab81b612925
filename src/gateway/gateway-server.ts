// The gateway's HTTP side: reads a request off the wire (wire-case headers, raw path, peer address, a bounded
// body), hands it to the handler, writes the answer; `startGateway` listens on a port.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayRoute } from '../core/index.js';
import type { LambdaApi } from '../registry/index.js';
import { createGatewayHandler } from './gateway-handler.js';
import { isLoopbackHost } from './gateway-ids.js';
import type { GatewayRequestLog } from './gateway-handler.js';
import { headerPairs, splitTarget } from './gateway-request.js';
import type { GatewayRequest } from './gateway-request.js';
import { gatewayFailure } from './gateway-responses.js';
import type { GatewayResponse } from './gateway-responses.js';

/** API Gateway takes bodies up to 10 MB (the function then sees at most Lambda's 6 MiB event). */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Request line and headers: API Gateway's 10,240 bytes. */
export const MAX_HEADER_BYTES = 10_240;

export interface GatewayOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 3000 (SAM local's port, and what deployed stack outputs point at); 0 picks a free one. */
  port?: number;
  /** The routes served, asked on every request (a deploy changes them while the gateway runs). */
  routes: () => readonly GatewayRoute[];
  lambda: Pick<LambdaApi, 'invoke'>;
  /** Called once per request, after the answer is decided. */
  onRequest?: (log: GatewayRequestLog) => void;
  /** Overrides the integration timeout of REST and HTTP APIs, in ms (defaults: 29 000 and 30 000). */
  timeoutMs?: number;
}

export interface Gateway {
  /** `http://host:port`, no trailing slash: what PIPE_GATEWAY_URL names. */
  url: string;
  close(): Promise<void>;
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/** Past this much, a body too long is no longer read to its end (so that its client gets the 413): the socket is cut. */
const DRAIN_CAP_BYTES = 64 * 1024 * 1024;

/**
 * Reads the body; undefined when it is longer than `limit`. A body too long is still read to its end, and
 * dropped, so that the client, still sending, gets the answer rather than a reset connection.
 */
function readBody(incoming: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(incoming.headers['content-length'] ?? 0);
  if (declared === 0 && incoming.headers['transfer-encoding'] === undefined) {
    incoming.resume();
    return Promise.resolve(Buffer.alloc(0));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    incoming.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit && declared <= limit) chunks.push(chunk);
      else if (size > DRAIN_CAP_BYTES) incoming.destroy();
    });
    incoming.once('end', () => resolve(size > limit || declared > limit ? undefined : Buffer.concat(chunks, size)));
    incoming.once('close', () => resolve(undefined));
    incoming.once('error', reject);
  });
}

/** Writes the answer; false when a header the function returned is one HTTP cannot carry. */
function writeResponse(outgoing: ServerResponse, r: GatewayResponse, method: string): boolean {
  const headers: Record<string, string[]> = {};
  for (const [name, value] of r.headers) (headers[name] ??= []).push(value);
  try {
    outgoing.writeHead(r.status, headers);
  } catch {
    return false;
  }
  outgoing.end(NULL_BODY_STATUSES.has(r.status) || method === 'HEAD' ? undefined : r.body);
  return true;
}

/**
 * The gateway as a node:http request listener. node:http rather than hono's adapter: the gateway needs the wire
 * case of header names and the peer address, and routes on its own, and the adapter's Request and Response
 * objects cost more than the whole of the gateway's own work per request.
 */
export function createGatewayListener(options: Omit<GatewayOptions, 'host' | 'port'> & { loopbackOnly?: boolean }): (incoming: IncomingMessage, outgoing: ServerResponse) => void {
  const handle = createGatewayHandler(options);
  return (incoming, outgoing) => {
    const receivedAt = Date.now();
    const method = (incoming.method ?? 'GET').toUpperCase();
    void (async () => {
      const body = await readBody(incoming, MAX_BODY_BYTES);
      if (body === undefined) {
        const requestId = randomUUID();
        const failed = gatewayFailure('http', 'too-large', requestId);
        writeResponse(outgoing, failed, method);
        options.onRequest?.({ requestId, method, target: incoming.url ?? '/', host: incoming.headers.host, status: failed.status, durationMs: Date.now() - receivedAt, outcome: 'too-large', reason: `the body is longer than ${MAX_BODY_BYTES} bytes` });
        return;
      }
      const { rawPath, rawQuery } = splitTarget(incoming.url ?? '/');
      const req: GatewayRequest = {
        method,
        rawPath,
        rawQuery,
        headers: headerPairs(incoming.rawHeaders),
        body,
        sourceIp: (incoming.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
        port: incoming.socket.localPort ?? 0,
        receivedAt,
      };
      const { response, log } = await handle(req);
      if (writeResponse(outgoing, response, method)) {
        options.onRequest?.(log);
        return;
      }
      // A header name or value the function returned that HTTP cannot carry: a malformed result.
      const failed = gatewayFailure(log.route?.kind ?? 'http', 'malformed-result', log.requestId);
      writeResponse(outgoing, failed, method);
      options.onRequest?.({ ...log, status: failed.status, outcome: 'malformed-result', reason: 'Malformed Lambda proxy response: a header HTTP cannot carry' });
    })().catch((e: unknown) => {
      // The handler answers every failure itself; reaching here is a bug, still answered as API Gateway would.
      if (!outgoing.headersSent) writeResponse(outgoing, gatewayFailure('http', 'invoke-refused', ''), method);
      else outgoing.destroy(e instanceof Error ? e : new Error(String(e)));
    });
  };
}

/** Starts the gateway on host:port; resolves once it listens. */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const host = options.host ?? '127.0.0.1';
  const loopbackOnly = isLoopbackHost(host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, createGatewayListener({ ...options, loopbackOnly }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3000, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}
