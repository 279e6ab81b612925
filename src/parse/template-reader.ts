// CloudFormation / SAM template text (YAML or JSON) -> a TemplateSpec: positioned nodes with every short tag
// (`!Ref`, `!GetAtt a.b`, `!Sub`, ...) rewritten to its long form (`{Ref: ...}`, `{"Fn::GetAtt": [a, b]}`), the
// sections checked for shape, and every problem reported at once with file:line:col.
import { ValidationError } from '../core/index.js';
import type { Problem } from '../core/index.js';
import { ProblemCollector, entry, joinPath } from './problems.js';
import { parseYaml } from './yaml-source.js';
import type { YamlDocument, YamlMapping, YamlNode, YamlScalar } from './yaml-source.js';
import { readCapped } from './yaml-limits.js';
import type { YamlLimits } from './yaml-limits.js';
import { checkIntrinsics } from './template-intrinsics.js';
import { checkSamRules } from './template-sam-rules.js';

export const SAM_TRANSFORM = 'AWS::Serverless-2016-10-31';

/** What pipe reads of a template: CloudFormation's own quotas where it has one. */
export const TEMPLATE_LIMITS: YamlLimits & { resources: number } = {
  /** CloudFormation takes a template of at most 1 MB (from S3; 51,200 bytes inline). */
  documentBytes: 1024 * 1024,
  depth: 64,
  keys: 200_000,
  nodes: 1_000_000,
  /** CloudFormation's quota of resources per stack. */
  resources: 500,
};

const TOP_LEVEL = [
  'AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Rules', 'Mappings', 'Conditions',
  'Transform', 'Globals', 'Resources', 'Outputs',
] as const;

export const RESOURCE_KEYS = [
  'Type', 'Properties', 'DependsOn', 'Condition', 'DeletionPolicy', 'UpdateReplacePolicy', 'Metadata',
  'CreationPolicy', 'UpdatePolicy', 'Version',
] as const;

/** The short tags and the long form each becomes. */
const SHORT_TAGS: Record<string, string> = {
  '!Ref': 'Ref', '!Condition': 'Condition', '!GetAtt': 'Fn::GetAtt', '!Sub': 'Fn::Sub', '!If': 'Fn::If',
  '!Join': 'Fn::Join', '!Select': 'Fn::Select', '!Split': 'Fn::Split', '!FindInMap': 'Fn::FindInMap',
  '!Equals': 'Fn::Equals', '!And': 'Fn::And', '!Or': 'Fn::Or', '!Not': 'Fn::Not', '!GetAZs': 'Fn::GetAZs',
  '!ImportValue': 'Fn::ImportValue', '!Base64': 'Fn::Base64', '!Cidr': 'Fn::Cidr', '!Transform': 'Fn::Transform',
  '!Length': 'Fn::Length', '!ToJsonString': 'Fn::ToJsonString', '!ForEach': 'Fn::ForEach',
};

export interface TemplateSpec {
  file: string;
  doc: YamlDocument;
  /** The template, short tags rewritten to long forms. */
  root: YamlMapping;
  transforms: string[];
  /** The SAM transform is declared. */
  isSam: boolean;
  resources: YamlMapping;
  /** Accepted but not honoured: listed, never failing. */
  warnings: Problem[];
  /** With `keepProblems`: what is wrong in the file, left for the caller to report with its own findings. */
  problems: Problem[];
}

export interface ReadTemplateOptions {
  /** Return the file's problems in the spec instead of throwing (YAML that does not parse still throws). */
  keepProblems?: boolean;
}

