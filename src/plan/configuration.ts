// Typed views of a resolved action configuration, for the executors. The spec already validated the shape
// and applied defaults; these only turn the literal text into the types the executors use.
import { DEFAULT_APPROVAL_TIMEOUT_MINUTES, DEFAULT_BATCH_CONCURRENCY, ENVIRONMENT_VARIABLE_TYPES, PipeError } from '../core/index.js';
import type {
  ApprovalConfiguration,
  CodeBuildConfiguration,
  ConfigValue,
  EnvironmentVariable,
  GitSourceConfiguration,
} from '../core/index.js';
import { DEFAULT_BUILDSPEC, DEFAULT_BUILD_IMAGE, DEFAULT_BUILD_TIMEOUT_MINUTES } from '../parse/index.js';

export function readGitSourceConfiguration(config: Record<string, ConfigValue>): GitSourceConfiguration {
  const read: GitSourceConfiguration = { repository: readText(config, 'repository') ?? missing('repository') };
  const branch = readText(config, 'branch');
  const commit = readText(config, 'commit');
  if (branch !== undefined) read.branch = branch;
  if (commit !== undefined) read.commit = commit;
  return read;
}

export function readCodeBuildConfiguration(config: Record<string, ConfigValue>): CodeBuildConfiguration {
  const timeout = readText(config, 'timeoutInMinutes');
  return {
    buildspec: readText(config, 'buildspec') ?? DEFAULT_BUILDSPEC,
    image: readText(config, 'image') ?? DEFAULT_BUILD_IMAGE,
    environmentVariables: readEnvironmentVariables(config['environmentVariables']),
    timeoutInMinutes: timeout === undefined ? DEFAULT_BUILD_TIMEOUT_MINUTES : Number(timeout),
    privilegedMode: readText(config, 'privilegedMode') === 'true',
    passAwsCredentials: readText(config, 'passAwsCredentials') === 'true',
    batchEnabled: readText(config, 'batchEnabled') === 'true',
    combineArtifacts: readText(config, 'combineArtifacts') === 'true',
    batchConcurrency: Number(readText(config, 'batchConcurrency') ?? DEFAULT_BATCH_CONCURRENCY),
  };
}

/** An Approval/Manual action's configuration; `NotificationArn` has no use locally and is left out. */
export function readApprovalConfiguration(config: Record<string, ConfigValue>): ApprovalConfiguration {
  const timeout = readText(config, 'TimeoutInMinutes');
  const read: ApprovalConfiguration = {
    timeoutMinutes: timeout === undefined ? DEFAULT_APPROVAL_TIMEOUT_MINUTES : Number(timeout),
  };
  const customData = readText(config, 'CustomData');
  const link = readText(config, 'ExternalEntityLink');
  if (customData !== undefined) read.customData = customData;
  if (link !== undefined) read.externalEntityLink = link;
  return read;
}

function readEnvironmentVariables(value: ConfigValue | undefined): EnvironmentVariable[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw malformed('environmentVariables');
  return value.map((item) => {
    if (typeof item === 'string' || Array.isArray(item)) throw malformed('environmentVariables');
    const { name, value: text, type } = item;
    const known = ENVIRONMENT_VARIABLE_TYPES.find((t) => t === type);
    if (typeof name !== 'string' || typeof text !== 'string' || !known) throw malformed('environmentVariables');
    return { name, value: text, type: known };
  });
}

function readText(config: Record<string, ConfigValue>, key: string): string | undefined {
  const value = config[key];
  if (value === undefined || typeof value === 'string') return value;
  throw malformed(key);
}

function missing(key: string): never {
  throw new PipeError('INTERNAL', `configuration.${key} is missing; the spec should have been validated`);
}

function malformed(key: string): PipeError {
  return new PipeError('INTERNAL', `configuration.${key} does not have the validated shape`);
}
