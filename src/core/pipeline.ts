// Pipeline domain types by phase of life: PipelineSpec (what the file said) and ExecutionPlan (resolved, ready to run).
import type { Problem, SourceLocation } from './errors.js';
import type { PipelineTriggerSpec } from './triggers.js';

/** Action types pipe knows, as `Category/Provider`, CodePipeline's words. */
export const ACTION_TYPES = ['Source/Git', 'Build/CodeBuild', 'Deploy/Lambda', 'Deploy/CloudFormation', 'Invoke/Lambda', 'Approval/Manual'] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export const ACTION_CATEGORIES = ['Source', 'Build', 'Deploy', 'Invoke', 'Approval'] as const;
export type ActionCategory = (typeof ACTION_CATEGORIES)[number];

export function categoryOf(type: ActionType): ActionCategory {
  return type.split('/')[0] as ActionCategory;
}

/** A configuration value: scalars keep their literal text; objects and lists stay as parsed. */
export type ConfigValue = string | ConfigValue[] | { [key: string]: ConfigValue };

/** How a build environment variable's value is to be read, CodePipeline's `EnvironmentVariables[].type`. */
export const ENVIRONMENT_VARIABLE_TYPES = ['PLAINTEXT', 'PARAMETER_STORE', 'SECRETS_MANAGER'] as const;
export type EnvironmentVariableType = (typeof ENVIRONMENT_VARIABLE_TYPES)[number];

/** One entry of a Build/CodeBuild action's normalised `environmentVariables` list. */
export interface EnvironmentVariable {
  name: string;
  value: string;
  type: EnvironmentVariableType;
}

/** CodePipeline's CloudFormation action modes. */
export const CLOUDFORMATION_ACTION_MODES = ['CREATE_UPDATE', 'DELETE_ONLY', 'REPLACE_ON_FAILURE', 'CHANGE_SET_REPLACE', 'CHANGE_SET_EXECUTE'] as const;
export type CloudFormationActionMode = (typeof CLOUDFORMATION_ACTION_MODES)[number];

/** The output variables a Source/Git action publishes under its namespace. */
export const SOURCE_GIT_VARIABLES = [
  'CommitId',
  'BranchName',
  'CommitMessage',
  'AuthorDate',
  'CommitterDate',
  'RepositoryName',
] as const;

/** Reserved namespaces: `#{variables.Name}` (pipeline variables) and `#{codepipeline.PipelineExecutionId}`. */
export const PIPELINE_VARIABLES_NAMESPACE = 'variables';
export const EXECUTION_NAMESPACE = 'codepipeline';
export const EXECUTION_VARIABLES = ['PipelineExecutionId'] as const;

/** A Source/Git action's configuration, after references are resolved. Neither branch nor commit: the repo's HEAD. */
export interface GitSourceConfiguration {
  /** Path of the repository, relative to the pipeline file's directory (or absolute). */
  repository: string;
  branch?: string;
  commit?: string;
}

/** A Build/CodeBuild action's configuration, after references are resolved, defaults applied. */
export interface CodeBuildConfiguration {
  /** Path of the buildspec inside the primary source (the first input artifact). */
  buildspec: string;
  image: string;
  environmentVariables: EnvironmentVariable[];
  timeoutInMinutes: number;
  privilegedMode: boolean;
  /** pipe's own key: the build gets the host's AWS credentials, and the services pipe does not serve are AWS's. */
  passAwsCredentials: boolean;
  /** CodePipeline's `BatchEnabled`: run the buildspec's `batch` (a batch build) instead of one build. */
  batchEnabled: boolean;
  /** CodePipeline's `CombineArtifacts`: each output holds every build's artifacts, under its identifier. */
  combineArtifacts: boolean;
  /** How many builds of a batch run at once. */
  batchConcurrency: number;
}

/** An Approval/Manual action's configuration, after references are resolved, defaults applied. */
export interface ApprovalConfiguration {
  /** CodePipeline's `CustomData`: the comment shown to whoever approves (up to 500 characters). */
  customData?: string;
  /** CodePipeline's `ExternalEntityLink`: a URL to review before approving. */
  externalEntityLink?: string;
  /** How long the action waits for a response before it fails. */
  timeoutMinutes: number;
}

/** CodePipeline's limit for a manual approval: no response within 7 days fails the action. */
export const DEFAULT_APPROVAL_TIMEOUT_MINUTES = 10080;

/** CodePipeline V2's execution modes: how executions of one pipeline share its stages. */
export const EXECUTION_MODES = ['SUPERSEDED', 'QUEUED', 'PARALLEL'] as const;
export type ExecutionMode = (typeof EXECUTION_MODES)[number];
export const DEFAULT_EXECUTION_MODE: ExecutionMode = 'SUPERSEDED';

