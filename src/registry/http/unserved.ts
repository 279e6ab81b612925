// What an AWS request the server cannot serve was: its service (the SigV4 signing name) and operation, read from
// X-Amz-Target (JSON), Action= (query) or the method and path (REST: S3's operations by name, others as written),
// with the access key id that signed it, so a build's parity report can list the calls pipe does not serve.
import type { IncomingMessage } from 'node:http';
import { signingNameOf } from './aws-protocols.js';

export interface UnservedRequest {
  /** The access key id of the SigV4 credential, when the request was signed. */
  accessKeyId?: string;
  service: string;
  operation: string;
}

/** Told of every signed AWS request the server answered as an unknown operation. */
export type UnservedListener = (request: UnservedRequest) => void;

/** The access key id of a SigV4 Authorization header (`Credential=AKID/20260101/...`). */
export function accessKeyIdOf(authorization: string | undefined): string | undefined {
  return authorization === undefined ? undefined : /Credential=([^/,\s]+)\//.exec(authorization)?.[1];
}

/** The unserved request a signed call is, or undefined for an unsigned one (not an AWS client's: a stray request). */
export function describeUnserved(req: IncomingMessage, url: URL, body: Buffer | undefined): UnservedRequest | undefined {
  const authorization = header(req, 'authorization');
  const service = signingNameOf(authorization);
  if (service === undefined) return undefined;
  const accessKeyId = accessKeyIdOf(authorization);
  const base = accessKeyId === undefined ? { service } : { accessKeyId, service };
  const target = header(req, 'x-amz-target');
  if (target !== undefined) return { ...base, operation: target.slice(target.lastIndexOf('.') + 1) };
  if (body !== undefined) {
    const action = new URLSearchParams(body.toString('utf8')).get('Action');
    if (action) return { ...base, operation: action };
  }
  const action = url.searchParams.get('Action');
  if (action) return { ...base, operation: action };
  const method = req.method ?? 'GET';
  return { ...base, operation: service === 's3' ? s3Operation(method, url, req) : `${method} ${firstSegments(url.pathname)}` };
}

/** S3's REST operations by method and path (path-style: /bucket/key), the ones builds use; others as METHOD /path. */
function s3Operation(method: string, url: URL, req: IncomingMessage): string {
  const [bucket, ...key] = url.pathname.split('/').filter((s) => s !== '');
  const q = url.searchParams;
  const hasKey = key.length > 0;
  if (!bucket) return method === 'GET' ? 'ListBuckets' : `${method} /`;
  if (method === 'PUT') {
    if (hasKey) return q.has('partNumber') ? 'UploadPart' : header(req, 'x-amz-copy-source') ? 'CopyObject' : 'PutObject';
    return 'CreateBucket';
  }
  if (method === 'GET') return hasKey ? 'GetObject' : q.get('list-type') === '2' ? 'ListObjectsV2' : q.has('location') ? 'GetBucketLocation' : 'ListObjects';
  if (method === 'HEAD') return hasKey ? 'HeadObject' : 'HeadBucket';
  if (method === 'DELETE') return hasKey ? (q.has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject') : 'DeleteBucket';
  if (method === 'POST') {
    if (q.has('delete')) return 'DeleteObjects';
    if (q.has('uploads')) return 'CreateMultipartUpload';
    if (q.has('uploadId')) return 'CompleteMultipartUpload';
  }
  return `${method} /${bucket}${hasKey ? '/...' : ''}`;
}

/** A REST path cut to its first two segments, so calls on many resources count as one. */
function firstSegments(pathname: string): string {
  const parts = pathname.split('/').filter((s) => s !== '');
  return `/${parts.slice(0, 2).join('/')}${parts.length > 2 ? '/...' : ''}`;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
