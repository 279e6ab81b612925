// The Lambda API's shapes (PascalCase, as AWS and its SDKs spell them) and the conversions from stored records.
import { LATEST } from './model.js';
import type { AliasRecord, FunctionVersionRecord, LayerVersionRecord } from './model.js';

export interface FunctionConfiguration {
  FunctionName: string;
  FunctionArn: string;
  Runtime: string;
  Role: string;
  Handler: string;
  CodeSize: number;
  Description: string;
  Timeout: number;
  MemorySize: number;
  LastModified: string;
  CodeSha256: string;
  Version: string;
  Environment?: { Variables: Record<string, string> };
  TracingConfig: { Mode: string };
  RevisionId: string;
  Layers?: { Arn: string; CodeSize: number }[];
  State?: string;
  StateReason?: string;
  StateReasonCode?: string;
  LastUpdateStatus?: string;
  LastUpdateStatusReason?: string;
  LastUpdateStatusReasonCode?: string;
  PackageType: 'Zip';
  Architectures: string[];
  EphemeralStorage: { Size: number };
  LoggingConfig: { LogFormat: string; LogGroup: string };
  SnapStart: { ApplyOn: string; OptimizationStatus: string };
}

export interface AliasConfiguration {
  AliasArn: string;
  Name: string;
  FunctionVersion: string;
  Description: string;
  RevisionId: string;
  RoutingConfig?: { AdditionalVersionWeights: Record<string, number> };
}

export interface LayerVersionContent {
  Location: string;
  CodeSha256: string;
  CodeSize: number;
}

export interface LayerVersionsListItem {
  LayerVersionArn: string;
  Version: number;
  Description: string;
  CreatedDate: string;
  CompatibleRuntimes?: string[];
  CompatibleArchitectures?: string[];
  LicenseInfo?: string;
}

export interface LayerVersion extends LayerVersionsListItem {
  Content: LayerVersionContent;
  LayerArn: string;
}

export interface LayersListItem {
  LayerName: string;
  LayerArn: string;
  LatestMatchingVersion: LayerVersionsListItem;
}

/** A function version as the API shows it; `arn` is the ARN the caller should see (see lambda.md 1.2). */
export function toFunctionConfiguration(r: FunctionVersionRecord, arn: string): FunctionConfiguration {
  const c: FunctionConfiguration = {
    FunctionName: r.functionName,
    FunctionArn: arn,
    Runtime: r.runtime,
    Role: r.role,
    Handler: r.handler,
    CodeSize: r.codeSize,
    Description: r.description,
    Timeout: r.timeout,
    MemorySize: r.memorySize,
    LastModified: r.lastModified,
    CodeSha256: r.codeSha256,
    Version: r.version,
    TracingConfig: { Mode: r.tracingMode },
    RevisionId: r.revisionId,
    State: r.state,
    PackageType: 'Zip',
    Architectures: r.architectures,
    EphemeralStorage: { Size: r.ephemeralStorage },
    LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${r.functionName}` },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
  };
  if (r.environment !== undefined) c.Environment = { Variables: r.environment };
  if (r.layers.length > 0) c.Layers = r.layers.map((l) => ({ Arn: l.arn, CodeSize: l.codeSize }));
  if (r.stateReason !== undefined) c.StateReason = r.stateReason;
  if (r.stateReasonCode !== undefined) c.StateReasonCode = r.stateReasonCode;
  if (r.lastUpdateStatus !== undefined) c.LastUpdateStatus = r.lastUpdateStatus;
  if (r.lastUpdateStatusReason !== undefined) c.LastUpdateStatusReason = r.lastUpdateStatusReason;
  if (r.lastUpdateStatusReasonCode !== undefined) c.LastUpdateStatusReasonCode = r.lastUpdateStatusReasonCode;
  return c;
}

/** ListFunctions shows a subset: no State or LastUpdateStatus fields (GetFunction has them). */
export function toListedConfiguration(r: FunctionVersionRecord, arn: string): FunctionConfiguration {
  const c = toFunctionConfiguration(r, arn);
  delete c.State;
  delete c.StateReason;
  delete c.StateReasonCode;
  delete c.LastUpdateStatus;
  delete c.LastUpdateStatusReason;
  delete c.LastUpdateStatusReasonCode;
  return c;
}

/** The ARN ListVersionsByFunction and PublishVersion show: always qualified, `$LATEST` included. */
export function qualifiedArn(unqualified: string, version: string): string {
  return `${unqualified}:${version}`;
}

export function isLatest(version: string): boolean {
  return version === LATEST;
}

export function toAliasConfiguration(a: AliasRecord, aliasArn: string): AliasConfiguration {
  const c: AliasConfiguration = {
    AliasArn: aliasArn,
    Name: a.name,
    FunctionVersion: a.functionVersion,
    Description: a.description,
    RevisionId: a.revisionId,
  };
  if (Object.keys(a.weights).length > 0) c.RoutingConfig = { AdditionalVersionWeights: a.weights };
  return c;
}

export function toLayerVersionsListItem(l: LayerVersionRecord, layerVersionArn: string): LayerVersionsListItem {
  const item: LayerVersionsListItem = {
    LayerVersionArn: layerVersionArn,
    Version: l.version,
    Description: l.description,
    CreatedDate: l.createdDate,
  };
  if (l.compatibleRuntimes.length > 0) item.CompatibleRuntimes = l.compatibleRuntimes;
  if (l.compatibleArchitectures.length > 0) item.CompatibleArchitectures = l.compatibleArchitectures;
  if (l.licenseInfo !== undefined) item.LicenseInfo = l.licenseInfo;
  return item;
}

export function toLayerVersion(l: LayerVersionRecord, layerArn: string, location: string): LayerVersion {
  return {
    Content: { Location: location, CodeSha256: l.codeSha256, CodeSize: l.codeSize },
    LayerArn: layerArn,
    ...toLayerVersionsListItem(l, `${layerArn}:${l.version}`),
  };
}
