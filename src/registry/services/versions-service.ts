// Versions: PublishVersion (idempotent when nothing changed, with CodeSha256/RevisionId preconditions) and listing.
import { functionArn, parseFunctionRef } from '../arn.js';
import type { ArnContext } from '../arn.js';
import { invalidParameter, preconditionFailed } from '../errors.js';
import type { FunctionRefInput, ListInput, PublishVersionInput } from '../inputs.js';
import { LATEST } from '../model.js';
import type { FunctionVersionRecord, RequestScope } from '../model.js';
import { qualifiedArn, toFunctionConfiguration } from '../shapes.js';
import type { FunctionConfiguration } from '../shapes.js';
import { arnContext, fingerprintOf, newRevisionId, requireFunction, requireIdle, requireVersion, settle } from './context.js';
import type { RegistryContext } from './context.js';
import { paginate, versionOrder } from './paging.js';

export function publishVersion(ctx: RegistryContext, input: PublishVersionInput, scope?: RequestScope): FunctionConfiguration {
  const arn = arnContext(ctx, scope);
  const { name } = parseFunctionRef(input.FunctionName, arn);
  return ctx.functions.transaction(() => {
    const latest = requireVersion(ctx, arn, name, LATEST);
    if (input.CodeSha256 !== undefined && input.CodeSha256 !== latest.codeSha256) {
      throw invalidParameter(
        `CodeSHA256 (${input.CodeSha256}) is different from current CodeSHA256 in $LATEST (${latest.codeSha256}). Please try again with the CodeSHA256 in $LATEST.`,
      );
    }
    if (input.RevisionId !== undefined && input.RevisionId !== latest.revisionId) throw preconditionFailed();
    requireIdle(functionArn(arn, name), latest);
    return publishLatest(ctx, arn, name, input.Description);
  });
}

/**
 * Publishes `$LATEST` as the next version number, or returns the newest version when `$LATEST` has not changed
 * since it was published (its Description then stays as it was). Runs inside the caller's transaction.
 */
export function publishLatest(ctx: RegistryContext, arn: ArnContext, name: string, description: string | undefined): FunctionConfiguration {
  const latest = requireVersion(ctx, arn, name, LATEST);
  const source = fingerprintOf(latest);
  const newest = ctx.functions.listVersions(arn.region, name).filter((v) => v.version !== LATEST).at(-1);
  if (newest && newest.publishedFrom === source) {
    return toFunctionConfiguration(settle(ctx, newest), functionArn(arn, name, newest.version));
  }
  const number = String(ctx.functions.takeVersionNumber(arn.region, name));
  const version: FunctionVersionRecord = {
    ...latest,
    version: number,
    description: description ?? latest.description,
    revisionId: newRevisionId(),
    state: 'Pending',
    stateReason: 'The function is being created.',
    stateReasonCode: 'Creating',
    settleAt: ctx.now() + ctx.settleMs,
    publishedFrom: source,
  };
  delete version.lastUpdateStatus;
  delete version.lastUpdateStatusReason;
  delete version.lastUpdateStatusReasonCode;
  ctx.functions.putVersion(version);
  // AWS gives $LATEST a new RevisionId when a version is published from it.
  ctx.functions.putVersion({ ...latest, revisionId: newRevisionId() });
  return toFunctionConfiguration(version, functionArn(arn, name, number));
}

export function listVersionsByFunction(
  ctx: RegistryContext,
  input: FunctionRefInput & ListInput,
  scope?: RequestScope,
): { Versions: FunctionConfiguration[]; NextMarker?: string } {
  const arn = arnContext(ctx, scope);
  const { name } = parseFunctionRef(input.FunctionName, arn);
  requireFunction(ctx, arn, name);
  const all = ctx.functions
    .listVersions(arn.region, name)
    .map((r) => toFunctionConfiguration(settle(ctx, r), qualifiedArn(functionArn(arn, name), r.version)));
  const page = paginate(all, input.Marker, input.MaxItems, (c) => [versionOrder(c.Version)]);
  return page.nextMarker === undefined ? { Versions: page.items } : { Versions: page.items, NextMarker: page.nextMarker };
}
