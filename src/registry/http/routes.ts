// The Lambda REST API's routes: method + path template -> operation, body limit and handler.
import { LIMITS } from '../limits.js';
import * as alias from './alias-handlers.js';
import * as fn from './function-handlers.js';
import type { Handler } from './function-handlers.js';
import { invokeFunction } from './invoke-handler.js';
import * as layer from './layer-handlers.js';

export interface Route {
  method: string;
  /** Path template; `{Param}` matches one segment, percent-decoded. */
  path: string;
  operation: string;
  handle: Handler;
  /** Largest body accepted; the operation name AWS uses in its 413 message. */
  maxBody?: number;
  limitName?: string;
}

const F = '/2015-03-31/functions/{FunctionName}';
const L = '/2018-10-31/layers/{LayerName}/versions';

export const ROUTES: readonly Route[] = [
  { method: 'POST', path: '/2015-03-31/functions', operation: 'CreateFunction', handle: fn.createFunction, limitName: 'CreateFunction' },
  { method: 'GET', path: '/2015-03-31/functions', operation: 'ListFunctions', handle: fn.listFunctions },
  { method: 'GET', path: F, operation: 'GetFunction', handle: fn.getFunction },
  { method: 'DELETE', path: F, operation: 'DeleteFunction', handle: fn.deleteFunction },
  { method: 'GET', path: `${F}/configuration`, operation: 'GetFunctionConfiguration', handle: fn.getFunctionConfiguration },
  { method: 'PUT', path: `${F}/configuration`, operation: 'UpdateFunctionConfiguration', handle: fn.updateFunctionConfiguration },
  { method: 'PUT', path: `${F}/code`, operation: 'UpdateFunctionCode', handle: fn.updateFunctionCode, limitName: 'UpdateFunctionCode' },
  { method: 'POST', path: `${F}/versions`, operation: 'PublishVersion', handle: fn.publishVersion },
  { method: 'GET', path: `${F}/versions`, operation: 'ListVersionsByFunction', handle: fn.listVersionsByFunction },
  { method: 'POST', path: `${F}/aliases`, operation: 'CreateAlias', handle: alias.createAlias },
  { method: 'GET', path: `${F}/aliases`, operation: 'ListAliases', handle: alias.listAliases },
  { method: 'GET', path: `${F}/aliases/{Name}`, operation: 'GetAlias', handle: alias.getAlias },
  { method: 'PUT', path: `${F}/aliases/{Name}`, operation: 'UpdateAlias', handle: alias.updateAlias },
  { method: 'DELETE', path: `${F}/aliases/{Name}`, operation: 'DeleteAlias', handle: alias.deleteAlias },
  {
    method: 'POST', path: `${F}/invocations`, operation: 'Invoke', handle: invokeFunction,
    maxBody: LIMITS.syncPayload, limitName: 'InvokeFunction',
  },
  { method: 'PUT', path: '/2017-10-31/functions/{FunctionName}/concurrency', operation: 'PutFunctionConcurrency', handle: fn.putFunctionConcurrency },
  { method: 'DELETE', path: '/2017-10-31/functions/{FunctionName}/concurrency', operation: 'DeleteFunctionConcurrency', handle: fn.deleteFunctionConcurrency },
  { method: 'GET', path: '/2019-09-30/functions/{FunctionName}/concurrency', operation: 'GetFunctionConcurrency', handle: fn.getFunctionConcurrency },
  { method: 'GET', path: '/2016-08-19/account-settings', operation: 'GetAccountSettings', handle: fn.getAccountSettings },
  { method: 'POST', path: L, operation: 'PublishLayerVersion', handle: layer.publishLayerVersion, limitName: 'PublishLayerVersion' },
  { method: 'GET', path: L, operation: 'ListLayerVersions', handle: layer.listLayerVersions },
  { method: 'GET', path: `${L}/{VersionNumber}`, operation: 'GetLayerVersion', handle: layer.getLayerVersion },
  { method: 'DELETE', path: `${L}/{VersionNumber}`, operation: 'DeleteLayerVersion', handle: layer.deleteLayerVersion },
  { method: 'GET', path: '/2018-10-31/layers', operation: 'ListLayers', handle: layer.listLayersOrFind },
  { method: 'GET', path: '/pipe/blobs/{Blob}', operation: 'GetCodeBlob', handle: fn.getBlob },
];

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

/** Matches a raw (still percent-encoded) path; undefined when no route fits. Throws URIError on bad escapes. */
export function matchRoute(method: string, rawPath: string): RouteMatch | undefined {
  const segments = rawPath.replace(/\/+$/, '').split('/');
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const template = route.path.split('/');
    if (template.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const ok = template.every((t, i) => {
      const s = segments[i] ?? '';
      if (t.startsWith('{') && t.endsWith('}')) {
        if (s === '') return false;
        params[t.slice(1, -1)] = decodeURIComponent(s);
        return true;
      }
      return t === s;
    });
    if (ok) return { route, params };
  }
  return undefined;
}
