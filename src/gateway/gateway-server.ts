// The gateway's HTTP side on hono's Node adapter: reads a request off the wire (wire-case headers, raw path,
// peer address, a bounded body), hands it to the handler, writes the answer; `startGateway` listens on a port.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Hono } from 'hono';
import { createAdaptorServer } from '@hono/node-server';
import type { HttpBindings } from '@hono/node-server';
import type { GatewayRoute } from '../core/index.js';
import type { LambdaApi } from '../registry/index.js';
import { createGatewayHandler } from './gateway-handler.js';
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

function toResponse(r: GatewayResponse, method: string): Response {
  const headers = new Headers();
  for (const [name, value] of r.headers) headers.append(name, value);
  const body = NULL_BODY_STATUSES.has(r.status) || method === 'HEAD' || r.body.length === 0 ? null : new Uint8Array(r.body.buffer, r.body.byteOffset, r.body.length);
  return new Response(body, { status: r.status, headers });
}

/** Reads at most `limit` bytes of the body; undefined when it is longer. */
async function readBody(stream: ReadableStream<Uint8Array> | null, limit: number): Promise<Buffer | undefined> {
  if (!stream) return Buffer.alloc(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

/** The gateway as a hono app (Node adapter only: it reads wire-case headers and the peer from the socket). */
export function createGatewayApp(options: Omit<GatewayOptions, 'host' | 'port'>): Hono<{ Bindings: HttpBindings }> {
  const handle = createGatewayHandler(options);
  const app = new Hono<{ Bindings: HttpBindings }>();
  app.all('*', async (c) => {
    const incoming = c.env.incoming;
    const receivedAt = Date.now();
    const method = (incoming.method ?? 'GET').toUpperCase();
    const declared = Number(incoming.headers['content-length'] ?? 0);
    const body = declared > MAX_BODY_BYTES ? undefined : await readBody(c.req.raw.body, MAX_BODY_BYTES);
    const { rawPath, rawQuery } = splitTarget(incoming.url ?? '/');
    if (body === undefined) {
      const response = gatewayFailure('http', 'too-large', '');
      return toResponse(response, method);
    }
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
    let out: Response;
    try {
      out = toResponse(response, method);
    } catch (e) {
      // A header name or value the function returned that HTTP cannot carry: a malformed result.
      const kind = log.route?.kind ?? 'http';
      const failed = gatewayFailure(kind, 'malformed-result', log.requestId);
      options.onRequest?.({ ...log, status: failed.status, outcome: 'malformed-result', reason: `Malformed Lambda proxy response: ${e instanceof Error ? e.message : String(e)}` });
      return toResponse(failed, method);
    }
    options.onRequest?.(log);
    return out;
  });
  return app;
}

/** Starts the gateway on host:port; resolves once it listens. */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const app = createGatewayApp(options);
  const server = createAdaptorServer({ fetch: app.fetch, serverOptions: { maxHeaderSize: MAX_HEADER_BYTES } }) as Server;
  const host = options.host ?? '127.0.0.1';
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
