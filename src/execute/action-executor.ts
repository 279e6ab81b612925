// The port every action category implements: given a resolved action, do the work, say how it went.
import type { ActionPlan, ArtifactRef, BuildPhaseType, BuildStatus, ConfigValue } from '../core/index.js';

export interface ArtifactLocation {
  name: string;
  /** The zip in the artifact store. */
  path: string;
  /** The commit a source artifact holds. */
  revision?: string;
}

export interface ActionContext {
  executionId: string;
  pipeline: string;
  action: ActionPlan;
  /** Configuration with every `#{ns.Key}` resolved. */
  configuration: Record<string, ConfigValue>;
  /** Directory of the pipeline file: relative paths in the configuration resolve from here. */
  baseDir: string;
  inputs: ArtifactLocation[];
  /** Where each output artifact's zip must be written. */
  outputs: ArtifactLocation[];
  signal: AbortSignal;
  log(stream: 'stdout' | 'stderr' | 'system', line: string): void;
  warn(message: string): void;
  phase(phase: BuildPhaseType, status: BuildStatus, message?: string): void;
  /** Values (resolved secrets and parameters) to show as `***` in every event of the execution from now on. */
  maskSecrets(values: readonly string[]): void;
  /** Labels for any container the action starts, so leftovers can be found. */
  labels: Record<string, string>;
}

export type ActionOutcome =
  | {
      status: 'Succeeded';
      outputVariables: Record<string, string>;
      artifacts: ArtifactRef[];
      externalExecutionId?: string;
      summary?: string;
      extra?: Record<string, unknown>;
    }
  | {
      status: 'Failed';
      message: string;
      artifacts?: ArtifactRef[];
      externalExecutionId?: string;
      extra?: Record<string, unknown>;
    };

/**
 * Lifecycle contract: `run` is called once per action execution. It must return (not throw) for failures of the
 * work itself; it may throw a PipeError for a problem of the environment (no Docker engine) or of the input (a
 * missing buildspec), which fails the action with that message. When `signal` aborts, it must stop its work,
 * remove what it started, and return promptly; its outcome is then ignored and the action is Abandoned.
 */
export interface ActionExecutor {
  run(ctx: ActionContext): Promise<ActionOutcome>;
}
