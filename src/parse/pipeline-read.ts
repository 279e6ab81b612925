// Reads the pipeline file's YAML tree into drafts: every value keeps its node, so later rules can point at it.
import { ACTION_TYPES } from '../core/index.js';
import type { ActionType, ConfigValue } from '../core/index.js';
import { entry, joinPath, suggest } from './problems.js';
import type { ProblemCollector } from './problems.js';
import { describeNode } from './yaml-source.js';
import type { YamlMapping, YamlNode } from './yaml-source.js';
import { readConfiguration } from './pipeline-configuration.js';
import { expectedName, explainName } from './name-rules.js';
import type { NameKind } from './name-rules.js';
import type { ReferenceSite } from './pipeline-references.js';
import { EXECUTION_SETTING_KEYS, STAGE_CONDITION_KEYS, readExecutionSettings, readStageConditions } from './pipeline-execution.js';
import type { ExecutionSettingsDraft, OnFailureDraft } from './pipeline-execution.js';

/** A value read from the file, with the node and path it came from. */
export interface Located<T> {
  value: T;
  node: YamlNode;
  path: string;
}

export interface VariableDraft {
  name?: Located<string>;
  defaultValue?: string;
  description?: string;
}

export interface ActionDraft {
  path: string;
  node: YamlMapping;
  name?: Located<string>;
  type?: Located<ActionType>;
  runOrder: number;
  configuration: Record<string, ConfigValue>;
  inputArtifacts: Located<string>[];
  outputArtifacts: Located<string>[];
  namespace?: Located<string>;
  references: ReferenceSite[];
}

export interface StageDraft {
  index: number;
  path: string;
  node: YamlMapping;
  name?: Located<string>;
  actions: ActionDraft[];
  onFailure?: OnFailureDraft;
}

export interface PipelineDraft {
  root: YamlMapping;
  name?: Located<string>;
  settings: ExecutionSettingsDraft;
  variables: VariableDraft[];
  /** The `stages` node, when it is a list. */
  stagesNode?: YamlNode;
  stages: StageDraft[];
}

export const PIPELINE_KEYS = ['name', ...EXECUTION_SETTING_KEYS, 'variables', 'triggers', 'stages'] as const;
export const VARIABLE_KEYS = ['name', 'default', 'defaultValue', 'description'] as const;
export const STAGE_KEYS = ['name', 'actions', ...STAGE_CONDITION_KEYS] as const;
export const ACTION_KEYS = [
  'name',
  'type',
  'runOrder',
  'configuration',
  'inputArtifacts',
  'outputArtifacts',
  'namespace',
] as const;

const RUN_ORDER_MAX = 999;
const DEFAULT_VALUE_MAX = 1000;
const DESCRIPTION_MAX = 200;

/** Reads the whole file; undefined when the root is not a mapping (already reported). */
export function readPipelineDraft(root: YamlNode | null, problems: ProblemCollector): PipelineDraft | undefined {
  if (root === null) {
    const location = { file: problems.doc.file, line: 1, column: 1 };
    problems.add({ location }, '', "the file is empty; expected a mapping with 'name' and 'stages'");
    return undefined;
  }
  if (root.kind !== 'mapping') {
    problems.add(root, '', `expected a mapping with 'name' and 'stages', got ${describeNode(root)}`);
    return undefined;
  }
  problems.checkKeys(root, '', PIPELINE_KEYS);
  const draft: PipelineDraft = { root, settings: readExecutionSettings(root, problems), variables: [], stages: [] };
  const name = readRequiredName(root, '', 'name', 'pipeline', problems);
  if (name) draft.name = name;

  const variables = entry(root, 'variables');
  const variableList = variables && problems.expectSequence(variables, 'variables');
  variableList?.items.forEach((item, i) => {
    const variable = readVariable(item, joinPath('variables', i), problems);
    if (variable) draft.variables.push(variable);
  });

  const stages = entry(root, 'stages');
  if (stages === undefined) problems.add(root, 'stages', "missing required key 'stages'");
  const stageList = stages && problems.expectSequence(stages, 'stages');
  if (stageList) {
    draft.stagesNode = stageList;
    stageList.items.forEach((item, i) => {
      const stage = readStage(item, i, problems);
      if (stage) draft.stages.push(stage);
    });
  }
  return draft;
}

function readVariable(node: YamlNode, path: string, problems: ProblemCollector): VariableDraft | undefined {
  const map = problems.expectMapping(node, path);
  if (!map) return undefined;
  problems.checkKeys(map, path, VARIABLE_KEYS);
  const variable: VariableDraft = {};
  const name = readRequiredName(map, path, 'name', 'variable', problems);
  if (name) variable.name = name;
  const short = entry(map, 'default');
  const long = entry(map, 'defaultValue');
  if (short && long) {
    problems.add(long, joinPath(path, 'defaultValue'), "give either 'default' or 'defaultValue', not both");
  }
  const defaultNode = short ?? long;
  if (defaultNode) {
    const defaultPath = joinPath(path, short ? 'default' : 'defaultValue');
    const value = readBoundedText(defaultNode, defaultPath, 1, DEFAULT_VALUE_MAX, problems);
    if (value !== undefined) variable.defaultValue = value;
  }
  const description = entry(map, 'description');
  if (description) {
    const value = readBoundedText(description, joinPath(path, 'description'), 0, DESCRIPTION_MAX, problems);
    if (value !== undefined) variable.description = value;
  }
  return variable;
}