/** pipe's own: how many actions of one runOrder group run at once. */
export const DEFAULT_MAX_PARALLEL_ACTIONS = 4;
export const MAX_PARALLEL_ACTIONS_LIMIT = 50;

/** What a stage's `onFailure` does when the stage fails (CodePipeline V2's failure conditions). */
export const FAILURE_RESULTS = ['RETRY', 'ROLLBACK', 'FAIL'] as const;
export type FailureResult = (typeof FAILURE_RESULTS)[number];

/** Which actions an automatic (or manual) stage retry runs again. */
export const RETRY_MODES = ['FAILED_ACTIONS', 'ALL_ACTIONS'] as const;
export type RetryMode = (typeof RETRY_MODES)[number];
export const DEFAULT_RETRY_MODE: RetryMode = 'FAILED_ACTIONS';

/** A stage's `onFailure` as the file gave it. */
export interface StageOnFailureSpec {
  result: FailureResult;
  /** From `retryConfiguration.retryMode`; only with result RETRY. */
  retryMode?: RetryMode;
}

/** A stage's failure policy, defaults applied: FAIL unless the file says otherwise. */
export type StageOnFailure = { result: 'RETRY'; retryMode: RetryMode } | { result: 'ROLLBACK' } | { result: 'FAIL' };

/** Builds of a batch that run at once unless told otherwise (`pipe build --batch-concurrency`, `batchConcurrency`). */
export const DEFAULT_BATCH_CONCURRENCY = 2;

export interface PipelineVariableSpec {
  name: string;
  defaultValue?: string;
  description?: string;
}

export interface ActionSpec {
  name: string;
  type: ActionType;
  runOrder: number;
  configuration: Record<string, ConfigValue>;
  inputArtifacts: string[];
  outputArtifacts: string[];
  namespace?: string;
  location: SourceLocation;
}

export interface StageSpec {
  name: string;
  actions: ActionSpec[];
  onFailure?: StageOnFailureSpec;
  location: SourceLocation;
}

export interface PipelineSpec {
  /** Absolute path of the pipeline file. */
  file: string;
  /** SHA-256 (hex) of the file's bytes. */
  digest: string;
  name: string;
  executionMode?: ExecutionMode;
  maxParallelActions?: number;
  /** pipe's own: divides the waits of deploy actions (60: an AWS minute lasts a second); PIPE_DEPLOY_TIME_SCALE overrides it. */
  deployTimeScale?: number;
  variables: PipelineVariableSpec[];
  stages: StageSpec[];
  /** CodePipeline V2's git triggers; none: every update of the branch a source action names starts it. */
  triggers?: PipelineTriggerSpec[];
  /** What the file asks for that pipe accepts but does not honour locally; the file is still valid. */
  warnings: Problem[];
}

/** A `#{Namespace.Key}` reference found in an action's configuration. */
export interface VariableReference {
  namespace: string;
  key: string;
  text: string;
}

export interface ActionPlan {
  stage: string;
  name: string;
  /** `Stage.Action`, unique in the pipeline. */
  id: string;
  type: ActionType;
  category: ActionCategory;
  runOrder: number;
  configuration: Record<string, ConfigValue>;
  inputArtifacts: string[];
  outputArtifacts: string[];
  namespace?: string;
  references: VariableReference[];
}

export interface StagePlan {
  name: string;
  /** Actions grouped by runOrder, ascending: each group runs in parallel, groups in sequence. */
  groups: ActionPlan[][];
  onFailure: StageOnFailure;
}

export interface ExecutionPlan {
  pipeline: string;
  file: string;
  digest: string;
  /**
   * SHA-256 (hex) of the pipeline's structure: stage names and order, action names, types, runOrder, artifacts
   * and namespaces, but not configuration values or variable defaults. A retry is refused when it changed.
   */
  structureDigest: string;
  executionMode: ExecutionMode;
  /** How many actions of one runOrder group run at once. */
  maxParallelActions: number;
  /** The file's `deployTimeScale`; absent: real time (unless PIPE_DEPLOY_TIME_SCALE says otherwise). */
  deployTimeScale?: number;
  /** Directory the pipeline file stands in: relative paths in configurations resolve from here. */
  baseDir: string;
  variables: PipelineVariableSpec[];
  stages: StagePlan[];
  /** The file's git triggers (absent in plans stored before triggers existed). */
  triggers?: PipelineTriggerSpec[];
  /** Which action produces each artifact. */
  artifactProducers: Record<string, string>;
  /** The spec's warnings, for the CLI to show. */
  warnings: Problem[];
}
