// Identifiers: execution ids, build ids, and the names CodeBuild derives from them.
import { randomUUID } from 'node:crypto';

export function newExecutionId(): string {
  return randomUUID();
}

export function newBuildId(project: string): string {
  return `${project}:${randomUUID()}`;
}

/** Docker labels every container pipe starts carries, so a later run can find and remove leftovers. */
/** The account every local ARN names, as LocalStack's and SAM's do. */
export const DEFAULT_ACCOUNT = '000000000000';
/** The region when neither a flag nor AWS_REGION / AWS_DEFAULT_REGION says one. */
export const DEFAULT_REGION = 'us-east-1';
/** The local image builds and function environments run in unless told otherwise (scripts/setup.sh builds it). */
export const DEFAULT_IMAGE = 'pipe/standard:1';
/** CodeBuild's tools and Node.js 18, 20 and 22 (scripts/images/): the builds' stand-in for aws/codebuild/standard:7.0. */
export const STANDARD_IMAGE = 'pipe/standard:7.0';

export const LABELS = {
  managed: 'dev.pipe.managed',
  executionId: 'dev.pipe.execution-id',
  action: 'dev.pipe.action',
  ownerPid: 'dev.pipe.owner-pid',
  role: 'dev.pipe.role',
  /** The PIPE_HOME a container belongs to: sweeps of leftovers only touch their own home's containers. */
  home: 'dev.pipe.home',
  /** On what a privileged build creates through its Docker engine: removed with the build. */
  buildDocker: 'dev.pipe.build-docker',
} as const;
