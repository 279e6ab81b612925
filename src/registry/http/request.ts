// What the server knows about one HTTP request: decoded path parameters, query, headers, body, and the region.
import type { IncomingMessage } from 'node:http';
import { RegistryError } from '../errors.js';
import type { RequestScope } from '../model.js';
import type { Json } from './fields.js';

export interface ApiRequest {
  operation: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
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

/** The body of a request as a JSON object; an empty body is `{}`. */
export function jsonBody(req: ApiRequest): Json {
  if (req.body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(req.body.toString('utf8'));
  } catch (e) {
    throw new RegistryError('InvalidRequestContentException', `Could not parse request body into json: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new RegistryError('InvalidRequestContentException', 'Could not parse request body into json: expected an object');
  }
  return parsed as Json;
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
  /** Bytes received in all (the body is cut at the limit, the rest drained so the client reads our answer). */
  size: number;
  tooLarge: boolean;
}

/** Reads the body up to `limit` bytes, draining (not keeping) the rest up to `drainLimit`. */
export function readBody(req: IncomingMessage, limit: number, drainLimit = limit * 2): Promise<ReadBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > drainLimit) {
        req.pause();
        resolve({ body: Buffer.alloc(0), size, tooLarge: true });
      }
    });
    req.on('end', () => resolve({ body: size <= limit ? Buffer.concat(chunks) : Buffer.alloc(0), size, tooLarge: size > limit }));
    req.on('error', reject);
  });
}
