// Applying one resource of a planned stack to the registry: create or update a function (code, configuration,
// AutoPublishAlias version and alias, traffic shift), publish a layer version when its content changed, an explicit
// version or alias. Every registry call is preceded by its intent in the journal, so a crash can be undone.
import type { LambdaApi } from '../registry/index.js';
import type { Db } from '../infra/index.js';
import { PipeError } from '../core/index.js';
import type { ResourceStatus } from '../core/index.js';
import { readFile } from 'node:fs/promises';
import { configDigest, codeDigestOf, decideFunction, layerChanged } from './stack-plan.js';
import type { StackResolver } from './stack-resolver.js';
import { zipCode } from './stack-code.js';
import type { AliasModel, FunctionModel, LayerModel, ResourceModel, VersionModel } from './template-models.js';
import type { AliasState, DeployedState, FunctionState, LayerState, VersionState } from './stack-state.js';
import type { StackStore } from './stack-store.js';
import type { ShiftTraffic } from './stack-traffic.js';

export interface ApplyContext {
  lambda: LambdaApi;
  db: Db;
  store: StackStore;
  stackName: string;
  /** Where the stack keeps its code zips (for rollbacks): PIPE_HOME/stacks/NAME/code. */
  codeDir: string;
  shiftTraffic: ShiftTraffic;
  timeScale?: number;
  executionId?: string;
  signal?: AbortSignal;
  log(message: string): void;
  /** Work that waits until every resource is applied: traffic shifts (a hook may be created in a later level). */
  defer(task: () => Promise<void>): void;
}

export function isNotFound(e: unknown): boolean {
  const name = (e as { errorName?: string; name?: string } | null)?.errorName ?? (e as { code?: string } | null)?.code;
  return name === 'ResourceNotFoundException' || name === 'NotFound' || name === 'NOT_FOUND';
}

/** Deploys one resource; returns its new state (stored by the caller). */
export async function applyResource(ctx: ApplyContext, resolver: StackResolver, id: string, prev: DeployedState | undefined, type: string): Promise<DeployedState> {
  const model = resolver.model(id);
  resolver.problems.throwIfAny();
  if (!model) throw new PipeError('INTERNAL', `resource ${id} has no model`);
  const retain = resolver.resources.get(id)?.deletionPolicy === 'Retain';
  const progress = (status: ResourceStatus, physicalId?: string) => ctx.store.setResource(ctx.stackName, { logicalId: id, type, status, state: null, ...(physicalId ? { physicalId } : {}) });
  switch (model.kind) {
    case 'function':
      return applyFunction(ctx, model, prev?.kind === 'function' ? prev : undefined, retain, progress, () => resolver.model(id));
    case 'layer':
      return applyLayer(ctx, model, prev?.kind === 'layer' ? prev : undefined, progress);
    case 'version':
      return applyVersion(ctx, model, prev?.kind === 'version' ? prev : undefined, retain, progress);
    case 'alias':
      return applyAlias(ctx, model, prev?.kind === 'alias' ? prev : undefined, retain, progress);
  }
}

type Progress = (status: ResourceStatus, physicalId?: string) => void;

