// Per action type: the configuration keys it takes (read, checked, defaulted), its artifact counts and the
// variables its namespace publishes. A new action type is one more row in ACTION_TYPE_RULES.
import {
  DEFAULT_APPROVAL_TIMEOUT_MINUTES,
  DEFAULT_BATCH_CONCURRENCY,
  ENVIRONMENT_VARIABLE_TYPES,
  SOURCE_GIT_VARIABLES,
  DEFAULT_IMAGE,
  CLOUDFORMATION_ACTION_MODES,
} from '../core/index.js';
import type { ActionType, ConfigValue, EnvironmentVariableType } from '../core/index.js';
import { entry, joinPath, suggest } from './problems.js';
import type { ProblemCollector } from './problems.js';
import { describeNode, readBoolean } from './yaml-source.js';
import type { YamlMapping, YamlNode } from './yaml-source.js';
import { hasReference, locateInScalar, scanReferenceTokens } from './pipeline-references.js';
import type { ReferenceSite } from './pipeline-references.js';

type ReadValue = (node: YamlNode, path: string, problems: ProblemCollector) => ConfigValue | undefined;

interface ConfigurationKey {
  name: string;
  required?: boolean;
  /** Filled in when the file does not give the key, so the plan carries every value the action uses. */
  default?: ConfigValue;
  read: ReadValue;
}

interface Range {
  min: number;
  max: number;
}

export interface ActionTypeRules {
  /** The known keys, or 'any' while a type's configuration is not defined yet (kept as parsed). */
  configuration: readonly ConfigurationKey[] | 'any';
  /** Checks that involve several keys at once. */
  checkConfiguration?: (map: YamlMapping, path: string, problems: ProblemCollector) => void;
  inputArtifacts: Range;
  outputArtifacts: Range;
  /** The keys `#{ns.Key}` may name, or 'any' when they are only known at run time. */
  outputVariables: readonly string[] | 'any';
}

export const DEFAULT_BUILDSPEC = 'buildspec.yml';
export const DEFAULT_BUILD_IMAGE = DEFAULT_IMAGE;
/** CodeBuild's default build timeout. */
export const DEFAULT_BUILD_TIMEOUT_MINUTES = 60;
/** CodePipeline's limit on a configuration value (FunctionName, UserParameters). */
const INVOKE_VALUE_MAX = 1000;
/** CodePipeline's limit on an approval's `CustomData`. */
const APPROVAL_CUSTOM_DATA_MAX = 500;

