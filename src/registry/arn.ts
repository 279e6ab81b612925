// ARNs: parsing function references (name, partial ARN, full ARN, `:qualifier`) and layer ARNs, and building ARNs.
import { RegistryError, invalidParameter, notFound, validationError } from './errors.js';

export { DEFAULT_ACCOUNT } from '../core/index.js';
import { DEFAULT_ACCOUNT } from '../core/index.js';

/** botocore's FunctionName pattern, anchored. */
const FUNCTION_NAME_PATTERN =
  '(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?';
const FUNCTION_REF =
  /^(?:arn:(?:aws[a-zA-Z-]*)?:lambda:)?(?:(?<region>[a-z]{2}(?:(?:-gov)|(?:-iso(?:[a-z]?)))?-[a-z]+-\d{1}):)?(?:(?<account>\d{12}):)?(?:function:)?(?<name>[a-zA-Z0-9-_]+)(?::(?<qualifier>\$LATEST|[a-zA-Z0-9-_]+))?$/;
const QUALIFIER = /^(\$LATEST|[a-zA-Z0-9-_]+)$/;
const ALIAS_NAME = /^(?!^[0-9]+$)([a-zA-Z0-9-_]+)$/;
const LAYER_NAME = /^(?:arn:[a-zA-Z0-9-]+:lambda:(?<region>[a-zA-Z0-9-]+):(?<account>\d{12}):layer:)?(?<name>[a-zA-Z0-9-_]+)$/;
const LAYER_VERSION_ARN =
  /^arn:[a-zA-Z0-9-]+:lambda:(?<region>[a-zA-Z0-9-]+):(?<account>\d{12}):layer:(?<name>[a-zA-Z0-9-_]+):(?<version>[0-9]+)$/;

/** Who is asking: the region from the signature and the account the registry plays. */
export interface ArnContext {
  region: string;
  account: string;
}

export interface FunctionRef {
  name: string;
  /** `$LATEST`, a version number or an alias name, when given in the ARN or as `?Qualifier=`. */
  qualifier?: string;
}

/** Parses a FunctionName as the API accepts it; `qualifier` is the separate `Qualifier` parameter, if any. */
export function parseFunctionRef(raw: string, ctx: ArnContext, qualifier?: string, maxLength = 140): FunctionRef {
  if (raw.length < 1 || raw.length > maxLength) {
    const bound = raw.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${maxLength}`;
    throw validationError(raw, 'functionName', `Member must have length ${bound}`);
  }
  const m = FUNCTION_REF.exec(raw);
  const g = m?.groups;
  if (!g || g['name'] === undefined) {
    throw validationError(raw, 'functionName', `Member must satisfy regular expression pattern: ${FUNCTION_NAME_PATTERN}`);
  }
  const name = g['name'];
  const isArn = raw.includes(':') && (g['account'] !== undefined || raw.startsWith('arn:'));
  if (!isArn && name.length > 64) {
    throw validationError(raw, 'functionName', 'Member must have length less than or equal to 64');
  }
  if (g['region'] !== undefined && g['region'] !== ctx.region) {
    throw notFound(`Functions from '${g['region']}' are not reachable in this region ('${ctx.region}')`);
  }
  if (g['account'] !== undefined && g['account'] !== ctx.account) {
    throw new RegistryError('AccessDeniedException', `The account ${g['account']} is not the registry's account ${ctx.account}.`);
  }
  const derived = g['qualifier'];
  if (qualifier !== undefined) checkQualifier(qualifier);
  if (derived !== undefined && qualifier !== undefined && derived !== qualifier) {
    throw invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
  }
  const q = derived ?? qualifier;
  return q === undefined ? { name } : { name, qualifier: q };
}

export function checkQualifier(qualifier: string): void {
  if (qualifier.length < 1 || qualifier.length > 128) {
    throw validationError(qualifier, 'qualifier', 'Member must have length less than or equal to 128');
  }
  if (!QUALIFIER.test(qualifier)) {
    throw validationError(qualifier, 'qualifier', 'Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)');
  }
}

export function checkAliasName(name: string): void {
  if (name.length < 1 || name.length > 128) {
    throw validationError(name, 'name', 'Member must have length less than or equal to 128');
  }
  if (!ALIAS_NAME.test(name)) {
    throw validationError(name, 'name', 'Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)');
  }
}

/** True for a published version number (not `$LATEST`, not an alias). */
export function isVersionNumber(qualifier: string): boolean {
  return /^[0-9]+$/.test(qualifier);
}

export function functionArn(ctx: ArnContext, name: string, qualifier?: string): string {
  const base = `arn:aws:lambda:${ctx.region}:${ctx.account}:function:${name}`;
  return qualifier === undefined ? base : `${base}:${qualifier}`;
}

export function layerArn(ctx: ArnContext, layerName: string): string {
  return `arn:aws:lambda:${ctx.region}:${ctx.account}:layer:${layerName}`;
}

export function layerVersionArn(ctx: ArnContext, layerName: string, version: number): string {
  return `${layerArn(ctx, layerName)}:${version}`;
}

/** A LayerName path parameter: a bare name or a layer ARN. */
export function parseLayerName(raw: string, ctx: ArnContext): string {
  const g = raw.length <= 140 ? LAYER_NAME.exec(raw)?.groups : undefined;
  if (!g || g['name'] === undefined) {
    throw validationError(
      raw,
      'layerName',
      'Member must satisfy regular expression pattern: (arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+',
    );
  }
  checkOwnRegion(g['region'], g['account'], ctx);
  return g['name'];
}

export interface LayerVersionRef {
  layerName: string;
  version: number;
  region: string;
  account: string;
}

/** A layer version ARN; returns undefined when the text is not one. */
export function parseLayerVersionArn(raw: string): LayerVersionRef | undefined {
  const g = LAYER_VERSION_ARN.exec(raw)?.groups;
  if (!g || !g['name'] || !g['version'] || !g['region'] || !g['account']) return undefined;
  return { layerName: g['name'], version: Number(g['version']), region: g['region'], account: g['account'] };
}

function checkOwnRegion(region: string | undefined, account: string | undefined, ctx: ArnContext): void {
  if (region !== undefined && region !== ctx.region) {
    throw notFound(`Layers from '${region}' are not reachable in this region ('${ctx.region}')`);
  }
  if (account !== undefined && account !== ctx.account) {
    throw new RegistryError('AccessDeniedException', `The account ${account} is not the registry's account ${ctx.account}.`);
  }
}
