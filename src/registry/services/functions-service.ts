// Functions: create, read, list, update code and configuration, delete (whole function or one version).
import { functionArn, isVersionNumber, parseFunctionRef } from '../arn.js';
import type { ArnContext } from '../arn.js';
import { conflict, invalidParameter, preconditionFailed, validationError } from '../errors.js';
import type {
  CreateFunctionInput, FunctionRefInput, ListFunctionsInput, UpdateFunctionCodeInput, UpdateFunctionConfigurationInput,
} from '../inputs.js';
import { LATEST } from '../model.js';
import type { FunctionVersionRecord, RequestScope, VersionSettings } from '../model.js';
import { qualifiedArn, toFunctionConfiguration, toListedConfiguration } from '../shapes.js';
import type { FunctionConfiguration } from '../shapes.js';
import {
  arnContext, newRevisionId, requireFunction, requireIdle, requireVersion, resolveQualified, retireEnvironments, timestamp,
} from './context.js';
import type { RegistryContext } from './context.js';
import { paginate, versionOrder } from './paging.js';
import { applyConfiguration, checkCode, checkTotalUnzipped } from './settings.js';
import { blobsOf, collectBlobs } from './blob-gc.js';
import { publishLatest } from './versions-service.js';

export interface GetFunctionOutput {
  Configuration: FunctionConfiguration;
  Code: { RepositoryType: 'S3'; Location: string };
  Tags: Record<string, string>;
  Concurrency?: { ReservedConcurrentExecutions: number };
}

const CREATING = { reason: 'The function is being created.', code: 'Creating' } as const;

const DEFAULTS: Omit<VersionSettings, 'codeSha256' | 'codeSize' | 'codeUnzippedSize'> = {
  runtime: '', role: '', handler: '', description: '', timeout: 3, memorySize: 128, environment: undefined, layers: [],
  architectures: ['x86_64'], ephemeralStorage: 512, tracingMode: 'PassThrough',
};

export async function createFunction(ctx: RegistryContext, input: CreateFunctionInput, scope?: RequestScope): Promise<FunctionConfiguration> {
  const arn = arnContext(ctx, scope);
  const ref = parseFunctionRef(input.FunctionName, arn);
  if (ref.qualifier !== undefined) throw invalidParameter('Function name cannot have a qualifier when creating a function.');
  if (input.PackageType !== undefined && input.PackageType !== 'Zip') {
    throw invalidParameter('The registry runs Zip functions only; PackageType Image is not supported.');
  }
  if (input.Runtime === undefined || input.Handler === undefined) {
    throw invalidParameter('Runtime and Handler are mandatory parameters for functions created with deployment packages.');
  }
  const config = applyConfiguration(ctx, arn, input, DEFAULTS);
  const code = await checkCode(input.Code);
  const settings: VersionSettings = { ...config, codeSha256: code.codeSha256, codeSize: code.codeSize, codeUnzippedSize: code.unzippedSize };
  checkTotalUnzipped(settings);
  const exists = () => {
    if (ctx.functions.getFunction(arn.region, ref.name)) throw conflict(`Function already exist: ${ref.name}`);
  };
  exists();
  ctx.blobs.put(code.zip);
  const latest: FunctionVersionRecord = {
    ...settings,
    region: arn.region,
    account: arn.account,
    functionName: ref.name,
    version: LATEST,
    lastModified: timestamp(ctx),
    revisionId: newRevisionId(),
    state: 'Pending',
    stateReason: CREATING.reason,
    stateReasonCode: CREATING.code,
    settleAt: ctx.now() + ctx.settleMs,
    ...runtimeOutcome(ctx, settings.runtime),
  };
  return ctx.functions.transaction(() => {
    exists();
    ctx.functions.insertFunction(latest);
    if (input.Publish === true) return publishLatest(ctx, arn, ref.name, undefined);
    return toFunctionConfiguration(latest, functionArn(arn, ref.name));
  });
}

