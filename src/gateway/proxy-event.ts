// The proxy events a matched request becomes: payload 1.0 (REST APIs, and HTTP APIs set to 1.0) and payload 2.0
// (HTTP APIs and function URLs), field by field as API Gateway fills them (reference: http-front.md §1.1, §2.1).
import { randomBytes, randomUUID } from 'node:crypto';
import { DEFAULT_ACCOUNT } from '../core/index.js';
import { clfTime, eventBody, groupHeaders, headerValue, parseQuery } from './gateway-request.js';
import type { GatewayRequest } from './gateway-request.js';
import type { RouteMatch } from './route-table.js';

/** The ids one request carries: 1.0 uses a UUID, 2.0 API Gateway's short base64 id; both get an extended id. */
export interface RequestIds {
  requestId: string;
  extendedRequestId: string;
}

function shortId(): string {
  return randomBytes(11).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

export function newRequestIds(payloadVersion: '1.0' | '2.0'): RequestIds {
  return { requestId: payloadVersion === '1.0' ? randomUUID() : shortId(), extendedRequestId: shortId() };
}

/** The payload version a route's function receives. */
export function payloadVersionOf(match: RouteMatch): '1.0' | '2.0' {
  const route = match.compiled.route;
  if (route.kind === 'rest') return '1.0';
  if (route.kind === 'http') return route.payloadFormatVersion ?? '2.0';
  return '2.0';
}

/** The request's headers plus those the gateway adds (X-Forwarded-For/Port/Proto), in wire case or lowercase. */
function forwardedHeaders(req: GatewayRequest, lowercase: boolean): [string, string][] {
  const name = (n: string) => (lowercase ? n.toLowerCase() : n);
  const own = req.headers.filter(([n]) => !/^x-forwarded-(?:port|proto)$/i.test(n));
  const forwardedFor = headerValue(req, 'x-forwarded-for');
  const pairs: [string, string][] = own.filter(([n]) => n.toLowerCase() !== 'x-forwarded-for');
  pairs.push([name('X-Forwarded-For'), forwardedFor === undefined ? req.sourceIp : `${forwardedFor}, ${req.sourceIp}`]);
  pairs.push([name('X-Forwarded-Port'), String(req.port)]);
  pairs.push([name('X-Forwarded-Proto'), 'http']);
  return pairs;
}

function domainOf(req: GatewayRequest): { domainName: string; domainPrefix: string } {
  const domainName = (headerValue(req, 'host') ?? '127.0.0.1').replace(/:\d+$/, '');
  return { domainName, domainPrefix: domainName.split('.')[0] ?? domainName };
}

function singleValues(multi: Map<string, string[]>, join: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, values] of multi) out[k] = join === undefined ? values[values.length - 1]! : values.join(join);
  return out;
}

function multiValues(multi: Map<string, string[]>): Record<string, string[]> {
  return Object.fromEntries(multi);
}

/** Payload 1.0: REST APIs (wire-case headers, no `version`), or an HTTP API set to 1.0 (lowercase, `version`). */
export function buildV1Event(match: RouteMatch, req: GatewayRequest, ids: RequestIds): Record<string, unknown> {
  const route = match.compiled.route;
  const isHttpApi = route.kind !== 'rest';
  const headers = groupHeaders(forwardedHeaders(req, isHttpApi), isHttpApi);
  const query = parseQuery(req.rawQuery);
  const body = eventBody(req);
  const { domainName, domainPrefix } = domainOf(req);
  const userAgent = headerValue(req, 'user-agent') ?? null;
  const resource = isHttpApi && match.compiled.catchAll ? '$default' : route.path;
  const event: Record<string, unknown> = {
    ...(isHttpApi ? { version: '1.0' } : {}),
    resource,
    path: match.path,
    httpMethod: req.method,
    headers: singleValues(headers, undefined),
    multiValueHeaders: multiValues(headers),
    queryStringParameters: query.size === 0 ? null : singleValues(query, undefined),
    multiValueQueryStringParameters: query.size === 0 ? null : multiValues(query),
    pathParameters: match.pathParameters ?? null,
    stageVariables: null,
    requestContext: {
      accountId: DEFAULT_ACCOUNT,
      apiId: match.compiled.hostId,
      resourceId: match.compiled.resourceId,
      stage: route.stage,
      requestId: ids.requestId,
      extendedRequestId: ids.extendedRequestId,
      resourcePath: resource,
      httpMethod: req.method,
      path: match.stagePath,
      protocol: 'HTTP/1.1',
      requestTime: clfTime(req.receivedAt),
      requestTimeEpoch: req.receivedAt,
      domainName,
      domainPrefix,
      identity: {
        accessKey: null, accountId: null, apiKey: null, apiKeyId: null, caller: null,
        cognitoAuthenticationProvider: null, cognitoAuthenticationType: null, cognitoIdentityId: null,
        cognitoIdentityPoolId: null, principalOrgId: null, sourceIp: req.sourceIp, user: null, userAgent, userArn: null,
      },
    },
    body: body?.body ?? null,
    isBase64Encoded: body?.isBase64Encoded ?? false,
  };
  return event;
}

function traceId(ms: number): string {
  return `Root=1-${Math.floor(ms / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
}

/** Payload 2.0: HTTP APIs and function URLs. Empty optional keys are absent, not null. */
export function buildV2Event(match: RouteMatch, req: GatewayRequest, ids: RequestIds): Record<string, unknown> {
  const route = match.compiled.route;
  const cookies: string[] = [];
  const pairs: [string, string][] = [];
  for (const [name, value] of forwardedHeaders(req, true)) {
    if (name.toLowerCase() === 'cookie') cookies.push(...value.split(';').map((c) => c.trim()).filter((c) => c !== ''));
    else pairs.push([name, value]);
  }
  if (!pairs.some(([n]) => n.toLowerCase() === 'x-amzn-trace-id')) pairs.push(['x-amzn-trace-id', traceId(req.receivedAt)]);
  const headers = groupHeaders(pairs, true);
  const query = parseQuery(req.rawQuery);
  const body = eventBody(req);
  const { domainName, domainPrefix } = domainOf(req);
  const event: Record<string, unknown> = {
    version: '2.0',
    routeKey: match.compiled.routeKey,
    rawPath: match.stagePath,
    rawQueryString: req.rawQuery,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers: singleValues(headers, ','),
    ...(query.size > 0 ? { queryStringParameters: singleValues(query, ',') } : {}),
    ...(match.pathParameters ? { pathParameters: match.pathParameters } : {}),
    requestContext: {
      accountId: DEFAULT_ACCOUNT,
      apiId: match.compiled.hostId,
      domainName,
      domainPrefix,
      http: {
        method: req.method,
        path: match.stagePath,
        protocol: 'HTTP/1.1',
        sourceIp: req.sourceIp,
        userAgent: headerValue(req, 'user-agent') ?? '',
      },
      requestId: ids.requestId,
      routeKey: match.compiled.routeKey,
      stage: route.kind === 'function-url' ? '$default' : route.stage,
      time: clfTime(req.receivedAt),
      timeEpoch: req.receivedAt,
    },
    ...(body ? { body: body.body } : {}),
    isBase64Encoded: body?.isBase64Encoded ?? false,
  };
  return event;
}
