// Layers: PublishLayerVersion (numbers only grow), get by name+version or by ARN, list, delete (idempotent).
import { layerArn, layerVersionArn, parseLayerName, parseLayerVersionArn } from '../arn.js';
import { invalidParameter, notFound, validationError } from '../errors.js';
import type { LayerVersionRefInput, ListLayerVersionsInput, ListLayersInput, PublishLayerVersionInput } from '../inputs.js';
import { LIMITS, RUNTIMES, checkDescription } from '../limits.js';
import type { LayerVersionRecord, RequestScope } from '../model.js';
import { toLayerVersion, toLayerVersionsListItem } from '../shapes.js';
import type { LayerVersion, LayerVersionsListItem, LayersListItem } from '../shapes.js';
import { arnContext, timestamp } from './context.js';
import type { RegistryContext } from './context.js';
import { paginate } from './paging.js';
import { collectBlobs } from './blob-gc.js';
import { checkCode } from './settings.js';

const NOT_FOUND = 'The resource you requested does not exist.';

export async function publishLayerVersion(ctx: RegistryContext, input: PublishLayerVersionInput, scope?: RequestScope): Promise<LayerVersion> {
  const arn = arnContext(ctx, scope);
  const name = parseLayerName(input.LayerName, arn);
  if (input.Description !== undefined) checkDescription(input.Description);
  const runtimes = input.CompatibleRuntimes ?? [];
  const architectures = input.CompatibleArchitectures ?? [];
  checkCompatibility(runtimes, architectures);
  if (input.LicenseInfo !== undefined && input.LicenseInfo.length > 512) {
    throw validationError(input.LicenseInfo, 'licenseInfo', 'Member must have length less than or equal to 512');
  }
  const code = await checkCode(input.Content, 'Content');
  ctx.blobs.put(code.zip);
  const record = ctx.layers.transaction(() => {
    const r: LayerVersionRecord = {
      region: arn.region,
      account: arn.account,
      layerName: name,
      version: ctx.layers.takeVersionNumber(arn.region, name),
      description: input.Description ?? '',
      compatibleRuntimes: runtimes,
      compatibleArchitectures: architectures,
      codeSha256: code.codeSha256,
      codeSize: code.codeSize,
      unzippedSize: code.unzippedSize,
      createdDate: timestamp(ctx),
    };
    if (input.LicenseInfo !== undefined) r.licenseInfo = input.LicenseInfo;
    ctx.layers.putVersion(r);
    return r;
  });
  return toLayerVersion(record, layerArn(arn, name), locationOf(ctx, record));
}

export function getLayerVersion(ctx: RegistryContext, input: LayerVersionRefInput, scope?: RequestScope): LayerVersion {
  const arn = arnContext(ctx, scope);
  const name = parseLayerName(input.LayerName, arn);
  checkVersionNumber(input.VersionNumber);
  const r = ctx.layers.getVersion(arn.region, name, input.VersionNumber);
  if (!r) throw notFound(NOT_FOUND);
  return toLayerVersion(r, layerArn(arn, name), locationOf(ctx, r));
}

export function getLayerVersionByArn(ctx: RegistryContext, input: { Arn: string }, scope?: RequestScope): LayerVersion {
  const arn = arnContext(ctx, scope);
  const ref = parseLayerVersionArn(input.Arn);
  if (!ref) {
    throw validationError(input.Arn, 'arn', 'Member must satisfy regular expression pattern: arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+');
  }
  if (ref.region !== arn.region || ref.account !== arn.account) throw notFound(NOT_FOUND);
  return getLayerVersion(ctx, { LayerName: ref.layerName, VersionNumber: ref.version }, scope);
}