export function getFunctionConfiguration(ctx: RegistryContext, input: FunctionRefInput, scope?: RequestScope): FunctionConfiguration {
  const arn = arnContext(ctx, scope);
  const ref = parseFunctionRef(input.FunctionName, arn, input.Qualifier);
  const { record } = resolveQualified(ctx, arn, ref);
  const shownArn = ref.qualifier === undefined || ref.qualifier === LATEST ? undefined : ref.qualifier;
  return toFunctionConfiguration(record, functionArn(arn, ref.name, shownArn));
}

export function getFunction(ctx: RegistryContext, input: FunctionRefInput, scope?: RequestScope): GetFunctionOutput {
  const configuration = getFunctionConfiguration(ctx, input, scope);
  const arn = arnContext(ctx, scope);
  const row = requireFunction(ctx, arn, configuration.FunctionName);
  const out: GetFunctionOutput = {
    Configuration: configuration,
    Code: { RepositoryType: 'S3', Location: `file://${ctx.blobs.pathOf(configuration.CodeSha256)}` },
    Tags: {},
  };
  if (row.reservedConcurrency !== undefined) out.Concurrency = { ReservedConcurrentExecutions: row.reservedConcurrency };
  return out;
}

export function listFunctions(
  ctx: RegistryContext,
  input: ListFunctionsInput = {},
  scope?: RequestScope,
): { Functions: FunctionConfiguration[]; NextMarker?: string } {
  const arn = arnContext(ctx, scope);
  if (input.FunctionVersion !== undefined && input.FunctionVersion !== 'ALL') {
    throw validationError(input.FunctionVersion, 'functionVersion', 'Member must satisfy enum value set: [ALL]');
  }
  const all = input.FunctionVersion === 'ALL';
  const names = ctx.functions.listFunctionNames(arn.region, '', Number.MAX_SAFE_INTEGER);
  const configs = names.flatMap((name) => {
    const versions = all ? ctx.functions.listVersions(arn.region, name) : [requireVersion(ctx, arn, name, LATEST)];
    return versions.map((r) => {
      const shown = all ? qualifiedArn(functionArn(arn, name), r.version) : functionArn(arn, name);
      return toListedConfiguration(r, shown);
    });
  });
  const page = paginate(configs, input.Marker, input.MaxItems, (c) => [c.FunctionName, versionOrder(c.Version)]);
  return page.nextMarker === undefined ? { Functions: page.items } : { Functions: page.items, NextMarker: page.nextMarker };
}

/** Common steps of both updates: settled `$LATEST`, the RevisionId precondition, no update in flight. */
function beginUpdate(ctx: RegistryContext, arn: ArnContext, name: string, revisionId: string | undefined): FunctionVersionRecord {
  const latest = requireVersion(ctx, arn, name, LATEST);
  if (revisionId !== undefined && revisionId !== latest.revisionId) throw preconditionFailed();
  requireIdle(functionArn(arn, name), latest);
  return latest;
}

function updatedRecord(ctx: RegistryContext, latest: FunctionVersionRecord, settings: VersionSettings): FunctionVersionRecord {
  const next: FunctionVersionRecord = {
    ...latest,
    ...settings,
    lastModified: timestamp(ctx),
    revisionId: newRevisionId(),
    lastUpdateStatus: 'InProgress',
    lastUpdateStatusReason: CREATING.reason,
    lastUpdateStatusReasonCode: CREATING.code,
    settleAt: ctx.now() + ctx.settleMs,
  };
  return next;
}

