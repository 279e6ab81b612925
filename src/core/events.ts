// RunEvent: everything the engine tells the world. Renderers, the store and the dashboard subscribe; nobody prints.
import type { ExecutionMode } from './pipeline.js';
import type { GitHookTrigger, SourceRevision } from './triggers.js';
import type { ActionStatus, BuildPhaseType, BuildStatus, ExecutionStatus, ExecutionType, StageStatus } from './status.js';

/** An artifact as the store and the dashboard show it. */
export interface ArtifactRef {
  name: string;
  path: string;
  sha256?: string;
  size?: number;
  /** The source revision the artifact holds (a commit id), when it comes from a source action. */
  revision?: string;
}

/** How an execution was started, as CodePipeline's `trigger` says it. */
export interface ExecutionTrigger {
  triggerType: 'StartPipelineExecution' | 'Webhook' | 'GitHook' | 'Retry' | 'ManualRollback' | 'AutomatedRollback' | 'StartBuild';
  triggerDetail: string;
  /** A `GitHook` trigger: the hook, ref, old and new commit, and the filter that matched. */
  gitHook?: GitHookTrigger;
  /** The source revisions the execution was started at (`pipe run --source-revision`, a git hook). */
  sourceRevisions?: SourceRevision[];
}

/** What an action execution did, sent with its status changes so every subscriber sees the same facts. */
export interface ActionDetails {
  actionType?: string;
  runOrder?: number;
  configuration?: Record<string, unknown>;
  inputArtifacts?: ArtifactRef[];
  outputArtifacts?: ArtifactRef[];
  outputVariables?: Record<string, string>;
  /**
   * The output variables that carry a secret (shown as *** in `outputVariables`), sealed with PIPE_HOME's key: the
   * value a later action needs is kept, never in clear.
   */
  sealedOutputVariables?: Record<string, string>;
  externalExecutionId?: string;
  logPath?: string;
  /** Executor-specific facts, e.g. a build's phases. */
  extra?: Record<string, unknown>;
}

interface EventBase {
  executionId: string;
  /** ISO-8601 time the event happened. */
  time: string;
}

export type RunEvent =
  | (EventBase & {
      type: 'execution';
      pipeline: string;
      status: ExecutionStatus;
      message?: string;
      /** Sent with the first (InProgress) event. */
      start?: {
        file: string;
        digest: string;
        trigger: ExecutionTrigger;
        variables: Record<string, string>;
        executionMode?: ExecutionMode;
        executionType?: ExecutionType;
        /** For a rollback: the execution whose artifacts and variables it runs the stage with. */
        rollbackTarget?: string;
      };
    })
  | (EventBase & {
      type: 'stage';
      stage: string;
      status: StageStatus;
      /** 1, then one more for each retry of the stage in this execution. */
      attempt?: number;
      /** How this attempt came to be: `ManualStageRetry` or `AutomatedStageRetry`. */
      retryTrigger?: 'ManualStageRetry' | 'AutomatedStageRetry';
    })
  | (EventBase & {
      type: 'action';
      stage: string;
      action: string;
      status: ActionStatus;
      /** The attempt of its stage this action execution belongs to (1 unless the stage was retried). */
      attempt?: number;
      message?: string;
      details?: ActionDetails;
    })
  | (EventBase & {
      type: 'phase';
      stage: string;
      action: string;
      phase: BuildPhaseType;
      status: BuildStatus;
      message?: string;
    })
  | (EventBase & { type: 'log'; stage: string; action: string; stream: 'stdout' | 'stderr' | 'system'; line: string })
  | (EventBase & { type: 'warning'; stage?: string; action?: string; message: string })
  | (EventBase & {
      type: 'artifact';
      stage: string;
      action: string;
      name: string;
      path: string;
      sha256: string;
      size: number;
    })
  | (EventBase & { type: 'variables'; stage: string; action: string; namespace?: string; variables: Record<string, string> });

export type RunEventType = RunEvent['type'];

export type RunEventListener = (event: RunEvent) => void;

/** A tiny typed event bus. Listeners must not throw; one that does is dropped from this emit only. */
export class RunEventBus {
  private readonly listeners = new Set<RunEventListener>();

  subscribe(listener: RunEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: RunEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // a broken renderer must not break the run
      }
    }
  }
}

export function now(): string {
  return new Date().toISOString();
}
