// Running a plan once in a throwaway store, for tests and tools that want an execution's events without a
// PIPE_HOME: the same engine and driver as `pipe run`, its events forwarded to the caller's bus.
import type { ActionCategory, ExecutionPlan, ExecutionTrigger, RunEventBus } from '../core/index.js';
import { openDatabase } from '../infra/index.js';
import type { SecretCipher } from '../secrets/index.js';
import type { ActionExecutor } from './action-executor.js';
import { Engine } from './engine.js';
import type { DriveResult } from './engine.js';
import { isProcessAlive } from '../infra/index.js';
import { ExecutionStore } from './execution-store.js';

export interface OrchestratorDeps {
  executors: Partial<Record<ActionCategory, ActionExecutor>>;
  bus: RunEventBus;
  /** Root of the artifact store: zips go to <root>/<pipeline>/<execution-id>/<Artifact>.zip. */
  artifactRoot: string;
  /** Seals output variables that carry a secret for the store; without it they are kept only as ***. */
  cipher?: SecretCipher;
}

export interface StartOptions {
  executionId: string;
  trigger: ExecutionTrigger;
  /** Pipeline-level variable overrides (name -> value). */
  variables?: Record<string, string>;
  signal?: AbortSignal;
}

export type PipelineExecutionResult = DriveResult;

export async function runExecution(plan: ExecutionPlan, deps: OrchestratorDeps, options: StartOptions): Promise<PipelineExecutionResult> {
  const store = new ExecutionStore(openDatabase(':memory:'));
  const engine = new Engine({ store, executors: deps.executors, ...(deps.cipher ? { cipher: deps.cipher } : {}), isAlive: isProcessAlive, pollMs: 20 });
  engine.subscribe((e) => deps.bus.emit(e));
  try {
    engine.create(plan, { executionId: options.executionId, trigger: options.trigger, artifactRoot: deps.artifactRoot, ...(options.variables ? { variables: options.variables } : {}) });
    return await engine.drive(options.executionId, options.signal ? { signal: options.signal } : {});
  } finally {
    engine.close();
    store.db.close();
  }
}
