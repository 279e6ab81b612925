// The URLs one route answers on, for a start-up listing or a stack's outputs: the plain form (every API on one
// host, no stage), the API's own host form (stage in the path, as on AWS), and a function URL's host and path forms.
import type { GatewayRoute } from '../core/index.js';
import { FUNCTION_URL_PREFIX, gatewayHostId } from './gateway-ids.js';

export interface GatewayUrls {
  /** `http://127.0.0.1:3000/hello` (REST and HTTP APIs) or `http://127.0.0.1:3000/_lambda-url/{id}/` (function URLs). */
  plain: string;
  /** `http://{id}.execute-api.localhost:3000/Prod/hello` or `http://{id}.lambda-url.localhost:3000/`. */
  host: string;
}

/** `gatewayUrl` is the gateway's own URL (`http://127.0.0.1:3000`). Route templates are kept (`/users/{id}`). */
export function gatewayUrlsOf(route: GatewayRoute, gatewayUrl: string): GatewayUrls {
  const base = new URL(gatewayUrl);
  const port = base.port === '' ? '' : `:${base.port}`;
  const origin = `${base.protocol}//${base.host}`;
  const id = gatewayHostId(route);
  if (route.kind === 'function-url') {
    return { plain: `${origin}${FUNCTION_URL_PREFIX}${id}/`, host: `${base.protocol}//${id}.lambda-url.localhost${port}/` };
  }
  const path = route.path === '$default' ? '/' : route.path;
  const stage = route.kind === 'http' && route.stage === '$default' ? '' : `/${route.stage}`;
  return { plain: `${origin}${path}`, host: `${base.protocol}//${id}.execute-api.localhost${port}${stage}${path}` };
}

/**
 * For each route, the earlier route of another API that answers the same method and path on the plain form
 * (which serves every API on one host), if any: that route is reached by its host form only.
 */
export function shadowingRoutes(routes: readonly GatewayRoute[]): (GatewayRoute | undefined)[] {
  const first = new Map<string, GatewayRoute>();
  return routes.map((r) => {
    if (r.kind === 'function-url') return undefined;
    const key = `${r.method} ${r.path.replace(/\{[^}/]*\}/g, '{}').replace(/(.)\/$/, '$1')}`;
    const earlier = first.get(key);
    if (earlier === undefined) {
      first.set(key, r);
      return undefined;
    }
    return earlier.stackName === r.stackName && earlier.apiId === r.apiId ? undefined : earlier;
  });
}