/** Parses and checks a template; throws a ValidationError with every problem. */
export function readTemplate(text: string, file: string, totalBytes?: number, options: ReadTemplateOptions = {}): TemplateSpec {
  const doc = parseYaml(text, file, totalBytes, TEMPLATE_LIMITS);
  const c = new ProblemCollector(doc);
  if (doc.root === null) {
    throw new ValidationError(file, [{ path: '', message: 'the template is empty; it needs at least Resources', location: { file, line: 1, column: 1 } }]);
  }
  const root = normalizeTags(doc.root, c, '');
  if (root.kind !== 'mapping') {
    c.add(root, '', `a template is a mapping of sections (Resources, Parameters, ...), got ${root.kind === 'sequence' ? 'a list' : 'a single value'}`);
    c.throwIfAny();
    throw new Error('unreachable');
  }
  c.checkKeys(root, '', TOP_LEVEL);
  const version = entry(root, 'AWSTemplateFormatVersion');
  if (version && !(version.kind === 'scalar' && version.value === '2010-09-09')) {
    c.add(version, 'AWSTemplateFormatVersion', "the only template format version is '2010-09-09'");
  }
  const transforms = readTransforms(root, c);
  const isSam = transforms.includes(SAM_TRANSFORM);
  for (const t of transforms) {
    if (t !== SAM_TRANSFORM) c.warn(entry(root, 'Transform') ?? root, 'Transform', `transform ${t} is not applied locally; the template is read as it is`);
  }
  const resources = readResources(root, c, isSam);
  // Past the resource quota nothing else is worth resolving: fail now, fast.
  if ((resources?.entries.length ?? 0) > TEMPLATE_LIMITS.resources) c.throwIfAny();
  for (const section of ['Parameters', 'Mappings', 'Conditions', 'Outputs', 'Globals'] as const) {
    const node = entry(root, section);
    if (node && node.kind !== 'mapping') c.add(node, section, `${section} is a mapping, got ${node.kind === 'sequence' ? 'a list' : `'${(node as YamlScalar).value}'`}`);
  }
  const globals = entry(root, 'Globals');
  if (globals && !isSam) c.add(globals, 'Globals', `Globals is a SAM section: declare 'Transform: ${SAM_TRANSFORM}'`);
  checkOutputs(root, c);
  checkIntrinsics(root, c);
  if (isSam) checkSamRules(root, c);
  if (!options.keepProblems) c.throwIfAny();
  return {
    file, doc, root, transforms, isSam, resources: resources ?? { kind: 'mapping', entries: [], location: root.location }, warnings: c.sortedWarnings(),
    problems: [...c.problems],
  };
}

function readTransforms(root: YamlMapping, c: ProblemCollector): string[] {
  const node = entry(root, 'Transform');
  if (!node) return [];
  if (node.kind === 'scalar' && !node.isNull) return [node.value];
  if (node.kind === 'sequence') return node.items.flatMap((i, n) => (c.expectString(i, `Transform[${n}]`) ?? []) as string[]);
  c.add(node, 'Transform', 'Transform is a transform name or a list of names');
  return [];
}

function readResources(root: YamlMapping, c: ProblemCollector, isSam: boolean): YamlMapping | undefined {
  const node = entry(root, 'Resources');
  if (!node) {
    c.add(root, 'Resources', "a template needs a 'Resources' section with at least one resource");
    return undefined;
  }
  const map = c.expectMapping(node, 'Resources');
  if (!map) return undefined;
  if (map.entries.length === 0) c.add(map, 'Resources', 'Resources is empty; a stack needs at least one resource');
  const over = map.entries[TEMPLATE_LIMITS.resources];
  if (over) {
    c.add(over.key, 'Resources', `the template declares ${map.entries.length} resources, more than CloudFormation's limit of ${TEMPLATE_LIMITS.resources} per stack`);
    return map;
  }
  for (const { key, value } of map.entries) {
    const path = joinPath('Resources', key.value);
    if (!/^[A-Za-z0-9]+$/.test(key.value)) c.add(key, path, `logical ID '${key.value}' is not alphanumeric (A-Z, a-z, 0-9), as CloudFormation requires`);
    const res = c.expectMapping(value, path);
    if (!res) continue;
    const description = res.entries.find((e) => e.key.value === 'Description');
    if (description) c.warn(description.key, joinPath(path, 'Description'), 'Description is not a resource attribute; it is ignored');
    c.checkKeys({ ...res, entries: res.entries.filter((e) => e !== description) }, path, RESOURCE_KEYS);
    const type = entry(res, 'Type');
    if (!type) {
      c.add(res, path, "a resource needs a 'Type'");
      continue;
    }
    const typeName = c.expectString(type, `${path}.Type`);
    if (typeName === undefined) continue;
    if (!/^(AWS|Alexa|Custom)::[A-Za-z0-9]+(::[A-Za-z0-9]+)*$|^Custom::[A-Za-z0-9_@-]+$/.test(typeName)) {
      c.add(type, `${path}.Type`, `'${typeName}' is not a resource type (like AWS::Lambda::Function)`);
    }
    if (typeName.startsWith('AWS::Serverless::') && !isSam) {
      c.add(type, `${path}.Type`, `${typeName} needs the SAM transform: add 'Transform: ${SAM_TRANSFORM}' at the top level`);
    }
    const props = entry(res, 'Properties');
    if (props && props.kind !== 'mapping' && !(props.kind === 'scalar' && props.isNull)) c.add(props, `${path}.Properties`, 'Properties is a mapping');
    const policy = entry(res, 'DeletionPolicy');
    if (policy && !(policy.kind === 'scalar' && ['Delete', 'Retain', 'RetainExceptOnCreate', 'Snapshot'].includes(policy.value))) {
      c.add(policy, `${path}.DeletionPolicy`, 'DeletionPolicy is Delete, Retain, RetainExceptOnCreate or Snapshot');
    }
  }
  return map;
}

