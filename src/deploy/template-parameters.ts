// A template's Parameters: each value from an override or its Default, checked as CloudFormation checks it
// (type, AllowedValues, AllowedPattern, Min/MaxLength, Min/MaxValue), and the pseudo parameters' local values.
import { entry, joinPath } from '../parse/index.js';
import type { ProblemCollector, TemplateSpec, YamlMapping, YamlNode } from '../parse/index.js';

export interface ResolvedParameter {
  name: string;
  type: string;
  /** As given (text), for the record and `pipe stack describe`. */
  value: string;
  noEcho: boolean;
}

/** Stack names as CloudFormation takes them. */
export const STACK_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

export function pseudoParameters(o: { region: string; account: string; stackName: string; stackId: string }): Record<string, unknown> {
  return {
    'AWS::Region': o.region,
    'AWS::AccountId': o.account,
    'AWS::StackName': o.stackName,
    'AWS::StackId': o.stackId,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::NotificationARNs': [],
  };
}

/**
 * Resolves every parameter; problems (a missing value, a failed constraint, an override the template does not
 * declare) go to `c`. Returns the values for the evaluator (lists as arrays, numbers as numbers) and the record.
 */
export function resolveParameters(
  spec: TemplateSpec,
  overrides: Readonly<Record<string, string>>,
  c: ProblemCollector,
): { values: Map<string, unknown>; resolved: ResolvedParameter[] } {
  const values = new Map<string, unknown>();
  const resolved: ResolvedParameter[] = [];
  const section = entry(spec.root, 'Parameters');
  const params = section?.kind === 'mapping' ? section : undefined;
  const declared = new Set(params?.entries.map((e) => e.key.value) ?? []);
  for (const name of Object.keys(overrides)) {
    if (!declared.has(name)) c.add(params ?? spec.root, 'Parameters', `parameter override ${name}: the template declares no parameter ${name}${declared.size ? ` (it has ${[...declared].join(', ')})` : ''}`);
  }
  for (const { key, value } of params?.entries ?? []) {
    const path = joinPath('Parameters', key.value);
    if (value.kind !== 'mapping') {
      c.add(value, path, 'a parameter is a mapping with at least Type');
      continue;
    }
    const type = text(entry(value, 'Type')) ?? 'String';
    const def = entry(value, 'Default');
    const given = overrides[key.value] ?? (def ? defaultText(def) : undefined);
    if (given === undefined) {
      c.add(key, path, `parameter ${key.value} has no Default and no value was given; pass --parameter ${key.value}=VALUE`);
      continue;
    }
    const at = overrides[key.value] !== undefined ? key : (def ?? key);
    checkConstraints(key.value, type, given, value, at, path, c);
    values.set(key.value, typedValue(type, given));
    resolved.push({ name: key.value, type, value: given, noEcho: text(entry(value, 'NoEcho'))?.toLowerCase() === 'true' });
    if (type.startsWith('AWS::SSM::Parameter::Value')) {
      c.warn(key, path, `${type}: SSM parameters are not looked up; the value '${given}' is used as it is`);
    }
  }
  return { values, resolved };
}

function text(node: YamlNode | undefined): string | undefined {
  return node?.kind === 'scalar' && !node.isNull ? node.value : undefined;
}

function defaultText(node: YamlNode): string | undefined {
  if (node.kind === 'scalar') return node.isNull ? '' : node.value;
  if (node.kind === 'sequence') return node.items.map((i) => (i.kind === 'scalar' ? i.value : '')).join(',');
  return undefined;
}

function typedValue(type: string, value: string): unknown {
  if (type === 'Number') return Number(value);
  if (type === 'CommaDelimitedList' || type.startsWith('List<')) return value === '' ? [] : value.split(',').map((s) => s.trim());
  return value;
}

function checkConstraints(name: string, type: string, value: string, decl: YamlMapping, at: YamlNode, path: string, c: ProblemCollector): void {
  const fail = (why: string) => {
    const description = text(entry(decl, 'ConstraintDescription'));
    c.add(at, path, `parameter ${name}: '${value}' ${why}${description ? ` (${description})` : ''}`);
  };
  const items = type === 'CommaDelimitedList' || type.startsWith('List<') ? value.split(',').map((s) => s.trim()) : [value];
  if (type === 'Number' || type === 'List<Number>') {
    for (const i of items) if (i === '' || Number.isNaN(Number(i))) fail('is not a number');
  }
  const allowed = entry(decl, 'AllowedValues');
  if (allowed?.kind === 'sequence') {
    const list = allowed.items.map((i) => text(i) ?? '');
    for (const i of items) if (!list.includes(i)) fail(`is not one of the AllowedValues: ${list.join(', ')}`);
  }
  const pattern = text(entry(decl, 'AllowedPattern'));
  if (pattern !== undefined) {
    let re: RegExp | undefined;
    try {
      re = new RegExp(`^(?:${pattern})$`);
    } catch {
      c.add(entry(decl, 'AllowedPattern')!, joinPath(path, 'AllowedPattern'), `'${pattern}' is not a regular expression`);
    }
    if (re && !items.every((i) => re.test(i))) fail(`does not match the AllowedPattern ${pattern}`);
  }
  const num = (k: string) => {
    const t = text(entry(decl, k));
    return t === undefined ? undefined : Number(t);
  };
  const [minLen, maxLen, minVal, maxVal] = [num('MinLength'), num('MaxLength'), num('MinValue'), num('MaxValue')];
  if (minLen !== undefined && value.length < minLen) fail(`is shorter than MinLength ${minLen}`);
  if (maxLen !== undefined && value.length > maxLen) fail(`is longer than MaxLength ${maxLen}`);
  if (minVal !== undefined && items.some((i) => Number(i) < minVal)) fail(`is less than MinValue ${minVal}`);
  if (maxVal !== undefined && items.some((i) => Number(i) > maxVal)) fail(`is greater than MaxValue ${maxVal}`);
}
