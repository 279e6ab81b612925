// Starting a pipeline execution from a file: load and plan it, check what can be checked before anything runs,
// wire the store, the logs and the executors, run it. Used by the CLI, git hooks and the dashboard alike.
import { join, resolve } from 'node:path';
import { LABELS, PipeError, RunEventBus, newExecutionId } from '../core/index.js';
import type { ActionCategory, ExecutionPlan, ExecutionTrigger, RunEventListener } from '../core/index.js';
import { createArtifactIo } from '../artifacts/index.js';
import { createDockerBuildContainers, openCacheStore } from '../build/index.js';
import { DockerEngine } from '../infra/docker.js';
import { openDatabase } from '../infra/sqlite.js';
import { artifactRoot } from '../infra/workspace.js';
import type { Db } from '../infra/sqlite.js';
import { buildExecutionPlan } from '../plan/index.js';
import { openLocalSecrets, openSecretCipher } from '../secrets/index.js';
import type { SecretCipher } from '../secrets/index.js';
import { loadPipelineSpec } from '../spec/index.js';
import { createBuildExecutor } from './build-executor.js';
import { ExecutionStore, isProcessAlive } from './execution-store.js';
import { LogStore } from './log-store.js';
import { runExecution } from './orchestrator.js';
import type { PipelineExecutionResult } from './orchestrator.js';
import { preflight } from './preflight.js';
import { createSourceExecutor } from './source-executor.js';

export const DEFAULT_REGION = 'us-east-1';
/** The action categories this version has executors for. */
const RUNNABLE_CATEGORIES: readonly ActionCategory[] = ['Source', 'Build'];
export const DEFAULT_ACCOUNT = '000000000000';

export interface PipeContext {
  home: string;
  artifactRoot: string;
  db: Db;
  store: ExecutionStore;
  engine: DockerEngine;
  /** Seals secret values at rest with PIPE_HOME's key. */
  cipher: SecretCipher;
}

/** Opens the state under PIPE_HOME and marks executions a killed process left InProgress as Failed. */
export function openPipeContext(options: { home: string; artifactRoot?: string }): PipeContext {
  const home = resolve(options.home);
  const db = openDatabase(join(home, 'state.db'));
  const store = new ExecutionStore(db);
  store.recoverInterrupted();
  return {
    home,
    artifactRoot: options.artifactRoot ? resolve(options.artifactRoot) : artifactRoot(),
    db,
    store,
    engine: new DockerEngine(undefined, { home }),
    cipher: openSecretCipher(home),
  };
}

/**
 * Removes containers of this engine's PIPE_HOME whose owning process has died (a killed run leaves them behind).
 * Another home's containers are never touched: their owners' pids mean nothing here.
 */
export async function removeLeftoverContainers(engine: DockerEngine): Promise<number> {
  const all = await engine.listContainerLabels({ [LABELS.managed]: 'true', [LABELS.home]: engine.home });
  const orphans = all.filter((c) => !isProcessAlive(Number(c[LABELS.ownerPid])));
  await Promise.all(orphans.map((c) => engine.removeContainer(String(c['id']))));
  return orphans.length;
}

export interface StartPipelineOptions {
  file: string;
  trigger: ExecutionTrigger;
  variables?: Record<string, string>;
  signal?: AbortSignal;
  /** Subscribed before the execution starts, so they see every event. */
  listeners?: RunEventListener[];
  /** Called once the plan is ready and checked, before the execution starts. */
  onPlan?: (plan: ExecutionPlan, executionId: string) => void;
}

export async function loadPlan(file: string): Promise<ExecutionPlan> {
  return buildExecutionPlan(loadPipelineSpec(resolve(file)));
}

export async function startPipeline(ctx: PipeContext, options: StartPipelineOptions): Promise<PipelineExecutionResult> {
  const plan = await loadPlan(options.file);
  const unrunnable = plan.stages.flatMap((s) => s.groups.flat()).find((a) => !RUNNABLE_CATEGORIES.includes(a.category));
  if (unrunnable) {
    throw new PipeError('INVALID_SPEC', `${unrunnable.id}: pipe cannot run ${unrunnable.type} actions yet`, {
      hint: `this version runs ${RUNNABLE_CATEGORIES.join(' and ')} actions; 'pipe validate' checks the file`,
    });
  }
  const needsDocker = plan.stages.some((s) => s.groups.some((g) => g.some((a) => a.category === 'Build')));
  if (needsDocker) {
    await ctx.engine.ping();
    await removeLeftoverContainers(ctx.engine);
  }
  const resolvedSources = await preflight(plan, ctx.engine);
  const executionId = newExecutionId();
  options.onPlan?.(plan, executionId);

  const bus = new RunEventBus();
  const logs = new LogStore(ctx.home, (id, stage, action, path) => ctx.store.setLogPath(id, stage, action, path));
  bus.subscribe((e) => ctx.store.record(e));
  bus.subscribe((e) => logs.record(e));
  for (const l of options.listeners ?? []) bus.subscribe(l);
  const artifacts = createArtifactIo();
  try {
    return await runExecution(
      plan,
      {
        bus,
        artifactRoot: ctx.artifactRoot,
        cipher: ctx.cipher,
        executors: {
          Source: createSourceExecutor(resolvedSources),
          Build: createBuildExecutor({
            containers: createDockerBuildContainers(ctx.engine),
            artifacts,
            nextBuildNumber: (p) => ctx.store.nextBuildNumber(p),
            region: DEFAULT_REGION,
            account: DEFAULT_ACCOUNT,
            secrets: openLocalSecrets(ctx.db, ctx.cipher),
            cache: openCacheStore(ctx.home),
          }),
        },
      },
      {
        executionId,
        trigger: options.trigger,
        ...(options.variables ? { variables: options.variables } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
  } finally {
    logs.closeAll();
  }
}