function checkOutputs(root: YamlMapping, c: ProblemCollector): void {
  const outputs = entry(root, 'Outputs');
  if (!outputs || outputs.kind !== 'mapping') return;
  for (const { key, value } of outputs.entries) {
    const path = joinPath('Outputs', key.value);
    if (!/^[A-Za-z0-9]+$/.test(key.value)) c.add(key, path, `output name '${key.value}' is not alphanumeric`);
    const out = c.expectMapping(value, path);
    if (!out) continue;
    c.checkKeys(out, path, ['Value', 'Description', 'Export', 'Condition']);
    if (!entry(out, 'Value')) c.add(out, path, "an output needs a 'Value'");
  }
}

/**
 * Rewrites every short tag to its long form, in place of the tagged node: `!Ref X` becomes `{Ref: X}` and
 * `!GetAtt A.B` becomes `{"Fn::GetAtt": [A, B]}`, both at the tag's position. Unknown `!Tags` are problems.
 */
function normalizeTags(node: YamlNode, c: ProblemCollector, path: string): YamlNode {
  let inner: YamlNode = node;
  if (node.kind === 'sequence') inner = { ...node, items: node.items.map((i, n) => normalizeTags(i, c, joinPath(path, n))) };
  if (node.kind === 'mapping') inner = { ...node, entries: node.entries.map((e) => ({ key: e.key, value: normalizeTags(e.value, c, joinPath(path, e.key.value)) })) };
  const tag = node.tag;
  if (tag === undefined || tag.startsWith('!!')) return inner;
  const fn = SHORT_TAGS[tag];
  if (fn === undefined) {
    c.add(node, path, `unknown tag ${tag}; CloudFormation's short forms are ${Object.keys(SHORT_TAGS).slice(0, 17).join(' ')}`);
    return inner;
  }
  const { tag: _drop, ...untagged } = inner as YamlNode & { tag?: string };
  let value = untagged as YamlNode;
  if (fn === 'Fn::GetAtt' && value.kind === 'scalar') value = splitGetAtt(value);
  const key: YamlScalar = { kind: 'scalar', value: fn, style: 'plain', isNull: false, location: node.location };
  return { kind: 'mapping', entries: [{ key, value }], location: node.location };
}

/** `A.B.C` -> [A, B.C] (the attribute may hold dots: `Fn.Version.Version`, `Stack.Outputs.X`). */
export function splitGetAtt(s: YamlScalar): YamlNode {
  const dot = s.value.indexOf('.');
  if (dot < 0) return s;
  const at = (offset: number) => ({ ...s.location, column: s.location.column + offset });
  return {
    kind: 'sequence',
    location: s.location,
    items: [
      { ...s, value: s.value.slice(0, dot) },
      { ...s, value: s.value.slice(dot + 1), location: at(dot + 1) },
    ],
  };
}

/** Reads a template file, never more than a byte past the size limit (a 10 MB file fails by its size, fast). */
export function loadTemplate(file: string, options: ReadTemplateOptions = {}): TemplateSpec {
  const { bytes, size } = readCapped(file);
  return readTemplate(bytes.toString('utf8'), file, size, options);
}
