// Pipeline domain types by phase of life: PipelineSpec (what the file said) and ExecutionPlan (resolved, ready to run).
import type { SourceLocation } from './errors.js';

/** Action types pipe knows, as `Category/Provider`, CodePipeline's words. */
export const ACTION_TYPES = ['Source/Git', 'Build/CodeBuild', 'Deploy/Lambda'] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export const ACTION_CATEGORIES = ['Source', 'Build', 'Deploy'] as const;
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
  /** CodePipeline's `BatchEnabled`: run the buildspec's `batch` (a batch build) instead of one build. */
  batchEnabled: boolean;
  /** CodePipeline's `CombineArtifacts`: each output holds every build's artifacts, under its identifier. */
  combineArtifacts: boolean;
  /** How many builds of a batch run at once. */
  batchConcurrency: number;
}

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
  location: SourceLocation;
}

export interface PipelineSpec {
  /** Absolute path of the pipeline file. */
  file: string;
  /** SHA-256 (hex) of the file's bytes. */
  digest: string;
  name: string;
  variables: PipelineVariableSpec[];
  stages: StageSpec[];
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
}

export interface ExecutionPlan {
  pipeline: string;
  file: string;
  digest: string;
  /** Directory the pipeline file stands in: relative paths in configurations resolve from here. */
  baseDir: string;
  variables: PipelineVariableSpec[];
  stages: StagePlan[];
  /** Which action produces each artifact. */
  artifactProducers: Record<string, string>;
}
