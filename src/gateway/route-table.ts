// Route selection as API Gateway does it: literal segments over `{param}` over `{proxy+}`, a method over `ANY`,
// `$default` last; and the three ways a URL on the gateway's port names what it wants (see README, "API Gateway").
import { createHash } from 'node:crypto';
import type { GatewayApiKind, GatewayRoute } from '../core/index.js';
import { FUNCTION_URL_PREFIX, gatewayHostId, parseHost } from './gateway-ids.js';

type Segment = { kind: 'literal'; text: string } | { kind: 'param'; name: string } | { kind: 'greedy'; name: string };

export interface CompiledRoute {
  route: GatewayRoute;
  hostId: string;
  /** REST's resourceId: 6 characters, stable per resource path of an API. */
  resourceId: string;
  /** `METHOD /path` or `$default` (2.0's routeKey). */
  routeKey: string;
  /** `$default` routes and function URLs: every path, after every other route. */
  catchAll: boolean;
  segments: Segment[];
  /** Per segment: 0 literal, 1 `{param}`, 2 `{proxy+}`; lower sorts first. */
  rank: number[];
  /** Where the route came in the list: the tie-breaker when two APIs have the same route. */
  order: number;
}

export interface RouteMatch {
  compiled: CompiledRoute;
  /** The path the route saw, without the stage (1.0's `path`). */
  path: string;
  /** The path as requested on the API's own host, stage included when the API has one in its URLs. */
  stagePath: string;
  pathParameters: Record<string, string> | undefined;
}

/** Why nothing matched: the API kind whose "no route" answer applies. */
export interface RouteMiss {
  kind: GatewayApiKind;
}

function compileSegments(path: string): Segment[] {
  return splitPath(path).map((part) => {
    const m = /^\{([^{}+]+)(\+?)\}$/.exec(part);
    if (!m?.[1]) return { kind: 'literal', text: part };
    return m[2] ? { kind: 'greedy', name: m[1] } : { kind: 'param', name: m[1] };
  });
}

/** Path segments; a trailing slash is ignored (`/hello/` is served by `/hello`, as REST APIs do). */
function splitPath(path: string): string[] {
  const parts = path.split('/').slice(1);
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

export function compileRoutes(routes: readonly GatewayRoute[]): CompiledRoute[] {
  return routes.map((route, order) => {
    const catchAll = route.kind === 'function-url' || route.path === '$default';
    const segments = catchAll ? [] : compileSegments(route.path);
    return {
      route,
      hostId: gatewayHostId(route),
      resourceId: createHash('sha256').update(`${route.stackName}\0${route.apiId}\0${route.path}`).digest('hex').slice(0, 6),
      routeKey: catchAll ? '$default' : `${route.method} ${route.path}`,
      catchAll,
      segments,
      rank: segments.map((s) => (s.kind === 'literal' ? 0 : s.kind === 'param' ? 1 : 2)),
      order,
    };
  });
}

function matchSegments(segments: Segment[], parts: string[]): Record<string, string> | undefined | false {
  const params: Record<string, string> = {};
  let named = false;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    const part = parts[i];
    if (s.kind === 'greedy') {
      // `{proxy+}` needs at least one segment: `/` is a resource of its own.
      if (part === undefined || part === '') return false;
      params[s.name] = parts.slice(i).map(decode).join('/');
      return params;
    }
    if (part === undefined) return false;
    if (s.kind === 'literal') {
      if (decode(part) !== s.text) return false;
    } else {
      if (part === '') return false;
      params[s.name] = decode(part);
      named = true;
    }
  }
  if (parts.length !== segments.length) return false;
  return named ? params : undefined;
}

function compareRank(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return 0;
}

/** The best route among `candidates` for method and path (path without any stage), or undefined. */
function selectRoute(candidates: CompiledRoute[], method: string, path: string): { compiled: CompiledRoute; pathParameters: Record<string, string> | undefined } | undefined {
  const parts = splitPath(path);
  let best: { compiled: CompiledRoute; pathParameters: Record<string, string> | undefined } | undefined;
  for (const c of candidates) {
    if (c.route.method !== method && c.route.method !== 'ANY') continue;
    const params = c.catchAll ? undefined : matchSegments(c.segments, parts);
    if (params === false) continue;
    if (!best || isBetter(c, best.compiled, method)) best = { compiled: c, pathParameters: params };
  }
  return best;
}