export const ACTION_TYPE_RULES: Record<ActionType, ActionTypeRules> = {
  'Source/Git': {
    configuration: [
      { name: 'repository', required: true, read: readPath },
      { name: 'branch', read: readBranch },
      { name: 'commit', read: readCommit },
    ],
    checkConfiguration: checkBranchOrCommit,
    inputArtifacts: { min: 0, max: 0 },
    outputArtifacts: { min: 1, max: 1 },
    outputVariables: SOURCE_GIT_VARIABLES,
  },
  'Build/CodeBuild': {
    configuration: [
      { name: 'buildspec', default: DEFAULT_BUILDSPEC, read: readPath },
      { name: 'image', default: DEFAULT_BUILD_IMAGE, read: readImage },
      { name: 'environmentVariables', default: [], read: readEnvironmentVariables },
      { name: 'timeoutInMinutes', default: String(DEFAULT_BUILD_TIMEOUT_MINUTES), read: readIntegerIn(1, 480) },
      { name: 'privilegedMode', default: 'false', read: readBooleanText },
      { name: 'passAwsCredentials', read: readBooleanText },
      // CodePipeline's batch keys: run the buildspec's batch, and combine its builds' artifacts into each output.
      { name: 'batchEnabled', default: 'false', read: readBooleanText },
      { name: 'combineArtifacts', default: 'false', read: readBooleanText },
      { name: 'batchConcurrency', default: String(DEFAULT_BATCH_CONCURRENCY), read: readIntegerIn(1, 100) },
    ],
    inputArtifacts: { min: 1, max: 5 },
    outputArtifacts: { min: 0, max: 5 },
    outputVariables: 'any',
  },
  // CodePipeline's Lambda deploy action: a published version (or the input artifact's code, published) moved onto an
  // alias by a strategy, watching alarms; the keys are CodePipeline's, spelled as it spells them.
  'Deploy/Lambda': {
    configuration: [
      { name: 'FunctionName', required: true, read: readFunctionName },
      { name: 'FunctionAlias', read: readAliasName },
      { name: 'PublishedTargetVersion', read: readVersionNumber },
      { name: 'DeployStrategy', read: readDeployStrategy },
      { name: 'Alarms', read: readAlarmNames },
    ],
    checkConfiguration: checkLambdaDeploy,
    inputArtifacts: { min: 0, max: 1 },
    outputArtifacts: { min: 0, max: 0 },
    outputVariables: ['FunctionVersion'],
  },
  // CodePipeline's Lambda invoke action: the function gets a CodePipeline job and reports with PutJob*Result;
  // its output variables are whatever PutJobSuccessResult sends, so only known at run time.
  'Invoke/Lambda': {
    configuration: [
      { name: 'FunctionName', required: true, read: readTextUpTo(INVOKE_VALUE_MAX) },
      { name: 'UserParameters', read: readTextUpTo(INVOKE_VALUE_MAX) },
    ],
    inputArtifacts: { min: 0, max: 5 },
    outputArtifacts: { min: 0, max: 5 },
    outputVariables: 'any',
  },
  // CodePipeline's CloudFormation action; its outputs are the stack's Outputs (known once it is deployed).
  'Deploy/CloudFormation': {
    configuration: [
      { name: 'ActionMode', required: true, read: readOneOf(CLOUDFORMATION_ACTION_MODES) },
      { name: 'StackName', required: true, read: readStackName },
      { name: 'TemplatePath', read: readArtifactPath },
      { name: 'TemplateConfiguration', read: readArtifactPath },
      { name: 'ParameterOverrides', read: readAny },
      { name: 'Capabilities', read: readAny },
      { name: 'ChangeSetName', read: readPath },
      { name: 'OutputFileName', read: readPath },
      { name: 'RoleArn', read: readPath },
    ],
    checkConfiguration: checkCloudFormation,
    inputArtifacts: { min: 0, max: 10 },
    outputArtifacts: { min: 0, max: 1 },
    outputVariables: 'any',
  },
  // CodePipeline's manual approval: no artifacts, no variables; the keys are CodePipeline's, spelled as it spells them.
  'Approval/Manual': {
    configuration: [
      { name: 'CustomData', read: readTextUpTo(APPROVAL_CUSTOM_DATA_MAX) },
      { name: 'ExternalEntityLink', read: readUrl },
      { name: 'NotificationArn', read: readNotificationArn },
      {
        name: 'TimeoutInMinutes',
        default: String(DEFAULT_APPROVAL_TIMEOUT_MINUTES),
        read: readIntegerIn(1, DEFAULT_APPROVAL_TIMEOUT_MINUTES),
      },
    ],
    inputArtifacts: { min: 0, max: 0 },
    outputArtifacts: { min: 0, max: 0 },
    outputVariables: [],
  },
};


export interface ReadConfiguration {
  configuration: Record<string, ConfigValue>;
  references: ReferenceSite[];
}

