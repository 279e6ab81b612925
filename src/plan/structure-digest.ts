// The pipeline's structure as one SHA-256: what a retry must find unchanged (CodePipeline refuses a retry "when the
// pipeline structure changed since"). Configuration values and variable defaults are not structure.
import { createHash } from 'node:crypto';
import type { ActionSpec, PipelineSpec } from '../core/index.js';

/**
 * Hashes stage names in order and, per stage, each action's name, type, runOrder, input artifacts (in order: the
 * first is the primary source), output artifacts and namespace. Actions are taken by runOrder then name, so moving
 * an action's lines within its runOrder group, which changes nothing about how it runs, keeps the digest.
 */
export function computeStructureDigest(spec: PipelineSpec): string {
  const structure = {
    version: 1,
    stages: spec.stages.map((stage) => ({
      name: stage.name,
      actions: [...stage.actions].sort(byRunOrderThenName).map((a) => ({
        name: a.name,
        type: a.type,
        runOrder: a.runOrder,
        inputArtifacts: a.inputArtifacts,
        outputArtifacts: a.outputArtifacts,
        namespace: a.namespace ?? null,
      })),
    })),
  };
  return createHash('sha256').update(JSON.stringify(structure)).digest('hex');
}

function byRunOrderThenName(a: ActionSpec, b: ActionSpec): number {
  return a.runOrder - b.runOrder || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}
