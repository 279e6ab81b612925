// PipelineSpec -> ExecutionPlan: stages as runOrder groups, who produces each artifact, references per action,
// the execution settings with their defaults, and the structure digest. Pure.
import path from 'node:path';
import { DEFAULT_EXECUTION_MODE, DEFAULT_MAX_PARALLEL_ACTIONS, DEFAULT_RETRY_MODE, categoryOf } from '../core/index.js';
import type {
  ActionPlan,
  ActionSpec,
  ExecutionPlan,
  PipelineSpec,
  StageOnFailure,
  StageOnFailureSpec,
  StagePlan,
  StageSpec,
} from '../core/index.js';
import { findReferences } from './references.js';
import { computeStructureDigest } from './structure-digest.js';

/** Builds the plan of a validated spec. Actions of equal runOrder form a group (in file order); groups ascend. */
export function buildExecutionPlan(spec: PipelineSpec): ExecutionPlan {
  const stages = spec.stages.map(planStage);
  const artifactProducers: Record<string, string> = {};
  for (const action of stages.flatMap((s) => s.groups.flat())) {
    for (const artifact of action.outputArtifacts) artifactProducers[artifact] = action.id;
  }
  return {
    pipeline: spec.name,
    file: spec.file,
    digest: spec.digest,
    structureDigest: computeStructureDigest(spec),
    executionMode: spec.executionMode ?? DEFAULT_EXECUTION_MODE,
    maxParallelActions: spec.maxParallelActions ?? DEFAULT_MAX_PARALLEL_ACTIONS,
    ...(spec.deployTimeScale === undefined ? {} : { deployTimeScale: spec.deployTimeScale }),
    baseDir: path.dirname(spec.file),
    variables: spec.variables.map((v) => ({ ...v })),
    stages,
    artifactProducers,
    ...(spec.triggers ? { triggers: spec.triggers.map((t) => ({ ...t })) } : {}),
    warnings: spec.warnings.map((w) => ({ ...w })),
  };
}

function planStage(stage: StageSpec): StagePlan {
  const byRunOrder = new Map<number, ActionPlan[]>();
  for (const action of stage.actions) {
    const group = byRunOrder.get(action.runOrder) ?? [];
    group.push(planAction(stage.name, action));
    byRunOrder.set(action.runOrder, group);
  }
  const groups = [...byRunOrder.entries()].sort(([a], [b]) => a - b).map(([, group]) => group);
  return { name: stage.name, groups, onFailure: planOnFailure(stage.onFailure) };
}

/** No onFailure: the stage fails (and with it the execution). RETRY without a retryMode retries the failed actions. */
function planOnFailure(spec: StageOnFailureSpec | undefined): StageOnFailure {
  if (spec === undefined) return { result: 'FAIL' };
  switch (spec.result) {
    case 'FAIL':
      return { result: 'FAIL' };
    case 'ROLLBACK':
      return { result: 'ROLLBACK' };
    case 'RETRY':
      return { result: 'RETRY', retryMode: spec.retryMode ?? DEFAULT_RETRY_MODE };
    default: {
      const unknown: never = spec.result;
      throw new Error(`unknown onFailure result ${String(unknown)}`);
    }
  }
}

function planAction(stage: string, action: ActionSpec): ActionPlan {
  const plan: ActionPlan = {
    stage,
    name: action.name,
    id: `${stage}.${action.name}`,
    type: action.type,
    category: categoryOf(action.type),
    runOrder: action.runOrder,
    configuration: action.configuration,
    inputArtifacts: [...action.inputArtifacts],
    outputArtifacts: [...action.outputArtifacts],
    references: findReferences(action.configuration),
  };
  if (action.namespace !== undefined) plan.namespace = action.namespace;
  return plan;
}