/** Reads an action's `configuration` for its type (unknown type: read as-is, keys unchecked). */
export function readConfiguration(
  action: YamlMapping,
  actionPath: string,
  type: ActionType | undefined,
  problems: ProblemCollector,
): ReadConfiguration {
  const path = joinPath(actionPath, 'configuration');
  const node = entry(action, 'configuration');
  const map = node && problems.expectMapping(node, path);
  const references = map ? findReferenceSites(map, path, problems) : [];
  const rules = type && ACTION_TYPE_RULES[type];
  if (rules === undefined || rules.configuration === 'any') {
    const configuration: Record<string, ConfigValue> = {};
    for (const e of map?.entries ?? []) {
      const value = readAny(e.value, joinPath(path, e.key.value), problems);
      if (value !== undefined) configuration[e.key.value] = value;
    }
    return { configuration, references };
  }
  const keys = rules.configuration;
  if (map) problems.checkKeys(map, path, keys.map((k) => k.name));
  const configuration: Record<string, ConfigValue> = {};
  for (const key of keys) {
    const keyPath = joinPath(path, key.name);
    const value = map && entry(map, key.name);
    if (value !== undefined) {
      const read = key.read(value, keyPath, problems);
      if (read !== undefined) configuration[key.name] = read;
    } else if (key.required) {
      problems.add(map ?? action, keyPath, `missing required configuration key '${key.name}' for ${type}`);
    } else if (key.default !== undefined) {
      configuration[key.name] = key.default;
    }
  }
  if (map) rules.checkConfiguration?.(map, path, problems);
  return { configuration, references };
}

/** Every `#{...}` in the configuration's values; malformed ones are reported here. */
function findReferenceSites(node: YamlNode, path: string, problems: ProblemCollector): ReferenceSite[] {
  if (node.kind === 'mapping') {
    return node.entries.flatMap((e) => findReferenceSites(e.value, joinPath(path, e.key.value), problems));
  }
  if (node.kind === 'sequence') {
    return node.items.flatMap((item, i) => findReferenceSites(item, joinPath(path, i), problems));
  }
  const sites: ReferenceSite[] = [];
  for (const token of scanReferenceTokens(node.value)) {
    const location = locateInScalar(node, problems.doc.lineText(node.location.line), token.text);
    if (token.reference) {
      sites.push({ reference: token.reference, path, location });
    } else {
      problems.add({ location }, path, `malformed variable reference '${token.text}'; expected #{namespace.key}`);
    }
  }
  return sites;
}

function readAny(node: YamlNode, path: string, problems: ProblemCollector): ConfigValue | undefined {
  switch (node.kind) {
    case 'scalar':
      if (!node.isNull) return node.value;
      problems.add(node, path, 'expected a value, got nothing (null)');
      return undefined;
    case 'sequence':
      return node.items.flatMap((item, i) => readAny(item, joinPath(path, i), problems) ?? []);
    case 'mapping': {
      const out: Record<string, ConfigValue> = {};
      for (const e of node.entries) {
        const value = readAny(e.value, joinPath(path, e.key.value), problems);
        if (value !== undefined) out[e.key.value] = value;
      }
      return out;
    }
  }
}

function readOneOf(values: readonly string[]): ReadValue {
  return (node, path, problems) => {
    const value = problems.expectString(node, path);
    if (value === undefined || values.includes(value) || hasReference(value)) return value;
    const close = suggest(value, values);
    problems.add(node, path, `'${value}' is not one of ${values.join(', ')}${close ? `; did you mean '${close}'?` : ''}`);
    return undefined;
  };
}

function readStackName(node: YamlNode, path: string, problems: ProblemCollector): string | undefined {
  const value = problems.expectString(node, path);
  if (value === undefined || hasReference(value) || /^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(value)) return value;
  problems.add(node, path, `stack name '${value}' is not valid: CloudFormation takes a letter, then letters, digits and hyphens, at most 128 characters`);
  return undefined;
}

/** CodePipeline's `ArtifactName::path/in/the/artifact`. */
function readArtifactPath(node: YamlNode, path: string, problems: ProblemCollector): string | undefined {
  const value = problems.expectString(node, path);
  if (value === undefined || hasReference(value) || /^[A-Za-z0-9_-]+::.+$/.test(value)) return value;
  problems.add(node, path, `expected ArtifactName::path/in/artifact, got '${value}'`);
  return undefined;
}

