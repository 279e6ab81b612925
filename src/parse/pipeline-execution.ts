// The pipeline's execution settings: CodePipeline V2's `executionMode`, pipe's `maxParallelActions` and
// `deployTimeScale`, each stage's `onFailure` (RETRY, ROLLBACK or FAIL) with CodePipeline's rules for it, and the
// stage conditions pipe cannot run yet.
import { EXECUTION_MODES, FAILURE_RESULTS, MAX_PARALLEL_ACTIONS_LIMIT, RETRY_MODES, categoryOf } from '../core/index.js';
import type { ExecutionMode, FailureResult, RetryMode } from '../core/index.js';
import { entry, joinPath, keyNode, suggest } from './problems.js';
import type { ProblemCollector } from './problems.js';
import { describeNode } from './yaml-source.js';
import type { YamlMapping, YamlNode } from './yaml-source.js';
import type { Located, PipelineDraft, StageDraft } from './pipeline-read.js';

/** Top-level keys read here. */
export const EXECUTION_SETTING_KEYS = ['executionMode', 'maxParallelActions', 'deployTimeScale'] as const;
/** The largest deployTimeScale: an AWS hour lasts a second. */
export const MAX_DEPLOY_TIME_SCALE = 3600;
/** CodePipeline V2's stage conditions: all three are known keys, so the two pipe cannot run get a clear refusal. */
export const STAGE_CONDITION_KEYS = ['onFailure', 'onSuccess', 'beforeEntry'] as const;
const UNSUPPORTED_CONDITIONS = ['onSuccess', 'beforeEntry'] as const;
const ON_FAILURE_KEYS = ['result', 'retryConfiguration', 'conditions'] as const;

export interface ExecutionSettingsDraft {
  executionMode?: Located<ExecutionMode>;
  maxParallelActions?: number;
  deployTimeScale?: number;
}

export interface OnFailureDraft {
  result: Located<FailureResult>;
  retryMode?: RetryMode;
}

export function readExecutionSettings(root: YamlMapping, problems: ProblemCollector): ExecutionSettingsDraft {
  const settings: ExecutionSettingsDraft = {};
  const mode = entry(root, 'executionMode');
  const value = mode && readChoice(mode, 'executionMode', 'execution mode', EXECUTION_MODES, problems);
  if (mode && value) settings.executionMode = { value, node: mode, path: 'executionMode' };
  const max = entry(root, 'maxParallelActions');
  const n = max && readWholeNumber(max, 'maxParallelActions', 1, MAX_PARALLEL_ACTIONS_LIMIT, problems);
  if (n !== undefined) settings.maxParallelActions = n;
  const scale = entry(root, 'deployTimeScale');
  const factor = scale && readScale(scale, 'deployTimeScale', problems);
  if (factor !== undefined) settings.deployTimeScale = factor;
  return settings;
}

/** Reads a stage's `onFailure`; refuses `onSuccess` and `beforeEntry` where they stand. */
export function readStageConditions(stage: YamlMapping, path: string, problems: ProblemCollector): OnFailureDraft | undefined {
  for (const key of UNSUPPORTED_CONDITIONS) {
    const node = keyNode(stage, key);
    if (!node) continue;
    problems.add(node, joinPath(path, key), `stage condition '${key}' is not supported yet; pipe runs only a stage's onFailure (result RETRY, ROLLBACK or FAIL)`);
  }
  const node = entry(stage, 'onFailure');
  return node && readOnFailure(node, joinPath(path, 'onFailure'), problems);
}

function readOnFailure(node: YamlNode, path: string, problems: ProblemCollector): OnFailureDraft | undefined {
  const map = problems.expectMapping(node, path);
  if (!map) return undefined;
  problems.checkKeys(map, path, ON_FAILURE_KEYS);
  const conditions = keyNode(map, 'conditions');
  if (conditions) {
    problems.add(conditions, joinPath(path, 'conditions'), 'onFailure conditions (rules) are not supported yet; without them the result applies whenever the stage fails');
  }
  const resultPath = joinPath(path, 'result');
  const resultNode = entry(map, 'result');
  if (!resultNode) problems.add(map, resultPath, `missing required key 'result'; expected one of: ${FAILURE_RESULTS.join(', ')}`);
  const result = resultNode && readResult(resultNode, resultPath, problems);
  const retryMode = readRetryConfiguration(map, path, result, problems);
  if (!resultNode || !result) return undefined;
  const read: OnFailureDraft = { result: { value: result, node: resultNode, path: resultPath } };
  if (retryMode) read.retryMode = retryMode;
  return read;
}

