// HTTP handlers of the function operations: path/query/body in, Registry call, AWS status code out.
import { readFile } from 'node:fs/promises';
import { notFound } from '../errors.js';
import type { Registry } from '../registry.js';
import { readConfiguration, readCreateFunction, readUpdateCode } from './config-fields.js';
import { defined, queryInteger, queryString, readNumber, readString, required } from './fields.js';
import { jsonBody } from './request.js';
import type { ApiRequest, ApiResponse } from './request.js';

export type Handler = (registry: Registry, req: ApiRequest) => Promise<ApiResponse>;

function fn(req: ApiRequest): string {
  return required('FunctionName', req.params['FunctionName']);
}

function qualified(req: ApiRequest): { FunctionName: string; Qualifier?: string } {
  return defined({ FunctionName: fn(req), Qualifier: queryString(req.query, 'Qualifier') });
}

function paging(req: ApiRequest): { Marker?: string; MaxItems?: number } {
  return defined({ Marker: queryString(req.query, 'Marker'), MaxItems: queryInteger(req.query, 'MaxItems') });
}

/** Locations are `file://` paths in-process; over HTTP they point at this server's blob route. */
export function httpLocation(req: ApiRequest, location: string): string {
  const name = location.slice(location.lastIndexOf('/') + 1);
  return `http://${req.host}/pipe/blobs/${name}`;
}

export const createFunction: Handler = async (r, req) => ({
  status: 201,
  json: await r.createFunction(readCreateFunction(jsonBody(req)), req.scope),
});

export const listFunctions: Handler = async (r, req) => ({
  status: 200,
  json: await r.listFunctions({ ...paging(req), ...defined({ FunctionVersion: queryString(req.query, 'FunctionVersion') }) }, req.scope),
});

export const getFunction: Handler = async (r, req) => {
  const out = await r.getFunction(qualified(req), req.scope);
  return { status: 200, json: { ...out, Code: { ...out.Code, Location: httpLocation(req, out.Code.Location) } } };
};

export const getFunctionConfiguration: Handler = async (r, req) => ({
  status: 200,
  json: await r.getFunctionConfiguration(qualified(req), req.scope),
});

export const updateFunctionCode: Handler = async (r, req) => ({
  status: 200,
  json: await r.updateFunctionCode(readUpdateCode(jsonBody(req), fn(req)), req.scope),
});

export const updateFunctionConfiguration: Handler = async (r, req) => {
  const body = jsonBody(req);
  const input = { ...readConfiguration(body), FunctionName: fn(req), ...defined({ RevisionId: readString(body, 'RevisionId') }) };
  return { status: 200, json: await r.updateFunctionConfiguration(input, req.scope) };
};

export const deleteFunction: Handler = async (r, req) => {
  await r.deleteFunction(qualified(req), req.scope);
  return { status: 204 };
};

export const publishVersion: Handler = async (r, req) => {
  const body = jsonBody(req);
  const input = {
    FunctionName: fn(req),
    ...defined({
      CodeSha256: readString(body, 'CodeSha256'),
      Description: readString(body, 'Description'),
      RevisionId: readString(body, 'RevisionId'),
    }),
  };
  return { status: 201, json: await r.publishVersion(input, req.scope) };
};

export const listVersionsByFunction: Handler = async (r, req) => ({
  status: 200,
  json: await r.listVersionsByFunction({ FunctionName: fn(req), ...paging(req) }, req.scope),
});

export const putFunctionConcurrency: Handler = async (r, req) => {
  const n = required('ReservedConcurrentExecutions', readNumber(jsonBody(req), 'ReservedConcurrentExecutions'));
  return { status: 200, json: await r.putFunctionConcurrency({ FunctionName: fn(req), ReservedConcurrentExecutions: n }, req.scope) };
};

export const getFunctionConcurrency: Handler = async (r, req) => ({
  status: 200,
  json: await r.getFunctionConcurrency({ FunctionName: fn(req) }, req.scope),
});

export const deleteFunctionConcurrency: Handler = async (r, req) => {
  await r.deleteFunctionConcurrency({ FunctionName: fn(req) }, req.scope);
  return { status: 204 };
};

export const getAccountSettings: Handler = async (r, req) => ({ status: 200, json: await r.getAccountSettings(req.scope) });

/** Serves a stored zip (GetFunction's Code.Location, a layer's Content.Location). Not an AWS operation. */
export const getBlob: Handler = async (r, req) => {
  const hex = (req.params['Blob'] ?? '').replace(/\.zip$/, '');
  const path = r.blobPathOfHex(hex);
  const bytes = path === undefined ? undefined : await readFile(path).catch(() => undefined);
  if (bytes === undefined) throw notFound(`No stored code with SHA-256 ${hex}`);
  return { status: 200, raw: bytes, headers: { 'Content-Type': 'application/zip' } };
};