async function applyFunction(
  ctx: ApplyContext, model: FunctionModel, prev: FunctionState | undefined, retain: boolean, progress: Progress,
  remodel: () => ResourceModel | undefined,
): Promise<FunctionState> {
  const digest = await codeDigestOf(model);
  const d = decideFunction(model, digest, prev);
  const zip = await zipCode(model.code, digest, ctx.codeDir);
  const name = model.functionName;
  const { lambda, store } = ctx;
  const config = { ...model.config, ...(model.config.EphemeralStorage ? {} : {}) };
  if (d.create) {
    progress('CREATE_IN_PROGRESS', name);
    // Never journal (and so never undo) the creation of a function that is not ours.
    const exists = await lambda.getFunctionConfiguration({ FunctionName: name }).then(() => true, (e: unknown) => (isNotFound(e) ? false : Promise.reject(e)));
    if (exists) throw new PipeError('INVALID_ARGUMENT', `function ${name} already exists (outside this stack)`, { hint: 'choose another FunctionName, or delete that function' });
    store.journal(ctx.stackName, model.logicalId, { op: 'createFunction', functionName: name });
    await lambda.createFunction({ FunctionName: name, Code: { ZipFile: await readFile(zip) }, ...config });
    await lambda.waitUntilReady({ FunctionName: name });
  } else {
    if (d.codeChanged || d.configChanged.length > 0) {
      progress('UPDATE_IN_PROGRESS', name);
      store.journal(ctx.stackName, model.logicalId, { op: 'updateFunction', functionName: name });
    }
    if (d.codeChanged) {
      await lambda.updateFunctionCode({ FunctionName: name, ZipFile: await readFile(zip) });
      await lambda.waitUntilReady({ FunctionName: name });
    }
    if (d.configChanged.length > 0) {
      await lambda.updateFunctionConfiguration({ FunctionName: name, ...config });
      await lambda.waitUntilReady({ FunctionName: name });
    }
  }
  const fresh = await lambda.getFunctionConfiguration({ FunctionName: name });
  const state: FunctionState = { kind: 'function', functionName: name, arn: fresh.FunctionArn, config: model.config, codeDigest: digest, codeZip: zip };
  if (retain) state.retain = true;
  const alias = model.autoPublishAlias;
  if (!alias) return state;
  let version = prev?.publishedVersion;
  state.publishedConfigDigest = prev?.publishedConfigDigest ?? configDigest(model.config);
  if (d.publish || version === undefined) {
    store.journal(ctx.stackName, model.logicalId, { op: 'publishVersion', functionName: name });
    version = (await lambda.publishVersion({ FunctionName: name })).Version;
    // As CloudFormation waits for a resource to stabilise: the version answers before the alias points at it.
    await lambda.waitUntilReady({ FunctionName: name, Qualifier: version });
    state.publishedConfigDigest = configDigest(model.config);
    ctx.log(`${model.logicalId}: published version ${version} of ${name}`);
  }
  state.publishedVersion = version;
  const current = d.create ? undefined : await lambda.getAlias({ FunctionName: name, Name: alias }).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
  store.journal(ctx.stackName, model.logicalId, { op: 'alias', functionName: name, alias });
  if (!current) {
    await lambda.createAlias({ FunctionName: name, Name: alias, FunctionVersion: version });
  } else if (current.FunctionVersion !== version) {
    const pref = model.deploymentPreference;
    if (pref) {
      const target = version;
      const from = current.FunctionVersion;
      ctx.defer(async () => {
        store.journal(ctx.stackName, model.logicalId, { op: 'shiftTraffic', functionName: name, alias });
        // Evaluated again now: a hook function named by Ref exists by the time traffic shifts.
        const fresh = remodel();
        const now = fresh?.kind === 'function' ? (fresh.deploymentPreference ?? pref) : pref;
        const hooks = now.hooks;
        const result = await ctx.shiftTraffic({
          lambda, db: ctx.db, functionName: name, alias, currentVersion: from, targetVersion: target, deploymentType: pref.type,
          hooks, alarms: now.alarms, stackName: ctx.stackName, logicalId: model.logicalId,
          ...(ctx.timeScale === undefined ? {} : { timeScale: ctx.timeScale }),
          ...(ctx.executionId === undefined ? {} : { executionId: ctx.executionId }),
          ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
          onEvent: (e) => ctx.log(`${model.logicalId}: ${e.message}`),
        });
        if (result.status !== 'Succeeded') {
          throw new PipeError('BUILD_FAILED', `${model.logicalId}: deployment ${result.deploymentId} of ${name}:${alias} ${result.status}${result.reason ? `: ${result.reason}` : ''}`);
        }
        ctx.log(`${model.logicalId}: alias ${alias} -> version ${target}`);
      });
    } else {
      await lambda.updateAlias({ FunctionName: name, Name: alias, FunctionVersion: version, RoutingConfig: { AdditionalVersionWeights: {} } });
      ctx.log(`${model.logicalId}: alias ${alias} -> version ${version}`);
    }
  }
  state.alias = { name: alias, version, weights: {} };
  return state;
}