function readResult(node: YamlNode, path: string, problems: ProblemCollector): FailureResult | undefined {
  // SKIP is CodePipeline's too, but only for beforeEntry: say so rather than "unknown".
  if (node.kind === 'scalar' && node.value === 'SKIP') {
    problems.add(node, path, `result SKIP belongs to beforeEntry conditions; onFailure takes one of: ${FAILURE_RESULTS.join(', ')}`);
    return undefined;
  }
  return readChoice(node, path, 'result', FAILURE_RESULTS, problems);
}

function readRetryConfiguration(
  onFailure: YamlMapping,
  path: string,
  result: FailureResult | undefined,
  problems: ProblemCollector,
): RetryMode | undefined {
  const node = entry(onFailure, 'retryConfiguration');
  const key = keyNode(onFailure, 'retryConfiguration');
  if (!node || !key) return undefined;
  const retryPath = joinPath(path, 'retryConfiguration');
  if (result !== undefined && result !== 'RETRY') {
    problems.add(key, retryPath, `retryConfiguration applies only with result RETRY, and this onFailure's result is ${result}`);
  }
  const map = problems.expectMapping(node, retryPath);
  if (!map) return undefined;
  problems.checkKeys(map, retryPath, ['retryMode']);
  const mode = entry(map, 'retryMode');
  return mode && readChoice(mode, joinPath(retryPath, 'retryMode'), 'retry mode', RETRY_MODES, problems);
}

/** CodePipeline's rollback rules: not in PARALLEL mode, and never for a source stage. */
export function checkExecutionRules(draft: PipelineDraft, problems: ProblemCollector): void {
  const mode = draft.settings.executionMode;
  for (const stage of draft.stages) {
    const result = stage.onFailure?.result;
    if (result?.value !== 'ROLLBACK') continue;
    const label = stage.name ? `stage '${stage.name.value}'` : `the stage at ${stage.path}`;
    if (isSourceStage(stage)) {
      problems.add(result.node, result.path, `${label} holds only source actions, and a source stage cannot be rolled back; use result RETRY or FAIL`);
    } else if (mode?.value === 'PARALLEL') {
      const where = `executionMode at line ${mode.node.location.line}`;
      problems.add(result.node, result.path, `${label} cannot roll back: rollback is not available in PARALLEL execution mode (${where}); use SUPERSEDED or QUEUED, or result RETRY or FAIL`);
    }
  }
}

function isSourceStage(stage: StageDraft): boolean {
  return stage.actions.length > 0 && stage.actions.every((a) => a.type && categoryOf(a.type.value) === 'Source');
}

function readChoice<T extends string>(
  node: YamlNode,
  path: string,
  what: string,
  choices: readonly T[],
  problems: ProblemCollector,
): T | undefined {
  const text = problems.expectString(node, path);
  if (text === undefined) return undefined;
  const known = choices.find((c) => c === text);
  if (known) return known;
  const close = suggest(text, choices);
  const hint = close ? `did you mean '${close}'? ` : '';
  problems.add(node, path, `unknown ${what} '${text}'; ${hint}expected one of: ${choices.join(', ')}`);
  return undefined;
}

function readWholeNumber(node: YamlNode, path: string, min: number, max: number, problems: ProblemCollector): number | undefined {
  const text = node.kind === 'scalar' && !node.isNull ? node.value : undefined;
  const n = text !== undefined && /^[1-9][0-9]*$/.test(text) ? Number(text) : NaN;
  if (n >= min && n <= max) return n;
  problems.add(node, path, `expected an integer from ${min} to ${max}, got ${describeNode(node)}`);
  return undefined;
}

/** A positive decimal number, at most MAX_DEPLOY_TIME_SCALE (1 is real time, 60 makes a minute last a second). */
function readScale(node: YamlNode, path: string, problems: ProblemCollector): number | undefined {
  const text = node.kind === 'scalar' && !node.isNull ? node.value : undefined;
  const n = text !== undefined && /^[0-9]+(\.[0-9]+)?$/.test(text) ? Number(text) : NaN;
  if (n > 0 && n <= MAX_DEPLOY_TIME_SCALE) return n;
  problems.add(node, path, `expected a number greater than 0 and at most ${MAX_DEPLOY_TIME_SCALE} (60 makes an AWS minute last a second), got ${describeNode(node)}`);
  return undefined;
}