export function listLayerVersions(
  ctx: RegistryContext,
  input: ListLayerVersionsInput,
  scope?: RequestScope,
): { LayerVersions: LayerVersionsListItem[]; NextMarker?: string } {
  const arn = arnContext(ctx, scope);
  const name = parseLayerName(input.LayerName, arn);
  const all = ctx.layers
    .listVersions(arn.region, name)
    .filter((r) => isCompatible(r, input))
    .map((r) => toLayerVersionsListItem(r, layerVersionArn(arn, name, r.version)));
  // Newest first: the key is the negated version number.
  const page = paginate(all, input.Marker, input.MaxItems, (v) => [-v.Version]);
  return page.nextMarker === undefined ? { LayerVersions: page.items } : { LayerVersions: page.items, NextMarker: page.nextMarker };
}

export function listLayers(ctx: RegistryContext, input: ListLayersInput = {}, scope?: RequestScope): { Layers: LayersListItem[]; NextMarker?: string } {
  const arn = arnContext(ctx, scope);
  const all = ctx.layers.listLayerNames(arn.region).flatMap((name): LayersListItem[] => {
    const latest = ctx.layers.listVersions(arn.region, name).find((r) => isCompatible(r, input));
    if (!latest) return [];
    return [{
      LayerName: name,
      LayerArn: layerArn(arn, name),
      LatestMatchingVersion: toLayerVersionsListItem(latest, layerVersionArn(arn, name, latest.version)),
    }];
  });
  const page = paginate(all, input.Marker, input.MaxItems, (l) => [l.LayerName]);
  return page.nextMarker === undefined ? { Layers: page.items } : { Layers: page.items, NextMarker: page.nextMarker };
}

/** Idempotent, as AWS: deleting a version that is gone (or never was) succeeds. Functions keep their copy. */
export function deleteLayerVersion(ctx: RegistryContext, input: LayerVersionRefInput, scope?: RequestScope): void {
  const arn = arnContext(ctx, scope);
  const name = parseLayerName(input.LayerName, arn);
  checkVersionNumber(input.VersionNumber);
  const deleted = ctx.layers.getVersion(arn.region, name, input.VersionNumber);
  ctx.layers.deleteVersion(arn.region, name, input.VersionNumber);
  if (deleted) collectBlobs(ctx, [deleted.codeSha256]);
}

function checkVersionNumber(n: number): void {
  if (!Number.isInteger(n)) throw validationError(String(n), 'versionNumber', 'Member must be a number');
  if (n < 1) throw invalidParameter('Layer Version Cannot be less than 1');
}

function checkCompatibility(runtimes: readonly string[], architectures: readonly string[]): void {
  if (runtimes.length > LIMITS.compatibleRuntimes) {
    throw validationError(`[${runtimes.join(', ')}]`, 'compatibleRuntimes', `Member must have length less than or equal to ${LIMITS.compatibleRuntimes}`);
  }
  const badRuntime = runtimes.find((r) => !(RUNTIMES as readonly string[]).includes(r));
  if (badRuntime !== undefined) {
    throw validationError(`[${runtimes.join(', ')}]`, 'compatibleRuntimes', `Member must satisfy constraint: [Member must satisfy enum value set: [${RUNTIMES.join(', ')}]]`);
  }
  if (architectures.length > LIMITS.compatibleArchitectures || architectures.some((a) => a !== 'x86_64' && a !== 'arm64')) {
    throw validationError(`[${architectures.join(', ')}]`, 'compatibleArchitectures', 'Member must satisfy constraint: [Member must have length less than or equal to 2, Member must satisfy enum value set: [x86_64, arm64]]');
  }
}

function isCompatible(r: LayerVersionRecord, filter: ListLayersInput): boolean {
  if (filter.CompatibleRuntime !== undefined && !r.compatibleRuntimes.includes(filter.CompatibleRuntime)) return false;
  if (filter.CompatibleArchitecture !== undefined && !r.compatibleArchitectures.includes(filter.CompatibleArchitecture)) return false;
  return true;
}

function locationOf(ctx: RegistryContext, r: LayerVersionRecord): string {
  return `file://${ctx.blobs.pathOf(r.codeSha256)}`;
}