export async function updateFunctionCode(ctx: RegistryContext, input: UpdateFunctionCodeInput, scope?: RequestScope): Promise<FunctionConfiguration> {
  const arn = arnContext(ctx, scope);
  const { name } = parseFunctionRef(input.FunctionName, arn);
  beginUpdate(ctx, arn, name, input.RevisionId);
  const code = await checkCode(input);
  let replaced: string[] = [];
  const result = ctx.functions.transaction(() => {
    const latest = beginUpdate(ctx, arn, name, input.RevisionId);
    const config = applyConfiguration(ctx, arn, input.Architectures ? { Architectures: input.Architectures } : {}, latest);
    const settings: VersionSettings = { ...config, codeSha256: code.codeSha256, codeSize: code.codeSize, codeUnzippedSize: code.unzippedSize };
    checkTotalUnzipped(settings);
    const next = updatedRecord(ctx, latest, settings);
    if (input.DryRun === true) return toFunctionConfiguration({ ...latest, ...settings }, functionArn(arn, name));
    ctx.blobs.put(code.zip);
    ctx.functions.putVersion(next);
    replaced = blobsOf(latest);
    if (input.Publish === true) return publishLatest(ctx, arn, name, undefined);
    return toFunctionConfiguration(next, functionArn(arn, name));
  });
  collectBlobs(ctx, replaced);
  if (input.DryRun !== true) await retireEnvironments(ctx, functionArn(arn, name), LATEST);
  return result;
}

export async function updateFunctionConfiguration(
  ctx: RegistryContext,
  input: UpdateFunctionConfigurationInput,
  scope?: RequestScope,
): Promise<FunctionConfiguration> {
  const arn = arnContext(ctx, scope);
  const { name } = parseFunctionRef(input.FunctionName, arn);
  let replaced: string[] = [];
  const result = ctx.functions.transaction(() => {
    const latest = beginUpdate(ctx, arn, name, input.RevisionId);
    const settings: VersionSettings = { ...latest, ...applyConfiguration(ctx, arn, input, latest) };
    checkTotalUnzipped(settings);
    const next = updatedRecord(ctx, latest, settings);
    ctx.functions.putVersion(next);
    replaced = blobsOf(latest); // new Layers may drop the last user of a deleted layer version's content
    return toFunctionConfiguration(next, functionArn(arn, name));
  });
  collectBlobs(ctx, replaced);
  await retireEnvironments(ctx, functionArn(arn, name), LATEST);
  return result;
}

export async function deleteFunction(ctx: RegistryContext, input: FunctionRefInput, scope?: RequestScope): Promise<void> {
  const arn = arnContext(ctx, scope);
  const ref = parseFunctionRef(input.FunctionName, arn, input.Qualifier);
  requireFunction(ctx, arn, ref.name);
  const q = ref.qualifier;
  if (q === undefined) {
    const used = ctx.functions.listVersions(arn.region, ref.name).flatMap(blobsOf);
    ctx.functions.deleteFunction(arn.region, ref.name);
    collectBlobs(ctx, used);
    await retireEnvironments(ctx, functionArn(arn, ref.name));
    return;
  }
  if (q === LATEST) throw invalidParameter('$LATEST version cannot be deleted without deleting the function.');
  if (!isVersionNumber(q)) throw invalidParameter('Deletion of aliases is not currently supported.');
  const deleted = ctx.functions.transaction(() => {
    const version = requireVersion(ctx, arn, ref.name, q);
    const users = ctx.functions
      .listAliases(arn.region, ref.name)
      .filter((a) => a.functionVersion === q || a.weights[q] !== undefined)
      .map((a) => a.name);
    if (users.length > 0) {
      throw conflict(`Unable to delete version because the following aliases reference it: [${users.join(', ')}]`);
    }
    ctx.functions.deleteVersion(arn.region, ref.name, q);
    return version;
  });
  collectBlobs(ctx, blobsOf(deleted));
  await retireEnvironments(ctx, functionArn(arn, ref.name), q);
}

/** What the invoke side says of a runtime: a function it cannot run settles Failed (InvalidRuntime), else a note. */
function runtimeOutcome(ctx: RegistryContext, runtime: string | undefined): Pick<FunctionVersionRecord, 'settleFailure' | 'runtimeNote'> {
  const support = runtime === undefined ? undefined : ctx.invoker.runtimeSupport?.(runtime);
  if (!support) return {};
  if (!support.supported) return { settleFailure: { reason: support.reason, code: 'InvalidRuntime' } };
  return support.note ? { runtimeNote: support.note } : {};
}