async function applyLayer(ctx: ApplyContext, model: LayerModel, prev: LayerState | undefined, progress: Progress): Promise<LayerState> {
  const digest = await codeDigestOf(model);
  if (prev && !layerChanged(model, digest, prev)) return prev;
  const zip = await zipCode(model.content, digest, ctx.codeDir);
  progress(prev ? 'UPDATE_IN_PROGRESS' : 'CREATE_IN_PROGRESS');
  const latestBefore = await ctx.lambda
    .listLayerVersions({ LayerName: model.layerName })
    .then((r) => Math.max(0, ...r.LayerVersions.map((v) => v.Version)))
    .catch(() => 0);
  ctx.store.journal(ctx.stackName, model.logicalId, { op: 'publishLayerVersion', layerName: model.layerName, latestBefore });
  const lv = await ctx.lambda.publishLayerVersion({
    LayerName: model.layerName,
    Content: { ZipFile: await readFile(zip) },
    Description: model.description,
    ...(model.compatibleRuntimes.length ? { CompatibleRuntimes: model.compatibleRuntimes } : {}),
    ...(model.compatibleArchitectures.length ? { CompatibleArchitectures: model.compatibleArchitectures } : {}),
    ...(model.licenseInfo ? { LicenseInfo: model.licenseInfo } : {}),
  });
  ctx.log(`${model.logicalId}: published layer version ${lv.LayerVersionArn}`);
  return { kind: 'layer', layerName: model.layerName, version: lv.Version, versionArn: lv.LayerVersionArn, contentDigest: digest, retain: model.retain };
}

async function applyVersion(ctx: ApplyContext, model: VersionModel, prev: VersionState | undefined, retain: boolean, progress: Progress): Promise<VersionState> {
  if (prev && prev.functionName === model.functionName) return prev;
  progress('CREATE_IN_PROGRESS');
  ctx.store.journal(ctx.stackName, model.logicalId, { op: 'publishVersion', functionName: model.functionName });
  const v = await ctx.lambda.publishVersion({ FunctionName: model.functionName, Description: model.description });
  await ctx.lambda.waitUntilReady({ FunctionName: model.functionName, Qualifier: v.Version });
  return { kind: 'version', functionName: model.functionName, version: v.Version, arn: v.FunctionArn, ...(retain ? { retain } : {}) };
}

async function applyAlias(ctx: ApplyContext, model: AliasModel, prev: AliasState | undefined, retain: boolean, progress: Progress): Promise<AliasState> {
  const version = model.functionVersion.split(':').pop() ?? model.functionVersion;
  const routing = { AdditionalVersionWeights: model.weights };
  ctx.store.journal(ctx.stackName, model.logicalId, { op: 'alias', functionName: model.functionName, alias: model.name });
  let arn: string;
  if (prev && prev.name === model.name && prev.functionName === model.functionName) {
    if (prev.functionVersion === version && JSON.stringify(prev.weights) === JSON.stringify(model.weights)) return prev;
    progress('UPDATE_IN_PROGRESS');
    arn = (await ctx.lambda.updateAlias({ FunctionName: model.functionName, Name: model.name, FunctionVersion: version, RoutingConfig: routing })).AliasArn;
  } else {
    progress('CREATE_IN_PROGRESS');
    arn = (await ctx.lambda.createAlias({ FunctionName: model.functionName, Name: model.name, FunctionVersion: version, RoutingConfig: routing })).AliasArn;
  }
  return { kind: 'alias', functionName: model.functionName, name: model.name, arn, functionVersion: version, weights: model.weights, ...(retain ? { retain } : {}) };
}
