// What every service shares: the stores, the clock, the account, and the lookups that turn references into records.
import { createHash, randomUUID } from 'node:crypto';
import { functionArn, isVersionNumber } from '../arn.js';
import type { ArnContext, FunctionRef } from '../arn.js';
import { conflict, notFound } from '../errors.js';
import type { Invoker } from '../invoke-port.js';
import { LATEST, formatTimestamp, transitionFunctionState, transitionLastUpdateStatus } from '../model.js';
import type { AliasRecord, FunctionVersionRecord, RequestScope, VersionSettings } from '../model.js';
import type { BlobStore } from '../store/blob-store.js';
import type { FunctionRow, FunctionStore } from '../store/function-store.js';
import type { LayerStore } from '../store/layer-store.js';
import type { MetricsStore } from '../metrics/metrics-store.js';

export interface RegistryContext {
  functions: FunctionStore;
  layers: LayerStore;
  blobs: BlobStore;
  invoker: Invoker;
  /** Invocation metrics (the invoker records invocations; the invoke service the requests it throttles itself). */
  metrics: MetricsStore;
  account: string;
  defaultRegion: string;
  /** How long Pending / InProgress last before they settle (AWS: a moment; here tens of ms). */
  settleMs: number;
  now: () => number;
  /** [0,1): picks the version of a weighted alias per request. */
  random: () => number;
}

export function arnContext(ctx: RegistryContext, scope: RequestScope = {}): ArnContext {
  return { region: scope.region ?? ctx.defaultRegion, account: ctx.account };
}

export function newRevisionId(): string {
  return randomUUID();
}

export function timestamp(ctx: RegistryContext): string {
  return formatTimestamp(new Date(ctx.now()));
}

/** Identity of a version's code and configuration: PublishVersion publishes only when it changed. */
export function fingerprintOf(s: VersionSettings): string {
  const keys: (keyof VersionSettings)[] = [
    'runtime', 'role', 'handler', 'description', 'timeout', 'memorySize', 'environment', 'layers',
    'architectures', 'ephemeralStorage', 'tracingMode', 'codeSha256', 'codeSize',
  ];
  const canonical = JSON.stringify(keys.map((k) => s[k] ?? null));
  return createHash('sha256').update(canonical).digest('hex');
}

export function requireFunction(ctx: RegistryContext, arn: ArnContext, name: string): FunctionRow {
  const row = ctx.functions.getFunction(arn.region, name);
  if (!row) throw notFound(`Function not found: ${functionArn(arn, name)}`);
  return row;
}

/** Moves a Pending/InProgress record on once its time has come, with a new RevisionId, as AWS does. */
export function settle(ctx: RegistryContext, r: FunctionVersionRecord): FunctionVersionRecord {
  if (r.settleAt === undefined || ctx.now() < r.settleAt) return r;
  const next: FunctionVersionRecord = { ...r, revisionId: newRevisionId() };
  delete next.settleAt;
  if (r.state === 'Pending' && r.settleFailure) {
    // Lambda's own answer to a runtime it cannot run: the function fails to become Active, and says why.
    next.state = transitionFunctionState(r.state, 'Failed');
    next.stateReason = r.settleFailure.reason;
    next.stateReasonCode = r.settleFailure.code;
    delete next.settleFailure;
    if (r.lastUpdateStatus === undefined) next.lastUpdateStatus = transitionLastUpdateStatus(undefined, 'Failed');
  } else if (r.state === 'Pending') {
    next.state = transitionFunctionState(r.state, 'Active');
    delete next.stateReason;
    delete next.stateReasonCode;
    if (r.runtimeNote) next.stateReason = r.runtimeNote;
    if (r.lastUpdateStatus === undefined) next.lastUpdateStatus = transitionLastUpdateStatus(undefined, 'Successful');
  }
  if (r.lastUpdateStatus === 'InProgress') {
    next.lastUpdateStatus = transitionLastUpdateStatus(r.lastUpdateStatus, 'Successful');
    delete next.lastUpdateStatusReason;
    delete next.lastUpdateStatusReasonCode;
  }
  ctx.functions.putVersion(next);
  return next;
}

/** A version record (`$LATEST` or a number), settled; 404 in AWS's words when missing. */
export function requireVersion(ctx: RegistryContext, arn: ArnContext, name: string, version: string): FunctionVersionRecord {
  const r = ctx.functions.getVersion(arn.region, name, version);
  if (!r) {
    if (version === LATEST) throw notFound(`Function not found: ${functionArn(arn, name)}`);
    throw notFound(`Function not found: ${functionArn(arn, name, version)}`);
  }
  return settle(ctx, r);
}

export interface Resolved {
  record: FunctionVersionRecord;
  alias?: AliasRecord;
}

/** Resolves name + qualifier: no qualifier or `$LATEST`, a version number, or an alias (its primary version). */
export function resolveQualified(ctx: RegistryContext, arn: ArnContext, ref: FunctionRef): Resolved {
  requireFunction(ctx, arn, ref.name);
  const q = ref.qualifier ?? LATEST;
  if (q === LATEST || isVersionNumber(q)) return { record: requireVersion(ctx, arn, ref.name, q) };
  const alias = ctx.functions.getAlias(arn.region, ref.name, q);
  if (!alias) throw notFound(`Function not found: ${functionArn(arn, ref.name, q)}`);
  return { record: requireVersion(ctx, arn, ref.name, alias.functionVersion), alias };
}

/** 409 while the function is still being created or updated, as AWS answers a second update. */
export function requireIdle(arn: string, r: FunctionVersionRecord): void {
  if (r.state === 'Pending') {
    throw conflict(`The operation cannot be performed at this time. The function is currently in the following state: ${r.state}`);
  }
  if (r.lastUpdateStatus === 'InProgress') {
    throw conflict(`The operation cannot be performed at this time. An update is in progress for resource: ${arn}`);
  }
}

/** Tells the invoke side that environments of this function (or one version) are stale; never fails the call. */
export async function retireEnvironments(ctx: RegistryContext, arn: string, version?: string): Promise<void> {
  try {
    await ctx.invoker.retire(arn, version);
  } catch {
    // Retiring is best effort: the invoke side also retires by revision when it sees a new InvokeTarget.
  }
}
