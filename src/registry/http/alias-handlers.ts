// HTTP handlers of the alias operations.
import type { RoutingConfig } from '../inputs.js';
import { defined, queryInteger, queryString, readNumberMap, readObject, readString, required } from './fields.js';
import type { Json } from './fields.js';
import type { Handler } from './function-handlers.js';
import { jsonBody } from './request.js';
import type { ApiRequest } from './request.js';

function names(req: ApiRequest): { FunctionName: string; Name: string } {
  return { FunctionName: required('FunctionName', req.params['FunctionName']), Name: required('Name', req.params['Name']) };
}

function readRouting(body: Json): RoutingConfig | undefined {
  const routing = readObject(body, 'RoutingConfig');
  if (routing === undefined) return undefined;
  const weights = readNumberMap(routing, 'AdditionalVersionWeights');
  return weights === undefined ? {} : { AdditionalVersionWeights: weights };
}

export const createAlias: Handler = async (r, req) => {
  const body = jsonBody(req);
  const input = {
    FunctionName: required('FunctionName', req.params['FunctionName']),
    Name: required('Name', readString(body, 'Name')),
    FunctionVersion: required('FunctionVersion', readString(body, 'FunctionVersion')),
    ...defined({ Description: readString(body, 'Description'), RoutingConfig: readRouting(body) }),
  };
  return { status: 201, json: await r.createAlias(input, req.scope) };
};

export const getAlias: Handler = async (r, req) => ({ status: 200, json: await r.getAlias(names(req), req.scope) });

export const updateAlias: Handler = async (r, req) => {
  const body = jsonBody(req);
  const input = {
    ...names(req),
    ...defined({
      FunctionVersion: readString(body, 'FunctionVersion'),
      Description: readString(body, 'Description'),
      RoutingConfig: readRouting(body),
      RevisionId: readString(body, 'RevisionId'),
    }),
  };
  return { status: 200, json: await r.updateAlias(input, req.scope) };
};

export const deleteAlias: Handler = async (r, req) => {
  await r.deleteAlias(names(req), req.scope);
  return { status: 204 };
};

export const listAliases: Handler = async (r, req) => {
  const input = {
    FunctionName: required('FunctionName', req.params['FunctionName']),
    ...defined({
      FunctionVersion: queryString(req.query, 'FunctionVersion'),
      Marker: queryString(req.query, 'Marker'),
      MaxItems: queryInteger(req.query, 'MaxItems'),
    }),
  };
  return { status: 200, json: await r.listAliases(input, req.scope) };
};
