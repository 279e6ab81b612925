// HTTP handlers of the layer operations.
import { validationError } from '../errors.js';
import type { LayerVersion } from '../shapes.js';
import { readCode } from './config-fields.js';
import { defined, queryInteger, queryString, readObject, readString, readStringList, required } from './fields.js';
import type { Handler } from './function-handlers.js';
import { httpLocation } from './function-handlers.js';
import { jsonBody } from './request.js';
import type { ApiRequest, ApiResponse } from './request.js';

function layerName(req: ApiRequest): string {
  return required('LayerName', req.params['LayerName']);
}

function versionNumber(req: ApiRequest): number {
  const raw = required('VersionNumber', req.params['VersionNumber']);
  // A Long in the model: digits past its range are as malformed as letters.
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw validationError(raw, 'versionNumber', 'Member must be a number');
  return Number(raw);
}

function filters(req: ApiRequest): { CompatibleRuntime?: string; CompatibleArchitecture?: string; Marker?: string; MaxItems?: number } {
  return defined({
    CompatibleRuntime: queryString(req.query, 'CompatibleRuntime'),
    CompatibleArchitecture: queryString(req.query, 'CompatibleArchitecture'),
    Marker: queryString(req.query, 'Marker'),
    MaxItems: queryInteger(req.query, 'MaxItems'),
  });
}

function withHttpLocation(req: ApiRequest, status: number, layer: LayerVersion): ApiResponse {
  return { status, json: { ...layer, Content: { ...layer.Content, Location: httpLocation(req, layer.Content.Location) } } };
}

export const publishLayerVersion: Handler = async (r, req) => {
  const body = jsonBody(req);
  const input = {
    LayerName: layerName(req),
    Content: readCode(required('Content', readObject(body, 'Content'))),
    ...defined({
      Description: readString(body, 'Description'),
      CompatibleRuntimes: readStringList(body, 'CompatibleRuntimes'),
      CompatibleArchitectures: readStringList(body, 'CompatibleArchitectures'),
      LicenseInfo: readString(body, 'LicenseInfo'),
    }),
  };
  return withHttpLocation(req, 201, await r.publishLayerVersion(input, req.scope));
};

export const getLayerVersion: Handler = async (r, req) =>
  withHttpLocation(req, 200, await r.getLayerVersion({ LayerName: layerName(req), VersionNumber: versionNumber(req) }, req.scope));

export const deleteLayerVersion: Handler = async (r, req) => {
  await r.deleteLayerVersion({ LayerName: layerName(req), VersionNumber: versionNumber(req) }, req.scope);
  return { status: 204 };
};

export const listLayerVersions: Handler = async (r, req) => ({
  status: 200,
  json: await r.listLayerVersions({ LayerName: layerName(req), ...filters(req) }, req.scope),
});

/** `GET /2018-10-31/layers` is ListLayers, or GetLayerVersionByArn with `?find=LayerVersion&Arn=`. */
export const listLayersOrFind: Handler = async (r, req) => {
  if (req.query.get('find') === 'LayerVersion') {
    const arn = required('Arn', queryString(req.query, 'Arn'));
    return withHttpLocation(req, 200, await r.getLayerVersionByArn({ Arn: arn }, req.scope));
  }
  return { status: 200, json: await r.listLayers(filters(req), req.scope) };
};
