// Aliases: a name pointing at a version, optionally with one additional version and its routing weight.
import { checkAliasName, functionArn, isVersionNumber, parseFunctionRef } from '../arn.js';
import type { ArnContext } from '../arn.js';
import { conflict, invalidParameter, notFound, preconditionFailed, validationError } from '../errors.js';
import type { AliasRefInput, CreateAliasInput, ListAliasesInput, RoutingConfig, UpdateAliasInput } from '../inputs.js';
import { checkDescription } from '../limits.js';
import { LATEST } from '../model.js';
import type { AliasRecord, RequestScope } from '../model.js';
import { toAliasConfiguration } from '../shapes.js';
import type { AliasConfiguration } from '../shapes.js';
import { arnContext, newRevisionId, requireFunction, requireVersion } from './context.js';
import type { RegistryContext } from './context.js';
import { paginate } from './paging.js';

export function createAlias(ctx: RegistryContext, input: CreateAliasInput, scope?: RequestScope): AliasConfiguration {
  const arn = arnContext(ctx, scope);
  const { name } = parseFunctionRef(input.FunctionName, arn);
  checkAliasName(input.Name);
  if (input.Description !== undefined) checkDescription(input.Description);
  return ctx.functions.transaction(() => {
    requireFunction(ctx, arn, name);
    checkTargetVersion(ctx, arn, name, input.FunctionVersion);
    const weights = checkRouting(ctx, arn, name, input.FunctionVersion, input.RoutingConfig) ?? {};
    const aliasArn = functionArn(arn, name, input.Name);
    if (ctx.functions.getAlias(arn.region, name, input.Name)) throw conflict(`Alias already exists: ${aliasArn}`);
    const alias: AliasRecord = {
      functionName: name,
      name: input.Name,
      functionVersion: input.FunctionVersion,
      description: input.Description ?? '',
      weights,
      revisionId: newRevisionId(),
    };
    ctx.functions.putAlias(arn.region, alias);
    return toAliasConfiguration(alias, aliasArn);
  });
}

export function getAlias(ctx: RegistryContext, input: AliasRefInput, scope?: RequestScope): AliasConfiguration {
  const arn = arnContext(ctx, scope);
  const { name } = parseFunctionRef(input.FunctionName, arn);
  checkAliasName(input.Name);
  requireFunction(ctx, arn, name);
  const aliasArn = functionArn(arn, name, input.Name);
  const alias = ctx.functions.getAlias(arn.region, name, input.Name);
  if (!alias) throw notFound(`Cannot find alias arn: ${aliasArn}`);
  return toAliasConfiguration(alias, aliasArn);
}

export function updateAlias(ctx: RegistryContext, input: UpdateAliasInput, scope?: RequestScope): AliasConfiguration {
  const arn = arnContext(ctx, scope);
  const { name } = parseFunctionRef(input.FunctionName, arn);
  checkAliasName(input.Name);
  if (input.Description !== undefined) checkDescription(input.Description);
  return ctx.functions.transaction(() => {
    requireFunction(ctx, arn, name);
    const aliasArn = functionArn(arn, name, input.Name);
    const alias = ctx.functions.getAlias(arn.region, name, input.Name);
    if (!alias) throw notFound(`Alias not found: ${aliasArn}`);
    if (input.RevisionId !== undefined && input.RevisionId !== alias.revisionId) throw preconditionFailed();
    const version = input.FunctionVersion ?? alias.functionVersion;
    if (input.FunctionVersion !== undefined) checkTargetVersion(ctx, arn, name, version);
    const weights = checkRouting(ctx, arn, name, version, input.RoutingConfig) ?? alias.weights;
    if (input.RoutingConfig === undefined && version === LATEST && Object.keys(weights).length > 0) {
      throw invalidParameter('$LATEST is not supported for an alias pointing to more than 1 version');
    }
    const next: AliasRecord = {
      ...alias,
      functionVersion: version,
      description: input.Description ?? alias.description,
      weights,
      revisionId: newRevisionId(),
    };
    ctx.functions.putAlias(arn.region, next);
    return toAliasConfiguration(next, aliasArn);
  });
}

export function deleteAlias(ctx: RegistryContext, input: AliasRefInput, scope?: RequestScope): void {
  const arn = arnContext(ctx, scope);
  const { name } = parseFunctionRef(input.FunctionName, arn);
  requireFunction(ctx, arn, name);
  checkAliasName(input.Name);
  ctx.functions.deleteAlias(arn.region, name, input.Name);
}

export function listAliases(
  ctx: RegistryContext,
  input: ListAliasesInput,
  scope?: RequestScope,
): { Aliases: AliasConfiguration[]; NextMarker?: string } {
  const arn = arnContext(ctx, scope);
  const { name } = parseFunctionRef(input.FunctionName, arn);
  requireFunction(ctx, arn, name);
  const all = ctx.functions
    .listAliases(arn.region, name)
    .filter((a) => input.FunctionVersion === undefined || a.functionVersion === input.FunctionVersion)
    .map((a) => toAliasConfiguration(a, functionArn(arn, name, a.name)));
  const page = paginate(all, input.Marker, input.MaxItems, (a) => [a.Name]);
  return page.nextMarker === undefined ? { Aliases: page.items } : { Aliases: page.items, NextMarker: page.nextMarker };
}

function checkTargetVersion(ctx: RegistryContext, arn: ArnContext, name: string, version: string): void {
  if (version !== LATEST && !isVersionNumber(version)) {
    throw validationError(version, 'functionVersion', 'Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)');
  }
  requireVersion(ctx, arn, name, version);
}

/** Validates a RoutingConfig against the alias's primary version; undefined when none was given. */
function checkRouting(
  ctx: RegistryContext,
  arn: ArnContext,
  name: string,
  primary: string,
  routing: RoutingConfig | undefined,
): Record<string, number> | undefined {
  if (routing === undefined) return undefined;
  const weights = routing.AdditionalVersionWeights ?? {};
  const entries = Object.entries(weights);
  const shown = `{${entries.map(([k, v]) => `${k}=${javaDouble(v)}`).join(', ')}}`;
  for (const [key, weight] of entries) {
    if (!/^[0-9]+$/.test(key)) {
      throw validationError(shown, 'routingConfig.additionalVersionWeights',
        'Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+]');
    }
    if (typeof weight !== 'number' || !(weight >= 0 && weight <= 1)) {
      throw validationError(shown, 'routingConfig.additionalVersionWeights',
        'Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]');
    }
  }
  if (entries.length > 1) throw invalidParameter('Number of items in AdditionalVersionWeights cannot be greater than 1');
  const first = entries[0];
  if (first === undefined) return {};
  if (primary === LATEST) throw invalidParameter('$LATEST is not supported for an alias pointing to more than 1 version');
  const [additional] = first;
  if (additional === primary) {
    throw invalidParameter(`Invalid function version ${additional}. Function version ${additional} is already included in routing configuration.`);
  }
  requireVersion(ctx, arn, name, additional);
  return { ...weights };
}

/** Java's Double.toString for the weights AWS echoes in its messages (2 -> "2.0"). */
function javaDouble(v: unknown): string {
  if (typeof v !== 'number') return String(v);
  return Number.isInteger(v) ? `${v}.0` : String(v);
}
