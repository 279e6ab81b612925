// PipelineSpec -> ExecutionPlan: stages as runOrder groups, who produces each artifact, references per action. Pure.
import path from 'node:path';
import { categoryOf } from '../core/index.js';
import type { ActionPlan, ActionSpec, ExecutionPlan, PipelineSpec, StagePlan, StageSpec } from '../core/index.js';
import { findReferences } from './references.js';

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
    baseDir: path.dirname(spec.file),
    variables: spec.variables.map((v) => ({ ...v })),
    stages,
    artifactProducers,
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
  return { name: stage.name, groups };
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
