// What the dashboard's buttons do: the same calls as `pipe run --detach`, `pipe stop`, `pipe approve`, `pipe retry`,
// `pipe rollback` and `pipe transition` (src/execute/control.ts through src/app), so a click and a command agree.
// Each returns at once; a background worker carries the execution on, and the page sees it through the event log.
import { existsSync } from 'node:fs';
import { PipeError } from '../core/index.js';
import { createEngine, loadPlan, spawnWorker, startPipeline } from '../app/index.js';
import { answerApproval, prepareRetry, prepareRollback, requestStop, setTransition } from '../execute/index.js';
import { isProcessAlive } from '../infra/index.js';
import { currentPlan, pipelineRef } from './read-model.js';
import type { ReadDeps } from './read-model.js';

const controlDeps = (deps: ReadDeps) => ({ store: deps.ctx.store, isAlive: isProcessAlive });

/** Release change: a new execution of the pipeline's file as it is now, run by a background worker. */
export async function releaseChange(deps: ReadDeps, pipeline: string, variables: Record<string, string>): Promise<{ executionId: string }> {
  const ref = await pipelineRef(deps, pipeline);
  if (!existsSync(ref.file)) throw new PipeError('NOT_FOUND', `the file of pipeline ${pipeline}, ${ref.file}, is gone`);
  const r = await startPipeline(deps.ctx, {
    file: ref.file,
    trigger: { triggerType: 'StartPipelineExecution', triggerDetail: 'Release change (pipe serve)' },
    ...(Object.keys(variables).length > 0 ? { variables } : {}),
    detach: true,
  });
  return { executionId: r.executionId };
}

export function stopExecution(deps: ReadDeps, id: string, options: { abandon: boolean; reason?: string }): { executionId: string } {
  const r = requestStop(controlDeps(deps), id, options);
  if (r.needsDriver) spawnWorker(deps.ctx, r.executionId);
  return { executionId: r.executionId };
}

export function answer(deps: ReadDeps, id: string, stageAction: string, options: { approve: boolean; summary?: string }): { executionId: string; stage: string; action: string } {
  const r = answerApproval(controlDeps(deps), id, stageAction, options);
  if (r.needsDriver) spawnWorker(deps.ctx, r.executionId);
  return { executionId: r.executionId, stage: r.stage, action: r.action };
}

export async function retryStage(deps: ReadDeps, id: string, stage: string, allActions: boolean): Promise<{ executionId: string; attempt: number }> {
  const e = deps.ctx.store.getExecution(id);
  const file = e?.pipelineFile;
  const digest = file && existsSync(file) ? (await loadPlan(file)).structureDigest : undefined;
  const engine = createEngine(deps.ctx);
  try {
    const r = prepareRetry(engine, controlDeps(deps), id, stage, { allActions, ...(digest ? { currentStructureDigest: digest } : {}) });
    spawnWorker(deps.ctx, r.executionId);
    return { executionId: r.executionId, attempt: r.attempt };
  } finally {
    engine.close();
  }
}

export async function rollbackStage(deps: ReadDeps, pipeline: string, stage: string, to: string | undefined): Promise<{ executionId: string }> {
  const plan = await currentPlan(deps, await pipelineRef(deps, pipeline));
  const engine = createEngine(deps.ctx);
  try {
    const { executionId } = prepareRollback(engine, controlDeps(deps), plan, stage, {
      ...(to ? { to } : {}),
      trigger: { triggerType: 'ManualRollback', triggerDetail: `Start rollback of ${stage} (pipe serve)` },
      artifactRoot: deps.ctx.artifactRoot,
    });
    spawnWorker(deps.ctx, executionId);
    return { executionId };
  } finally {
    engine.close();
  }
}

export async function changeTransition(deps: ReadDeps, pipeline: string, stage: string, change: { enable: true } | { enable: false; reason: string }): Promise<void> {
  const plan = await currentPlan(deps, await pipelineRef(deps, pipeline));
  setTransition(controlDeps(deps), plan, stage, change);
}