function isBetter(a: CompiledRoute, b: CompiledRoute, method: string): boolean {
  if (a.catchAll !== b.catchAll) return !a.catchAll;
  const byRank = compareRank(a.rank, b.rank);
  if (byRank !== 0) return byRank < 0;
  const aExact = a.route.method === method;
  const bExact = b.route.method === method;
  if (aExact !== bExact) return aExact;
  return a.order < b.order;
}

/** The stage prefix of an API's own URLs: REST APIs always carry one, HTTP APIs only for a named stage. */
function stagePrefix(route: GatewayRoute): string {
  if (route.kind === 'function-url') return '';
  if (route.kind === 'http' && route.stage === '$default') return '';
  return `/${route.stage}`;
}

function withoutPrefix(path: string, prefix: string): string | undefined {
  if (prefix === '') return path;
  if (!path.startsWith(`${prefix}/`)) return undefined;
  return path.slice(prefix.length);
}

/** The kind whose "no route" answer the plain form gives: REST's 403 when only REST APIs are served, else 404. */
function plainMissKind(table: CompiledRoute[]): GatewayApiKind {
  const apis = table.filter((c) => c.route.kind !== 'function-url');
  return apis.length > 0 && apis.every((c) => c.route.kind === 'rest') ? 'rest' : 'http';
}

/**
 * The route a request reaches. `host` is the Host header, `path` the request path without its query, as sent.
 * - `{id}.lambda-url.localhost` or `/_lambda-url/{id}/...`: that function URL, every path.
 * - `{id}.execute-api.localhost`: that API, with its stage in the path as on AWS (`/Prod/hello`).
 * - anything else (`127.0.0.1`, `localhost`): every REST and HTTP API of every stack, the path without a
 *   stage (`/hello`, what deployed stack outputs are rewritten to); `/Prod/hello` also works when nothing
 *   answers `/Prod/hello` itself.
 */
export function resolveRoute(table: CompiledRoute[], host: string | undefined, method: string, path: string): RouteMatch | RouteMiss {
  const address = parseHost(host);
  if (address.kind === 'plain' && path.startsWith(FUNCTION_URL_PREFIX)) {
    const rest = path.slice(FUNCTION_URL_PREFIX.length);
    const slash = rest.indexOf('/');
    const hostId = slash < 0 ? rest : rest.slice(0, slash);
    return matchFunctionUrl(table, hostId, slash < 0 ? '/' : rest.slice(slash));
  }
  if (address.kind === 'function-url') return matchFunctionUrl(table, address.hostId, path);
  if (address.kind === 'api') {
    const api = table.filter((c) => c.hostId === address.hostId && c.route.kind !== 'function-url');
    const first = api[0];
    if (!first) return { kind: 'http' };
    for (const prefix of new Set(api.map((c) => stagePrefix(c.route)))) {
      const rest = withoutPrefix(path, prefix);
      if (rest === undefined) continue;
      const found = selectRoute(api.filter((c) => stagePrefix(c.route) === prefix), method, rest);
      if (found) return { ...found, path: rest, stagePath: path };
    }
    return { kind: first.route.kind };
  }
  const apis = table.filter((c) => c.route.kind !== 'function-url');
  const found = selectRoute(apis, method, path);
  if (found) return { ...found, path, stagePath: `${stagePrefix(found.compiled.route)}${path}` };
  const first = splitPath(path)[0];
  if (first !== undefined) {
    const staged = apis.filter((c) => stagePrefix(c.route) === `/${first}`);
    const rest = path.slice(first.length + 1);
    if (staged.length > 0 && rest.startsWith('/')) {
      const again = selectRoute(staged, method, rest);
      if (again) return { ...again, path: rest, stagePath: path };
    }
  }
  return { kind: plainMissKind(table) };
}

function matchFunctionUrl(table: CompiledRoute[], hostId: string, path: string): RouteMatch | RouteMiss {
  const compiled = table.find((c) => c.hostId === hostId && c.route.kind === 'function-url');
  if (!compiled) return { kind: 'function-url' };
  return { compiled, path, stagePath: path, pathParameters: undefined };
}

export function isRouteMatch(r: RouteMatch | RouteMiss): r is RouteMatch {
  return 'compiled' in r;
}