/** The modes that deploy a template need one. */
function checkCloudFormation(map: YamlMapping, path: string, problems: ProblemCollector): void {
  const mode = entry(map, 'ActionMode');
  const value = mode?.kind === 'scalar' ? mode.value : undefined;
  if (value && ['CREATE_UPDATE', 'REPLACE_ON_FAILURE', 'CHANGE_SET_REPLACE'].includes(value) && !entry(map, 'TemplatePath')) {
    problems.add(map, path, `ActionMode ${value} needs TemplatePath (ArtifactName::template.yaml)`);
  }
}

function readPath(node: YamlNode, path: string, problems: ProblemCollector): string | undefined {
  const value = problems.expectString(node, path);
  if (value === undefined) return undefined;
  if (value.trim() !== '') return value;
  problems.add(node, path, 'expected a path, got an empty string');
  return undefined;
}

function readTextUpTo(max: number): ReadValue {
  return (node, path, problems) => {
    const value = problems.expectString(node, path);
    if (value === undefined) return undefined;
    if (value.length <= max) return value;
    problems.add(node, path, `expected at most ${max} characters, got ${value.length}`);
    return undefined;
  };
}

/**
 * An http(s) URL. A value holding a reference is only known at run time: it passes when it starts with the
 * reference, or with http:// or https://.
 */
function readUrl(node: YamlNode, path: string, problems: ProblemCollector): string | undefined {
  const value = problems.expectString(node, path);
  if (value === undefined) return undefined;
  const before = value.slice(0, value.indexOf('#{'));
  const ok = hasReference(value)
    ? before === '' || /^https?:\/\//.test(before)
    : /^https?:\/\/[^\s/]/.test(value) && URL.canParse(value);
  if (ok) return value;
  problems.add(node, path, `expected a URL (http:// or https://), got '${value}'`);
  return undefined;
}

/** An SNS topic ARN: accepted as CodePipeline accepts it, and said to do nothing here. */
function readNotificationArn(node: YamlNode, path: string, problems: ProblemCollector): string | undefined {
  const value = problems.expectString(node, path);
  if (value === undefined) return undefined;
  if (!hasReference(value) && !/^arn:[a-z-]+:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$/.test(value)) {
    problems.add(node, path, `expected an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:TOPIC), got '${value}'`);
    return undefined;
  }
  problems.warn(node, path, 'NotificationArn is not used locally: pipe publishes no SNS notification; the approval waits for a response all the same');
  return value;
}

function readImage(node: YamlNode, path: string, problems: ProblemCollector): string | undefined {
  const value = problems.expectString(node, path);
  if (value === undefined) return undefined;
  if (/^\S+$/.test(value)) return value;
  problems.add(node, path, `expected an image name such as ${DEFAULT_BUILD_IMAGE}, got '${value}'`);
  return undefined;
}

function readCommit(node: YamlNode, path: string, problems: ProblemCollector): string | undefined {
  const value = problems.expectString(node, path);
  if (value === undefined) return undefined;
  if (hasReference(value) || /^[0-9a-fA-F]{4,40}$/.test(value)) return value;
  problems.add(node, path, `expected a commit id (4-40 hexadecimal digits), got '${value}'`);
  return undefined;
}

