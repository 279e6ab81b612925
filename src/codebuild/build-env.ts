// The environment a build sees, composed in CodeBuild's order: image < buildspec < action < CODEBUILD_* (ours).
import type { BuildSpec } from '../core/index.js';

export const SRC_ROOT = '/codebuild/output/src1';
export const SRC_DIR = `${SRC_ROOT}/src`;

export interface BuildIdentity {
  projectName: string;
  buildId: string;
  buildNumber: number;
  image: string;
  initiator: string;
  region: string;
  account: string;
  startTimeMs: number;
  sourceVersion?: string;
  resolvedSourceVersion?: string;
  /** Secondary sources by name (CodePipeline's extra input artifacts). */
  secondarySourceNames: string[];
  batchIdentifier?: string;
}

/** Where a secondary source (extra input artifact) is unpacked. */
export function secondarySourceDir(name: string): string {
  return `${SRC_ROOT}/${name}`;
}

export function codebuildVariables(id: BuildIdentity): Record<string, string> {
  const arn = `arn:aws:codebuild:${id.region}:${id.account}:build/${id.buildId}`;
  const vars: Record<string, string> = {
    CODEBUILD_SRC_DIR: SRC_DIR,
    CODEBUILD_BUILD_ID: id.buildId,
    CODEBUILD_BUILD_ARN: arn,
    CODEBUILD_BUILD_NUMBER: String(id.buildNumber),
    CODEBUILD_BUILD_IMAGE: id.image,
    CODEBUILD_BUILD_SUCCEEDING: '1',
    CODEBUILD_INITIATOR: id.initiator,
    CODEBUILD_PROJECT_ARN: `arn:aws:codebuild:${id.region}:${id.account}:project/${id.projectName}`,
    CODEBUILD_START_TIME: String(id.startTimeMs),
    CODEBUILD_LOG_PATH: id.buildId.split(':')[1] ?? id.buildId,
    CODEBUILD_BUILD_URL: `http://127.0.0.1/codebuild/builds/${encodeURIComponent(id.buildId)}`,
    CODEBUILD_KMS_KEY_ID: `arn:aws:kms:${id.region}:${id.account}:alias/aws/s3`,
    CODEBUILD_SOURCE_VERSION: id.sourceVersion ?? '',
    CODEBUILD_SOURCE_REPO_URL: '',
  };
  if (id.resolvedSourceVersion) vars['CODEBUILD_RESOLVED_SOURCE_VERSION'] = id.resolvedSourceVersion;
  for (const name of id.secondarySourceNames) vars[`CODEBUILD_SRC_DIR_${name}`] = secondarySourceDir(name);
  if (id.batchIdentifier) vars['CODEBUILD_BATCH_BUILD_IDENTIFIER'] = id.batchIdentifier;
  return vars;
}

/**
 * The whole starting environment. Values are literal text, never shell-expanded. Names starting with
 * CODEBUILD_ are CodeBuild's: whatever the buildspec or the action says about them is dropped. `awsEnv` (endpoints
 * and credentials, as CodeBuild gives a build its role's) sits where the region does: a buildspec may override it.
 */
export function composeBuildEnvironment(
  imageEnv: Record<string, string>,
  spec: BuildSpec,
  resolvedSecrets: Record<string, string>,
  actionEnv: Record<string, string>,
  id: BuildIdentity,
  awsEnv: Record<string, string> = {},
): Record<string, string> {
  const user = (vars: Record<string, string>) =>
    Object.fromEntries(Object.entries(vars).filter(([k]) => !k.startsWith('CODEBUILD_')));
  return {
    HOME: '/root',
    ...imageEnv,
    AWS_REGION: id.region,
    AWS_DEFAULT_REGION: id.region,
    ...awsEnv,
    ...user(spec.env.variables),
    ...user(resolvedSecrets),
    ...user(actionEnv),
    ...codebuildVariables(id),
  };
}
