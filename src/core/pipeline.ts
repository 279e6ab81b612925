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
