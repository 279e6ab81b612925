// A route list written by hand (YAML or JSON), for running the gateway before a deployed stack provides routes:
// every problem reported at once with file:line:col, and the defaults a SAM template would imply filled in.
import { GATEWAY_API_KINDS, ValidationError } from '../core/index.js';
import type { GatewayApiKind, GatewayRoute } from '../core/index.js';
import { ProblemCollector, entry, joinPath, parseYaml } from '../parse/index.js';
import type { YamlMapping } from '../parse/index.js';

const KEYS = ['stackName', 'apiId', 'kind', 'method', 'path', 'stage', 'functionName', 'qualifier', 'payloadFormatVersion'] as const;
const METHODS = ['ANY', 'GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const SEGMENT = /^(?:[A-Za-z0-9._~:@!$&'()*,;=-]+|\{[A-Za-z0-9_.,:-]+\+?\})$/;

/** Why a resource path is not one API Gateway takes, or undefined when it is. */
export function checkResourcePath(path: string): string | undefined {
  if (path === '$default') return undefined;
  if (!path.startsWith('/')) return `expected a path starting with '/' (like /users/{id}) or $default, got '${path}'`;
  if (path === '/') return undefined;
  const parts = path.slice(1).split('/');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part === '' && i === parts.length - 1) continue;
    if (!SEGMENT.test(part)) return `'${part}' is not a path segment: a literal, {name} or a last {name+}`;
    if (part.endsWith('+}') && i !== parts.length - 1) return `a greedy segment ${part} must be the last one`;
  }
  return undefined;
}

function defaultStage(kind: GatewayApiKind): string {
  return kind === 'rest' ? 'Prod' : '$default';
}

/**
 * Reads a list of routes. Required per route: `stackName`, `apiId`, `kind` (rest, http, function-url),
 * `functionName`; `method` (default ANY), `path` (function URLs: /{proxy+}), `stage` (Prod for rest, else
 * $default), `qualifier` and `payloadFormatVersion` (http only, default 2.0) are optional.
 */
export function readGatewayRoutes(text: string, file: string): GatewayRoute[] {
  const doc = parseYaml(text, file);
  if (doc.root === null) throw new ValidationError(file, [{ path: '', message: 'expected a list of routes, got an empty file', location: { file, line: 1, column: 1 } }]);
  const c = new ProblemCollector(doc);
  const list = c.expectSequence(doc.root, '');
  const routes: GatewayRoute[] = [];
  list?.items.forEach((item, i) => {
    const path = joinPath('', i);
    const map = c.expectMapping(item, path);
    if (map) {
      const route = readRoute(c, map, path);
      if (route) routes.push(route);
    }
  });
  c.throwIfAny();
  return routes;
}

function readRoute(c: ProblemCollector, map: YamlMapping, at: string): GatewayRoute | undefined {
  c.checkKeys(map, at, KEYS);
  const str = (key: string, required: boolean): string | undefined => {
    const node = entry(map, key);
    if (node === undefined) {
      if (required) c.add(map, joinPath(at, key), `missing; every route names its ${key}`);
      return undefined;
    }
    return c.expectString(node, joinPath(at, key));
  };
  const stackName = str('stackName', true);
  const apiId = str('apiId', true);
  const functionName = str('functionName', true);
  const kindText = str('kind', true);
  const kind = GATEWAY_API_KINDS.find((k) => k === kindText);
  if (kindText !== undefined && kind === undefined) c.add(entry(map, 'kind')!, joinPath(at, 'kind'), `expected one of ${GATEWAY_API_KINDS.join(', ')}, got '${kindText}'`);
  const method = (str('method', false) ?? 'ANY').toUpperCase();
  if (!METHODS.includes(method)) c.add(entry(map, 'method')!, joinPath(at, 'method'), `expected one of ${METHODS.join(', ')}, got '${method}'`);
  const path = str('path', false) ?? (kind === 'function-url' ? '/{proxy+}' : undefined);
  if (path === undefined) c.add(map, joinPath(at, 'path'), 'missing; an API route names its resource path (like /users/{id})');
  else {
    const wrong = checkResourcePath(path);
    if (wrong) c.add(entry(map, 'path') ?? map, joinPath(at, 'path'), wrong);
  }
  const qualifier = str('qualifier', false);
  const version = str('payloadFormatVersion', false);
  // REST APIs always send 1.0 and function URLs 2.0: saying so is fine, saying otherwise is a mistake.
  const allowed = kind === 'rest' ? ['1.0'] : kind === 'function-url' ? ['2.0'] : ['1.0', '2.0'];
  if (version !== undefined && kind !== undefined && !allowed.includes(version)) {
    c.add(entry(map, 'payloadFormatVersion')!, joinPath(at, 'payloadFormatVersion'), kind === 'http' ? `expected '1.0' or '2.0', got '${version}'` : `a ${kind === 'rest' ? 'REST API sends payload 1.0' : 'function URL sends payload 2.0'}, not '${version}'`);
  }
  if (!stackName || !apiId || !functionName || !kind || !path) return undefined;
  const route: GatewayRoute = { stackName, apiId, kind, method, path, stage: str('stage', false) ?? defaultStage(kind), functionName };
  if (qualifier !== undefined) route.qualifier = qualifier;
  if (kind === 'http') route.payloadFormatVersion = version === '1.0' ? '1.0' : '2.0';
  return route;
}
