// Path-style S3 GetObject / PutObject for the buckets other rooms serve on the registry port (core's
// ObjectBucketService), answered with S3's headers and XML errors. Bodies the AWS SDKs send with aws-chunked
// encoding (checksum trailers, streaming signatures) are decoded first.
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isAwsApiError } from '../../core/index.js';
import type { ObjectBucketService } from '../../core/index.js';
import type { ApiResponse } from './request.js';

/** Largest object accepted by PutObject (CodePipeline's artifact limit for Lambda actions is smaller). */
export const OBJECT_BODY_LIMIT = 256 * 1024 * 1024;

export interface ObjectRequest {
  service: ObjectBucketService;
  bucket: string;
  key: string;
}

/** A GET or PUT of `/bucket/key...` whose bucket a service holds. */
export function matchObjectRequest(method: string, pathname: string, services: readonly ObjectBucketService[]): ObjectRequest | undefined {
  if (services.length === 0 || (method !== 'GET' && method !== 'PUT')) return undefined;
  const m = /^\/([^/]+)\/(.+)$/.exec(pathname);
  if (!m) return undefined;
  const bucket = decodeURIComponent(m[1] ?? '');
  const service = services.find((s) => s.hasBucket(bucket));
  return service ? { service, bucket, key: decodeURIComponent(m[2] ?? '') } : undefined;
}

export async function handleObjectRequest(req: IncomingMessage, o: ObjectRequest, body: Buffer, requestId: string): Promise<ApiResponse> {
  try {
    if (req.method === 'PUT') {
      const bytes = isAwsChunked(req) ? decodeAwsChunked(body) : body;
      await o.service.putObject(o.bucket, o.key, bytes);
      return { status: 200, headers: { ETag: `"${createHash('md5').update(bytes).digest('hex')}"`, 'x-amz-request-id': requestId } };
    }
    const bytes = await o.service.getObject(o.bucket, o.key);
    if (bytes === undefined) return s3Error(404, 'NoSuchKey', 'The specified key does not exist.', o.key, requestId);
    const headers = {
      'Content-Type': 'application/zip', ETag: `"${createHash('md5').update(bytes).digest('hex')}"`, 'x-amz-request-id': requestId,
      'Last-Modified': new Date().toUTCString(),
    };
    return { status: 200, raw: bytes, headers };
  } catch (e) {
    if (isAwsApiError(e)) return s3Error(e.status, e.code, e.message, o.key, requestId);
    return s3Error(500, 'InternalError', `We encountered an internal error: ${e instanceof Error ? e.message : String(e)}`, o.key, requestId);
  }
}

function s3Error(status: number, code: string, message: string, key: string, requestId: string): ApiResponse {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escape(message)}</Message><Key>${escape(key)}</Key><RequestId>${requestId || randomUUID()}</RequestId></Error>`;
  return { status, raw: Buffer.from(xml), headers: { 'Content-Type': 'application/xml', 'x-amz-request-id': requestId } };
}

function escape(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);
}

function isAwsChunked(req: IncomingMessage): boolean {
  const encoding = String(req.headers['content-encoding'] ?? '');
  const sha = String(req.headers['x-amz-content-sha256'] ?? '');
  return encoding.split(',').some((e) => e.trim() === 'aws-chunked') || sha.startsWith('STREAMING-');
}

/** `<hex size>[;chunk-signature=...]\r\n<bytes>\r\n ... 0\r\n[trailers]\r\n`: the bytes, joined. */
export function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < body.length) {
    const eol = body.indexOf('\r\n', at);
    if (eol === -1) break;
    const size = parseInt(body.subarray(at, eol).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
