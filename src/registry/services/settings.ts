// Validates configuration and code of Create/Update calls into VersionSettings: limits, layers, the zip.
import { parseLayerVersionArn } from '../arn.js';
import type { ArnContext } from '../arn.js';
import { invalidParameter, validationError } from '../errors.js';
import type { ConfigurationFields, FunctionCode } from '../inputs.js';
import {
  checkArchitectures, checkDescription, checkEnvironment, checkEphemeralStorage, checkLayerCount, checkMemorySize,
  checkRole, checkRuntime, checkTimeout, checkUnzippedSize, checkZippedSize,
} from '../limits.js';
import type { AttachedLayer, VersionSettings } from '../model.js';
import { inspectZip } from '../zip-check.js';
import { sha256Base64 } from '../store/blob-store.js';
import type { RegistryContext } from './context.js';

export interface CheckedCode {
  zip: Buffer;
  codeSha256: string;
  codeSize: number;
  unzippedSize: number;
}

/** The code of a call: only a ZipFile is supported; validated entirely before anything is stored. */
export async function checkCode(code: FunctionCode, what: 'Code' | 'Content' = 'Code'): Promise<CheckedCode> {
  if (code.S3Bucket !== undefined || code.S3Key !== undefined || code.ImageUri !== undefined) {
    throw invalidParameter(`The registry takes code as ${what}.ZipFile only; S3 locations and images are not supported.`);
  }
  const zip = code.ZipFile;
  if (zip === undefined || zip.length === 0) {
    throw invalidParameter(`Please provide a source for function code: ${what}.ZipFile.`);
  }
  checkZippedSize(zip.length);
  const summary = await inspectZip(zip);
  return { zip, codeSha256: sha256Base64(zip), codeSize: zip.length, unzippedSize: summary.unzippedSize };
}

/** Applies configuration fields over `base` (defaults for a new function), checking every limit. */
export function applyConfiguration(
  ctx: RegistryContext,
  arn: ArnContext,
  fields: ConfigurationFields & { Architectures?: string[] },
  base: Omit<VersionSettings, 'codeSha256' | 'codeSize' | 'codeUnzippedSize'>,
): Omit<VersionSettings, 'codeSha256' | 'codeSize' | 'codeUnzippedSize'> {
  const s = { ...base };
  if (fields.Role !== undefined) {
    checkRole(fields.Role);
    s.role = fields.Role;
  }
  if (fields.Runtime !== undefined) {
    checkRuntime(fields.Runtime);
    s.runtime = fields.Runtime;
  }
  if (fields.Handler !== undefined) {
    if (fields.Handler.length > 128 || !/^[^\s]+$/.test(fields.Handler)) {
      throw validationError(fields.Handler, 'handler', 'Member must satisfy regular expression pattern: [^\\s]+');
    }
    s.handler = fields.Handler;
  }
  if (fields.Description !== undefined) {
    checkDescription(fields.Description);
    s.description = fields.Description;
  }
  if (fields.Timeout !== undefined) {
    checkTimeout(fields.Timeout);
    s.timeout = fields.Timeout;
  }
  if (fields.MemorySize !== undefined) {
    checkMemorySize(fields.MemorySize);
    s.memorySize = fields.MemorySize;
  }
  if (fields.Environment !== undefined) {
    const vars = fields.Environment.Variables ?? {};
    checkEnvironment(vars);
    s.environment = vars;
  }
  if (fields.EphemeralStorage !== undefined) {
    checkEphemeralStorage(fields.EphemeralStorage.Size);
    s.ephemeralStorage = fields.EphemeralStorage.Size;
  }
  if (fields.TracingConfig?.Mode !== undefined) {
    if (fields.TracingConfig.Mode !== 'Active' && fields.TracingConfig.Mode !== 'PassThrough') {
      throw validationError(fields.TracingConfig.Mode, 'tracingConfig.mode', 'Member must satisfy enum value set: [Active, PassThrough]');
    }
    s.tracingMode = fields.TracingConfig.Mode;
  }
  if (fields.Architectures !== undefined) {
    checkArchitectures(fields.Architectures);
    s.architectures = fields.Architectures;
  }
  if (fields.Layers !== undefined) s.layers = resolveLayers(ctx, arn, fields.Layers);
  return s;
}

/** Layer version ARNs -> copies of what they are (so deleting a layer version later breaks nothing). */
export function resolveLayers(ctx: RegistryContext, arn: ArnContext, arns: readonly string[]): AttachedLayer[] {
  checkLayerCount(arns.length);
  const seen = new Map<string, string>();
  return arns.map((layerArn) => {
    const ref = parseLayerVersionArn(layerArn);
    if (!ref) {
      throw validationError(
        `[${arns.join(', ')}]`,
        'layers',
        'Member must satisfy constraint: [Member must have length less than or equal to 140, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+, Member must not be null]',
      );
    }
    const base = layerArn.slice(0, layerArn.lastIndexOf(':'));
    const other = seen.get(base);
    if (other !== undefined) {
      throw invalidParameter(
        `Two different versions of the same layer are not allowed to be referenced in the same function. ${other} and ${layerArn} are versions of the same layer.`,
      );
    }
    seen.set(base, layerArn);
    const found =
      ref.region === arn.region && ref.account === arn.account
        ? ctx.layers.getVersion(arn.region, ref.layerName, ref.version)
        : undefined;
    if (!found) throw invalidParameter(`Layer version ${layerArn} does not exist.`);
    return { arn: layerArn, codeSize: found.codeSize, codeSha256: found.codeSha256, unzippedSize: found.unzippedSize };
  });
}

/** Function code plus all its layers, unzipped, must stay under 250 MiB. */
export function checkTotalUnzipped(settings: Pick<VersionSettings, 'layers' | 'codeUnzippedSize'>): void {
  checkUnzippedSize(settings.layers.reduce((n, l) => n + l.unzippedSize, settings.codeUnzippedSize));
}