/** A loose form of `git check-ref-format`: enough to catch a typo, not to replace git. */
function readBranch(node: YamlNode, path: string, problems: ProblemCollector): string | undefined {
  const value = problems.expectString(node, path);
  if (value === undefined) return undefined;
  const bad = value === '' || /[\s~^:?*[\\]|\.\.|@\{|^[-/]|\/$|\.lock$|\.$/.test(value);
  if (hasReference(value) || !bad) return value;
  problems.add(node, path, `expected a branch name, got '${value}'`);
  return undefined;
}

function checkBranchOrCommit(map: YamlMapping, path: string, problems: ProblemCollector): void {
  const commit = entry(map, 'commit');
  if (commit && entry(map, 'branch')) {
    problems.add(commit, joinPath(path, 'commit'), "give either 'branch' or 'commit', not both");
  }
}

function readIntegerIn(min: number, max: number): ReadValue {
  return (node, path, problems) => {
    const text = node.kind === 'scalar' && !node.isNull ? node.value : undefined;
    const n = text !== undefined && /^[1-9][0-9]*$/.test(text) ? Number(text) : NaN;
    if (n >= min && n <= max) return String(n);
    problems.add(node, path, `expected an integer from ${min} to ${max}, got ${describeNode(node)}`);
    return undefined;
  };
}

/** Booleans are kept as the text 'true' or 'false', whatever YAML 1.1 word the file used. */
function readBooleanText(node: YamlNode, path: string, problems: ProblemCollector): string | undefined {
  const value = node.kind === 'scalar' && !node.isNull ? readBoolean(node) : undefined;
  if (value !== undefined) return String(value);
  problems.add(node, path, `expected true or false, got ${describeNode(node)}`);
  return undefined;
}

/**
 * `environmentVariables` is given as a mapping (`NAME: value`) or as CodePipeline's list
 * (`[{ name, value, type }]`). Both normalise to the list, in file order, every entry with its type:
 * `[{ name: 'COMMIT', value: '#{SourceVariables.CommitId}', type: 'PLAINTEXT' }, ...]`
 * (the mapping form's entries are PLAINTEXT). Values keep their literal text.
 */
function readEnvironmentVariables(node: YamlNode, path: string, problems: ProblemCollector): ConfigValue | undefined {
  const found: { name: string; value: string; type: EnvironmentVariableType; node: YamlNode; path: string }[] = [];
  if (node.kind === 'mapping') {
    for (const e of node.entries) {
      const itemPath = joinPath(path, e.key.value);
      const value = problems.expectString(e.value, itemPath);
      if (checkVariableName(e.key, e.key.value, itemPath, problems) && value !== undefined) {
        found.push({ name: e.key.value, value, type: 'PLAINTEXT', node: e.key, path: itemPath });
      }
    }
  } else if (node.kind === 'sequence') {
    node.items.forEach((item, i) => {
      const read = readEnvironmentVariableItem(item, joinPath(path, i), problems);
      if (read) found.push({ ...read, node: item, path: joinPath(path, i) });
    });
  } else {
    problems.add(node, path, `expected a mapping of NAME: value or a list of { name, value, type }, got ${describeNode(node)}`);
    return undefined;
  }
  const seen = new Set<string>();
  for (const v of found) {
    if (seen.has(v.name)) problems.add(v.node, v.path, `environment variable '${v.name}' is given twice`);
    seen.add(v.name);
  }
  return found.map(({ name, value, type }) => ({ name, value, type }));
}

function readEnvironmentVariableItem(
  node: YamlNode,
  path: string,
  problems: ProblemCollector,
): { name: string; value: string; type: EnvironmentVariableType } | undefined {
  const map = problems.expectMapping(node, path);
  if (!map) return undefined;
  problems.checkKeys(map, path, ['name', 'value', 'type']);
  const nameNode = entry(map, 'name');
  const valueNode = entry(map, 'value');
  if (!nameNode) problems.add(map, joinPath(path, 'name'), "missing required key 'name'");
  if (!valueNode) problems.add(map, joinPath(path, 'value'), "missing required key 'value'");
  const name = nameNode && problems.expectString(nameNode, joinPath(path, 'name'));
  const value = valueNode && problems.expectString(valueNode, joinPath(path, 'value'));
  const type = readEnvironmentVariableType(entry(map, 'type'), joinPath(path, 'type'), problems);
  const nameOk = nameNode !== undefined && name !== undefined && checkVariableName(nameNode, name, joinPath(path, 'name'), problems);
  if (!nameOk || value === undefined || type === undefined) return undefined;
  return { name, value, type };
}

function readEnvironmentVariableType(
  node: YamlNode | undefined,
  path: string,
  problems: ProblemCollector,
): EnvironmentVariableType | undefined {
  if (node === undefined) return 'PLAINTEXT';
  const text = problems.expectString(node, path);
  if (text === undefined) return undefined;
  const known = ENVIRONMENT_VARIABLE_TYPES.find((t) => t === text);
  if (known) return known;
  const close = suggest(text, ENVIRONMENT_VARIABLE_TYPES);
  const hint = close ? `did you mean '${close}'? ` : '';
  problems.add(node, path, `unknown type '${text}'; ${hint}expected one of: ${ENVIRONMENT_VARIABLE_TYPES.join(', ')}`);
  return undefined;
}

function checkVariableName(node: YamlNode, name: string, path: string, problems: ProblemCollector): boolean {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    problems.add(node, path, `expected an environment variable name (letters, digits, _; not starting with a digit), got '${name}'`);
    return false;
  }
  if (name.startsWith('CODEBUILD_')) {
    problems.add(node, path, `environment variable names starting with CODEBUILD_ are reserved for CodeBuild, got '${name}'`);
    return false;
  }
  return true;
}

/** A value checked by `pattern` unless it holds a `#{ns.Key}` reference (known only at run time). */
function readMatching(node: YamlNode, path: string, problems: ProblemCollector, pattern: RegExp, expected: string): string | undefined {
  const value = problems.expectString(node, path);
  if (value === undefined) return undefined;
  if (hasReference(value) || pattern.test(value)) return value;
  problems.add(node, path, `expected ${expected}, got ${describeNode(node)}`);
  return undefined;
}

function readFunctionName(node: YamlNode, path: string, problems: ProblemCollector): string | undefined {
  return readMatching(node, path, problems, /^[a-zA-Z0-9-_]{1,64}$/, 'a function name (letters, digits, - and _, at most 64)');
}

function readAliasName(node: YamlNode, path: string, problems: ProblemCollector): string | undefined {
  return readMatching(node, path, problems, /^(?![0-9]+$)[a-zA-Z0-9-_]{1,128}$/, 'an alias name (letters, digits, - and _, not all digits)');
}

function readVersionNumber(node: YamlNode, path: string, problems: ProblemCollector): string | undefined {
  return readMatching(node, path, problems, /^[1-9][0-9]*$/, 'a published version number');
}

function readDeployStrategy(node: YamlNode, path: string, problems: ProblemCollector): string | undefined {
  return readMatching(node, path, problems, /^(AllAtOnce|Canary[1-9][0-9]?Percent[1-9][0-9]*Minutes?|Linear[1-9][0-9]?PercentEvery[1-9][0-9]*Minutes?)$/,
    'AllAtOnce, Canary<P>Percent<M>Minutes or Linear<P>PercentEvery<M>Minute(s)');
}

function readAlarmNames(node: YamlNode, path: string, problems: ProblemCollector): string | undefined {
  return readMatching(node, path, problems, /^\s*[^,\s][^,]{0,254}(,\s*[^,\s][^,]{0,254}){0,9}$/, 'at most 10 alarm names, separated by commas');
}

/** A strategy moves an alias: without FunctionAlias there is nothing to shift. */
function checkLambdaDeploy(map: YamlMapping, path: string, problems: ProblemCollector): void {
  const strategy = entry(map, 'DeployStrategy');
  if (strategy && !entry(map, 'FunctionAlias')) problems.add(strategy, joinPath(path, 'DeployStrategy'), "a DeployStrategy needs a 'FunctionAlias' to shift");
  const alarms = entry(map, 'Alarms');
  if (alarms && !entry(map, 'FunctionAlias')) problems.add(alarms, joinPath(path, 'Alarms'), "Alarms are watched while a 'FunctionAlias' shifts; give one");
}
