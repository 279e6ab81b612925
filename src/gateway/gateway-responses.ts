// The answers the gateway gives itself, per API kind, with API Gateway's status codes and bodies byte for byte
// (reference: http-front.md §0): one table, so no handler spells a body of its own.
import type { GatewayApiKind, GatewayFailure } from '../core/index.js';

export interface GatewayResponse {
  status: number;
  /** Header pairs; a name may repeat (Set-Cookie). */
  headers: [string, string][];
  body: Buffer;
}

interface Canned {
  status: number;
  body: string;
  errorType?: string;
}

const JSON_TYPE = 'application/json';

/** Not API Gateway's: a loopback gateway refuses a Host that is no loopback name (DNS rebinding). */
const FOREIGN_HOST: Canned = { status: 403, body: '{"message":"Forbidden: the gateway on a loopback address answers only loopback host names (127.0.0.1, localhost, *.localhost)"}' };

const TABLE: Record<GatewayApiKind, Record<GatewayFailure, Canned>> = {
  rest: {
    'no-route': { status: 403, body: '{"message":"Missing Authentication Token"}', errorType: 'MissingAuthenticationTokenException' },
    'function-error': { status: 502, body: '{"message": "Internal server error"}' },
    'malformed-result': { status: 502, body: '{"message": "Internal server error"}' },
    'invoke-refused': { status: 500, body: '{"message": "Internal server error"}' },
    throttled: { status: 500, body: '{"message": "Internal server error"}' },
    timeout: { status: 504, body: '{"message": "Endpoint request timed out"}' },
    'too-large': { status: 413, body: '{"message":"Request Too Long"}' },
    'foreign-host': FOREIGN_HOST,
  },
  http: {
    'no-route': { status: 404, body: '{"message":"Not Found"}' },
    'function-error': { status: 500, body: '{"message":"Internal Server Error"}' },
    'malformed-result': { status: 500, body: '{"message":"Internal Server Error"}' },
    'invoke-refused': { status: 500, body: '{"message":"Internal Server Error"}' },
    throttled: { status: 500, body: '{"message":"Internal Server Error"}' },
    timeout: { status: 503, body: '{"message":"Service Unavailable"}' },
    'too-large': { status: 413, body: '{"message":"Request Entity Too Large"}' },
    'foreign-host': FOREIGN_HOST,
  },
  // Function URLs: the error body is not documented; 502 as AWS reports it, 429 when throttled.
  'function-url': {
    'no-route': { status: 404, body: '{"message":"Not Found"}' },
    'function-error': { status: 502, body: '{"message":"Internal Server Error"}' },
    'malformed-result': { status: 502, body: '{"message":"Internal Server Error"}' },
    'invoke-refused': { status: 502, body: '{"message":"Internal Server Error"}' },
    throttled: { status: 429, body: '{"message":"Rate Exceeded."}', errorType: 'TooManyRequestsException' },
    timeout: { status: 502, body: '{"message":"Internal Server Error"}' },
    'too-large': { status: 413, body: '{"message":"Request Entity Too Large"}' },
    'foreign-host': FOREIGN_HOST,
  },
};

/** The request-id header each kind sends back. */
export function requestIdHeader(kind: GatewayApiKind, requestId: string): [string, string] {
  return kind === 'rest' ? ['x-amzn-RequestId', requestId] : kind === 'http' ? ['apigw-requestid', requestId] : ['x-amzn-RequestId', requestId];
}

export function gatewayFailure(kind: GatewayApiKind, failure: GatewayFailure, requestId: string): GatewayResponse {
  const canned = TABLE[kind][failure];
  const headers: [string, string][] = [['content-type', JSON_TYPE], requestIdHeader(kind, requestId)];
  if (canned.errorType) headers.push(['x-amzn-ErrorType', canned.errorType]);
  return { status: canned.status, headers, body: Buffer.from(canned.body) };
}