function readStage(node: YamlNode, index: number, problems: ProblemCollector): StageDraft | undefined {
  const path = joinPath('stages', index);
  const map = problems.expectMapping(node, path);
  if (!map) return undefined;
  problems.checkKeys(map, path, STAGE_KEYS);
  const stage: StageDraft = { index, path, node: map, actions: [] };
  const name = readRequiredName(map, path, 'name', 'stage', problems);
  if (name) stage.name = name;
  const actionsPath = joinPath(path, 'actions');
  const actions = entry(map, 'actions');
  if (actions === undefined) problems.add(map, actionsPath, "missing required key 'actions'");
  const list = actions && problems.expectSequence(actions, actionsPath);
  if (list && list.items.length === 0) problems.add(list, actionsPath, 'a stage needs at least one action');
  list?.items.forEach((item, i) => {
    const action = readAction(item, joinPath(actionsPath, i), problems);
    if (action) stage.actions.push(action);
  });
  const onFailure = readStageConditions(map, path, problems);
  if (onFailure) stage.onFailure = onFailure;
  return stage;
}

function readAction(node: YamlNode, path: string, problems: ProblemCollector): ActionDraft | undefined {
  const map = problems.expectMapping(node, path);
  if (!map) return undefined;
  problems.checkKeys(map, path, ACTION_KEYS);
  const action: ActionDraft = {
    path,
    node: map,
    runOrder: readRunOrder(map, path, problems),
    configuration: {},
    inputArtifacts: readArtifacts(map, path, 'inputArtifacts', problems),
    outputArtifacts: readArtifacts(map, path, 'outputArtifacts', problems),
    references: [],
  };
  const name = readRequiredName(map, path, 'name', 'action', problems);
  if (name) action.name = name;
  const type = readActionType(map, path, problems);
  if (type) action.type = type;
  const namespaceNode = entry(map, 'namespace');
  if (namespaceNode) {
    const namespace = readName(namespaceNode, joinPath(path, 'namespace'), 'namespace', problems);
    if (namespace) action.namespace = namespace;
  }
  const read = readConfiguration(map, path, type?.value, problems);
  action.configuration = read.configuration;
  action.references = read.references;
  return action;
}

function readActionType(map: YamlMapping, path: string, problems: ProblemCollector): Located<ActionType> | undefined {
  const typePath = joinPath(path, 'type');
  const node = entry(map, 'type');
  if (node === undefined) {
    problems.add(map, typePath, `missing required key 'type'; expected one of: ${ACTION_TYPES.join(', ')}`);
    return undefined;
  }
  const text = problems.expectString(node, typePath);
  if (text === undefined) return undefined;
  const known = ACTION_TYPES.find((t) => t === text);
  if (known) return { value: known, node, path: typePath };
  const close = suggest(text, ACTION_TYPES);
  const hint = close ? `did you mean '${close}'? ` : '';
  problems.add(node, typePath, `unknown action type '${text}'; ${hint}known types: ${ACTION_TYPES.join(', ')}`);
  return undefined;
}

function readRunOrder(map: YamlMapping, path: string, problems: ProblemCollector): number {
  const node = entry(map, 'runOrder');
  if (node === undefined) return 1;
  const text = node.kind === 'scalar' && !node.isNull ? node.value : undefined;
  const n = text !== undefined && /^[1-9][0-9]*$/.test(text) ? Number(text) : NaN;
  if (n >= 1 && n <= RUN_ORDER_MAX) return n;
  const got = describeNode(node);
  problems.add(node, joinPath(path, 'runOrder'), `expected a positive integer (1-${RUN_ORDER_MAX}), got ${got}`);
  return 1;
}

function readArtifacts(
  map: YamlMapping,
  path: string,
  key: 'inputArtifacts' | 'outputArtifacts',
  problems: ProblemCollector,
): Located<string>[] {
  const listPath = joinPath(path, key);
  const node = entry(map, key);
  const list = node && problems.expectSequence(node, listPath);
  if (!list) return [];
  const names: Located<string>[] = [];
  list.items.forEach((item, i) => {
    const itemPath = joinPath(listPath, i);
    if (item.kind === 'mapping') {
      problems.checkKeys(item, itemPath, ['name']);
      const name = readRequiredName(item, itemPath, 'name', 'artifact', problems);
      if (name) names.push(name);
      return;
    }
    if (item.kind === 'scalar' && !item.isNull) {
      const name = readName(item, itemPath, 'artifact', problems);
      if (name) names.push(name);
      return;
    }
    problems.add(item, itemPath, `expected an artifact name or { name: ... }, got ${describeNode(item)}`);
  });
  return names;
}

function readRequiredName(
  map: YamlMapping,
  path: string,
  key: string,
  kind: NameKind,
  problems: ProblemCollector,
): Located<string> | undefined {
  const node = entry(map, key);
  const keyPath = joinPath(path, key);
  if (node === undefined) {
    problems.add(map, keyPath, `missing required key '${key}'`);
    return undefined;
  }
  return readName(node, keyPath, kind, problems);
}

function readName(node: YamlNode, path: string, kind: NameKind, problems: ProblemCollector): Located<string> | undefined {
  const value = node.kind === 'scalar' && !node.isNull ? node.value : undefined;
  const problem = value === undefined ? `${expectedName(kind)}, got ${describeNode(node)}` : explainName(kind, value);
  if (value !== undefined && problem === undefined) return { value, node, path };
  problems.add(node, path, problem ?? expectedName(kind));
  return undefined;
}

function readBoundedText(
  node: YamlNode,
  path: string,
  min: number,
  max: number,
  problems: ProblemCollector,
): string | undefined {
  const value = problems.expectString(node, path);
  if (value === undefined) return undefined;
  if (value.length >= min && value.length <= max) return value;
  problems.add(node, path, `expected ${min}-${max} characters, got ${value.length}`);
  return undefined;
}
