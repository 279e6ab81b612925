// BuildSpec: what a CodeBuild buildspec file said, after parsing and validation (types only).
import type { BuildspecPhase } from './status.js';
import type { SourceLocation } from './errors.js';

export type BuildspecVersion = '0.1' | '0.2';

export interface CommandSpec {
  /** The command text exactly as the file gave it (a `|` block keeps its newlines). */
  text: string;
  location: SourceLocation;
}

export type OnFailure =
  | { kind: 'ABORT' }
  | { kind: 'CONTINUE' }
  /** `RETRY` (3), `RETRY-<count>`, `RETRY-<regex>`, `RETRY-<count>-<regex>`. */
  | { kind: 'RETRY'; count: number; pattern?: string };

export interface PhaseSpec {
  runAs?: string;
  onFailure?: OnFailure;
  /** `install` only: runtime name -> version, as literal text. */
  runtimeVersions: Record<string, string>;
  commands: CommandSpec[];
  finally: CommandSpec[];
}

/**
 * A `secrets-manager` reference, `secret-id[:json-key[:version-stage[:version-id]]]`, split once here.
 * `secretId` may be a full ARN (which itself holds colons). Empty parts are absent.
 */
export interface SecretsManagerReference {
  /** The reference exactly as the file gave it. */
  text: string;
  secretId: string;
  jsonKey?: string;
  versionStage?: string;
  versionId?: string;
}

export interface BuildEnvSpec {
  shell?: string;
  variables: Record<string, string>;
  /** Variable name -> SSM parameter name. */
  parameterStore: Record<string, string>;
  secretsManager: Record<string, SecretsManagerReference>;
  exportedVariables: string[];
  gitCredentialHelper: boolean;
}

export interface ArtifactSelectionSpec {
  files: string[];
  name?: string;
  baseDirectory?: string;
  discardPaths: boolean;
  excludePaths: string[];
  enableSymlinks: boolean;
  s3Prefix?: string;
}

export interface ArtifactsSpec extends ArtifactSelectionSpec {
  /** Keyed by artifact identifier: under a pipeline, the action's output artifact names. */
  secondaryArtifacts: Record<string, ArtifactSelectionSpec>;
}

export interface CacheSpec {
  paths: string[];
  key?: string;
  fallbackKeys: string[];
  action?: 'restore' | 'save';
}

export const TEST_REPORT_FORMATS = [
  'JUNITXML', 'CUCUMBERJSON', 'NUNITXML', 'NUNIT3XML', 'TESTNGXML', 'VISUALSTUDIOTRX',
] as const;
export const COVERAGE_REPORT_FORMATS = ['CLOVERXML', 'COBERTURAXML', 'JACOCOXML', 'SIMPLECOV'] as const;
export type ReportFormat = (typeof TEST_REPORT_FORMATS)[number] | (typeof COVERAGE_REPORT_FORMATS)[number];

export interface ReportSpec {
  files: string[];
  baseDirectory?: string;
  discardPaths: boolean;
  fileFormat: ReportFormat;
}

export interface BatchTaskEnv {
  computeType?: string;
  image?: string;
  privilegedMode?: boolean;
  type?: string;
  variables: Record<string, string>;
}

export interface BatchTaskSpec {
  identifier: string;
  buildspec?: string;
  env: BatchTaskEnv;
  ignoreFailure: boolean;
  /** `debug-session` (Session Manager); pipe has no equivalent, so it only warns. */
  debugSession: boolean;
  dependOn: string[];
}

export type BatchKind = 'build-list' | 'build-matrix' | 'build-graph';

export interface BatchSpec {
  fastFail: boolean;
  kind: BatchKind;
  /** For a matrix, the expanded cartesian product, with generated identifiers. */
  tasks: BatchTaskSpec[];
}

/** `proxy`: only meaningful for CodeBuild behind an explicit proxy; parsed, then ignored locally. */
export interface ProxySpec {
  uploadArtifacts: boolean;
  logs: boolean;
}

/**
 * Why a warning exists: `unsupported-locally` (a key pipe accepts but cannot honour on this machine),
 * `tolerated` (something CodeBuild accepts although the format does not describe it), `unknown-key`.
 */
export const BUILDSPEC_WARNING_KINDS = ['unsupported-locally', 'tolerated', 'unknown-key'] as const;
export type BuildspecWarningKind = (typeof BUILDSPEC_WARNING_KINDS)[number];

/** Something in the file that pipe accepts but cannot honour fully, said out loud. */
export interface BuildspecWarning {
  kind: BuildspecWarningKind;
  path: string;
  message: string;
  location: SourceLocation;
}

export interface BuildSpec {
  file: string;
  version: BuildspecVersion;
  runAs?: string;
  env: BuildEnvSpec;
  /** Only the phases the file has; they always run in BUILDSPEC_PHASES order. */
  phases: Partial<Record<BuildspecPhase, PhaseSpec>>;
  artifacts?: ArtifactsSpec;
  cache?: CacheSpec;
  reports: Record<string, ReportSpec>;
  batch?: BatchSpec;
  proxy?: ProxySpec;
  warnings: BuildspecWarning[];
}
