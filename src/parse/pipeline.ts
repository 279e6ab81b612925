// The pipeline file: reads it, parses it and validates it into a PipelineSpec, reporting every problem at once.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { PipeError } from '../core/index.js';
import type { ActionSpec, PipelineSpec, PipelineVariableSpec, Problem, StageSpec } from '../core/index.js';
import { ProblemCollector } from './problems.js';
import { parseYaml } from './yaml-source.js';
import { readCapped } from './yaml-limits.js';
import { readPipelineDraft } from './pipeline-read.js';
import type { ActionDraft, PipelineDraft, StageDraft, VariableDraft } from './pipeline-read.js';
import { checkPipelineRules } from './pipeline-rules.js';
import { checkExecutionRules } from './pipeline-execution.js';
import { checkTriggerRules, readTriggers, toTriggerSpecs } from './pipeline-triggers.js';
import type { TriggerDraft } from './pipeline-triggers.js';

export { ACTION_TYPE_RULES, DEFAULT_BUILDSPEC, DEFAULT_BUILD_IMAGE, DEFAULT_BUILD_TIMEOUT_MINUTES } from './pipeline-configuration.js';
export type { ActionTypeRules } from './pipeline-configuration.js';
export { compileGlob, matchesGlob } from './git-glob.js';
export { scanReferenceTokens, scanReferences, hasReference } from './pipeline-references.js';
export type { ReferenceToken } from './pipeline-references.js';

/**
 * Reads and validates a pipeline file. Problems name the file as given; `spec.file` is absolute.
 * Throws NOT_FOUND / INVALID_ARGUMENT when the file cannot be read, ValidationError when it is invalid.
 */
export function loadPipelineSpec(file: string): PipelineSpec {
  let read: { bytes: Buffer; size: number };
  try {
    read = readCapped(file);
  } catch (e) {
    throw describeReadFailure(file, e);
  }
  return readPipelineSpec(read.bytes.toString('utf8'), file, sha256(read.bytes), read.size);
}

/** Validates pipeline text as if read from `file` (which is used for messages, and resolved for `spec.file`). */
export function parsePipelineSpec(text: string, file: string): PipelineSpec {
  return readPipelineSpec(text, file, sha256(Buffer.from(text, 'utf8')));
}

function readPipelineSpec(text: string, file: string, digest: string, size?: number): PipelineSpec {
  const doc = parseYaml(text, file, size);
  const problems = new ProblemCollector(doc);
  const draft = readPipelineDraft(doc.root, problems);
  const triggers = draft ? readTriggers(draft.root, problems) : [];
  if (draft) {
    checkPipelineRules(draft, problems);
    checkExecutionRules(draft, problems);
    checkTriggerRules(draft, triggers, problems);
  }
  problems.throwIfAny();
  // No problem means every required value was read; the fallbacks below are unreachable.
  if (!draft) throw new PipeError('INTERNAL', `${file}: pipeline could not be read`);
  return toPipelineSpec(draft, triggers, path.resolve(file), digest, problems.sortedWarnings());
}

function toPipelineSpec(draft: PipelineDraft, triggers: readonly TriggerDraft[], file: string, digest: string, warnings: Problem[]): PipelineSpec {
  const spec: PipelineSpec = {
    file,
    digest,
    name: draft.name?.value ?? '',
    variables: draft.variables.map(toVariableSpec),
    stages: draft.stages.map(toStageSpec),
    warnings,
  };
  if (draft.settings.executionMode) spec.executionMode = draft.settings.executionMode.value;
  if (draft.settings.maxParallelActions !== undefined) spec.maxParallelActions = draft.settings.maxParallelActions;
  if (draft.settings.deployTimeScale !== undefined) spec.deployTimeScale = draft.settings.deployTimeScale;
  if (triggers.length > 0) spec.triggers = toTriggerSpecs(triggers);
  return spec;
}

function toVariableSpec(draft: VariableDraft): PipelineVariableSpec {
  const spec: PipelineVariableSpec = { name: draft.name?.value ?? '' };
  if (draft.defaultValue !== undefined) spec.defaultValue = draft.defaultValue;
  if (draft.description !== undefined) spec.description = draft.description;
  return spec;
}

function toStageSpec(draft: StageDraft): StageSpec {
  const spec: StageSpec = { name: draft.name?.value ?? '', actions: draft.actions.map(toActionSpec), location: draft.node.location };
  if (draft.onFailure) {
    spec.onFailure = { result: draft.onFailure.result.value };
    if (draft.onFailure.retryMode) spec.onFailure.retryMode = draft.onFailure.retryMode;
  }
  return spec;
}

function toActionSpec(draft: ActionDraft): ActionSpec {
  if (!draft.type) throw new PipeError('INTERNAL', `${draft.path}: action type missing after validation`);
  const spec: ActionSpec = {
    name: draft.name?.value ?? '',
    type: draft.type.value,
    runOrder: draft.runOrder,
    configuration: draft.configuration,
    inputArtifacts: draft.inputArtifacts.map((a) => a.value),
    outputArtifacts: draft.outputArtifacts.map((a) => a.value),
    location: draft.node.location,
  };
  if (draft.namespace) spec.namespace = draft.namespace.value;
  return spec;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function describeReadFailure(file: string, e: unknown): PipeError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return new PipeError('NOT_FOUND', `pipeline file ${file} not found`, { cause: e });
  }
  if (code === 'EISDIR') {
    return new PipeError('INVALID_ARGUMENT', `${file} is a directory; expected a pipeline file`, { cause: e });
  }
  const reason = e instanceof Error ? e.message : String(e);
  return new PipeError('INVALID_ARGUMENT', `cannot read pipeline file ${file}: ${reason}`, { cause: e });
}
