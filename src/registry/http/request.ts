// What the server knows about one HTTP request: decoded path parameters, query, headers, body, and the region.
import type { IncomingMessage } from 'node:http';
import type { RequestScope } from '../model.js';
import { parseJsonBody } from './body-json.js';
import type { Json } from './fields.js';

export interface ApiRequest {
  operation: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** The body parsed once, when the operation takes a JSON body (it was checked against the service model). */
  json?: Json;
  scope: RequestScope;
  /** Host header, to build URLs that point back at this server. */
  host: string;
}

export interface ApiResponse {
  status: number;
  json?: unknown;
  raw?: Buffer;
  headers?: Record<string, string>;
}

/** The body of a request as a JSON object; an empty body is `{}`; `ZipFile` values are Buffers (see body-json.ts). */
export function jsonBody(req: Pick<ApiRequest, 'body' | 'json'>): Json {
  return req.json ?? parseJsonBody(req.body);
}

export function header(req: ApiRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** The region of a SigV4 signature's credential scope; any credentials are accepted. */
export function regionOf(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const m = /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\/[^/]+\/aws4_request/.exec(authorization);
  return m?.[1];
}

export interface ReadBody {
  body: Buffer;
  /** Bytes received so far (all of them unless too large: then the answer goes out before the upload ends). */
  size: number;
  tooLarge: boolean;
}

/**
 * Reads the body up to `limit` bytes. Past the limit it resolves at once (so the 413 goes out while the client is
 * still sending) and keeps reading and discarding the rest: a server that stops reading makes the client's writes
 * fail, and closing on unread data resets the connection before the client has read the answer.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<ReadBody> {
  return new Promise((resolve, reject) => {
    // With a Content-Length the body is read into one buffer of that size: no chunk list to concatenate (which
    // would hold the body twice at the end).
    const declared = Number(req.headers['content-length']);
    const whole = Number.isSafeInteger(declared) && declared > 0 && declared <= limit ? Buffer.allocUnsafe(declared) : undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      const at = size;
      size += chunk.length;
      if (done) return;
      if (size <= limit) {
        if (whole !== undefined && size <= whole.length) chunk.copy(whole, at);
        else chunks.push(chunk);
      } else {
        done = true;
        chunks.length = 0;
        resolve({ body: Buffer.alloc(0), size, tooLarge: true });
      }
    });
    req.on('end', () => {
      if (done) return;
      const body = whole === undefined ? Buffer.concat(chunks) : chunks.length === 0 ? whole.subarray(0, size) : Buffer.concat([whole, ...chunks]);
      resolve({ body, size, tooLarge: false });
    });
    req.on('error', (e) => {
      if (!done) reject(e);
    });
  });
}
