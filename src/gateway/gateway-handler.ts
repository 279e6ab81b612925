// One request through the gateway, as a list of steps: find the route, build the proxy event, invoke the function
// with the route's qualifier (within the integration timeout), map the result back, and say what happened.
import type { GatewayApiKind, GatewayFailure, GatewayOutcome, GatewayRoute } from '../core/index.js';
import { isRegistryError } from '../registry/index.js';
import type { LambdaApi } from '../registry/index.js';
import { isLoopbackHost } from './gateway-ids.js';
import type { GatewayRequest } from './gateway-request.js';
import { gatewayFailure, requestIdHeader } from './gateway-responses.js';
import type { GatewayResponse } from './gateway-responses.js';
import { buildV1Event, buildV2Event, newRequestIds, payloadVersionOf } from './proxy-event.js';
import { mapV1Result, mapV2Result } from './proxy-result.js';
import { compileRoutes, isRouteMatch, resolveRoute } from './route-table.js';
import type { CompiledRoute } from './route-table.js';

/** API Gateway's integration timeouts: 29 s for REST APIs, 30 s for HTTP APIs (function URLs: the function's own). */
export const INTEGRATION_TIMEOUT_MS: Record<Exclude<GatewayApiKind, 'function-url'>, number> = { rest: 29_000, http: 30_000 };

/** What one request came to, for a log line or the dashboard. */
export interface GatewayRequestLog {
  requestId: string;
  method: string;
  /** The path as sent, with its query. */
  target: string;
  host: string | undefined;
  status: number;
  durationMs: number;
  /** `invoked` when the function's result was sent, else why the gateway answered itself. */
  outcome: GatewayOutcome;
  /** For a malformed result or a refused invoke: what was wrong, as API Gateway's execution log says it. */
  reason?: string;
  route?: GatewayRoute;
  /** The version that ran (from the invoke), when it ran. */
  executedVersion?: string;
}

export interface GatewayHandlerOptions {
  routes: () => readonly GatewayRoute[];
  lambda: Pick<LambdaApi, 'invoke'>;
  /** Overrides the integration timeout of REST and HTTP APIs (SAM's TimeoutInMillis), in ms. */
  timeoutMs?: number;
  /** Refuse Host headers that are no loopback name (the gateway listens on a loopback address). */
  loopbackOnly?: boolean;
}

export interface HandledRequest {
  response: GatewayResponse;
  log: GatewayRequestLog;
}

type Invoked = { kind: 'result'; payload: Buffer; functionError: boolean; executedVersion: string | undefined; requestId: string } | { kind: 'refused'; failure: GatewayFailure; reason: string } | { kind: 'timeout' };

/** Handles requests against the current route list (compiled again only when the list changes). */
export function createGatewayHandler(options: GatewayHandlerOptions): (req: GatewayRequest) => Promise<HandledRequest> {
  let lastList: readonly GatewayRoute[] | undefined;
  let lastKey = '';
  let table: CompiledRoute[] = [];
  const currentTable = (): CompiledRoute[] => {
    const list = options.routes();
    if (list === lastList) return table;
    const key = JSON.stringify(list);
    if (key !== lastKey) table = compileRoutes(list);
    lastList = list;
    lastKey = key;
    return table;
  };

  return async (req) => {
    const host = req.headers.find(([n]) => n.toLowerCase() === 'host')?.[1];
    const target = req.rawQuery === '' ? req.rawPath : `${req.rawPath}?${req.rawQuery}`;
    const base = { method: req.method, target, host };
    const done = (response: GatewayResponse, rest: Omit<GatewayRequestLog, 'requestId' | 'method' | 'target' | 'host' | 'status' | 'durationMs'>, requestId: string): HandledRequest => ({
      response,
      log: { requestId, ...base, status: response.status, durationMs: Date.now() - req.receivedAt, ...rest },
    });

    if (options.loopbackOnly && !isLoopbackHost(host)) {
      const ids = newRequestIds('2.0');
      return done(gatewayFailure('http', 'foreign-host', ids.requestId), { outcome: 'foreign-host', reason: `Host ${host ?? ''} is not a loopback name` }, ids.requestId);
    }
    const match = resolveRoute(currentTable(), host, req.method, req.rawPath);
    if (!isRouteMatch(match)) {
      const ids = newRequestIds(match.kind === 'rest' ? '1.0' : '2.0');
      return done(gatewayFailure(match.kind, 'no-route', ids.requestId), { outcome: 'no-route' }, ids.requestId);
    }
    const route = match.compiled.route;
    const version = payloadVersionOf(match);
    const ids = newRequestIds(version);
    const event = version === '1.0' ? buildV1Event(match, req, ids) : buildV2Event(match, req, ids);
    const fail = (failure: GatewayFailure, reason?: string) =>
      done(gatewayFailure(route.kind, failure, ids.requestId), { outcome: failure, route, ...(reason === undefined ? {} : { reason }) }, ids.requestId);

    const timeoutMs = route.kind === 'function-url' ? undefined : (options.timeoutMs ?? INTEGRATION_TIMEOUT_MS[route.kind]);
    const invoked = await invokeWithin(options.lambda, route, Buffer.from(JSON.stringify(event)), timeoutMs);
    if (invoked.kind === 'timeout') return fail('timeout', `no result within ${timeoutMs} ms`);
    if (invoked.kind === 'refused') return fail(invoked.failure, invoked.reason);
    const executed = invoked.executedVersion === undefined ? {} : { executedVersion: invoked.executedVersion };
    if (invoked.functionError) {
      return done(gatewayFailure(route.kind, 'function-error', ids.requestId), { outcome: 'function-error', route, reason: 'Lambda execution failed with status 200 due to customer function error', ...executed }, ids.requestId);
    }
    const mapped = version === '1.0' ? mapV1Result(invoked.payload, route.kind === 'rest') : mapV2Result(invoked.payload);
    if (!mapped.ok) {
      return done(gatewayFailure(route.kind, 'malformed-result', ids.requestId), { outcome: 'malformed-result', route, reason: `Malformed Lambda proxy response: ${mapped.reason}`, ...executed }, ids.requestId);
    }
    const response = { ...mapped.response, headers: [...mapped.response.headers, requestIdHeader(route.kind, ids.requestId)] };
    return done(response, { outcome: 'invoked', route, ...executed }, ids.requestId);
  };
}

async function invokeWithin(lambda: Pick<LambdaApi, 'invoke'>, route: GatewayRoute, payload: Buffer, timeoutMs: number | undefined): Promise<Invoked> {
  const call = lambda
    .invoke({ FunctionName: route.functionName, ...(route.qualifier === undefined ? {} : { Qualifier: route.qualifier }), Payload: payload })
    .then(
      (out): Invoked => ({ kind: 'result', payload: out.Payload ?? Buffer.alloc(0), functionError: out.FunctionError !== undefined, executedVersion: out.ExecutedVersion, requestId: out.RequestId }),
      (e: unknown): Invoked => {
        if (isRegistryError(e)) return { kind: 'refused', failure: e.errorName === 'TooManyRequestsException' ? 'throttled' : 'invoke-refused', reason: `${e.errorName}: ${e.message}` };
        return { kind: 'refused', failure: 'invoke-refused', reason: e instanceof Error ? e.message : String(e) };
      },
    );
  if (timeoutMs === undefined) return call;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Invoked>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs);
  });
  try {
    return await Promise.race([call, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
