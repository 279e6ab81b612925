// The shape of every intrinsic function in a template (long forms, after the short tags are rewritten): a known
// name, the arguments CloudFormation takes. What they refer to is checked where they are resolved (src/deploy).
import type { ProblemCollector } from './problems.js';
import { joinPath } from './problems.js';
import type { YamlMapping, YamlNode } from './yaml-source.js';

/** Argument lists by function: how many items the list holds (`undefined`: not a list). */
const LIST_ARITY: Record<string, [min: number, max: number] | undefined> = {
  'Fn::If': [3, 3], 'Fn::Join': [2, 2], 'Fn::Select': [2, 2], 'Fn::Split': [2, 2], 'Fn::FindInMap': [3, 4],
  'Fn::Equals': [2, 2], 'Fn::And': [2, 10], 'Fn::Or': [2, 10], 'Fn::Not': [1, 1], 'Fn::Cidr': [3, 3],
  'Fn::GetAtt': [2, 2], 'Fn::ForEach': [3, 3],
};

export const INTRINSICS = [
  'Ref', 'Fn::GetAtt', 'Fn::Sub', 'Fn::If', 'Fn::Join', 'Fn::Select', 'Fn::Split', 'Fn::FindInMap', 'Fn::Equals',
  'Fn::And', 'Fn::Or', 'Fn::Not', 'Fn::GetAZs', 'Fn::ImportValue', 'Fn::Base64', 'Fn::Cidr', 'Fn::Transform',
  'Fn::Length', 'Fn::ToJsonString', 'Fn::ForEach',
] as const;

/** The intrinsic function a node is (a one-key mapping `{Ref: ..}` / `{"Fn::X": ..}`), if it is one. */
export function intrinsicName(node: YamlNode): string | undefined {
  if (node.kind !== 'mapping' || node.entries.length !== 1) return undefined;
  const key = node.entries[0]?.key.value ?? '';
  return key === 'Ref' || key.startsWith('Fn::') ? key : undefined;
}

export function checkIntrinsics(node: YamlNode, c: ProblemCollector, path = ''): void {
  if (node.kind === 'scalar') return;
  if (node.kind === 'sequence') {
    node.items.forEach((item, i) => checkIntrinsics(item, c, joinPath(path, i)));
    return;
  }
  const fnKeys = node.entries.filter((e) => e.key.value.startsWith('Fn::'));
  if (fnKeys.length > 0 && node.entries.length > 1) {
    c.add(fnKeys[0]!.key, path, `an intrinsic function is a mapping of one key; this one also holds ${node.entries.filter((e) => e !== fnKeys[0]).map((e) => e.key.value).join(', ')}`);
  }
  const name = intrinsicName(node);
  if (name !== undefined) checkOne(name, node, c, path);
  for (const e of node.entries) checkIntrinsics(e.value, c, joinPath(path, e.key.value));
}

function checkOne(name: string, node: YamlMapping, c: ProblemCollector, path: string): void {
  const arg = node.entries[0]!.value;
  const at = joinPath(path, name);
  if (!(INTRINSICS as readonly string[]).includes(name)) {
    c.add(node.entries[0]!.key, at, `unknown intrinsic function ${name}`);
    return;
  }
  if (name === 'Ref') {
    if (arg.kind !== 'scalar' || arg.isNull) c.add(arg, at, 'Ref takes the name of a parameter or resource');
    return;
  }
  if (name === 'Fn::Sub') {
    const ok = (arg.kind === 'scalar' && !arg.isNull) || (arg.kind === 'sequence' && arg.items.length === 2 && arg.items[0]?.kind === 'scalar' && arg.items[1]?.kind === 'mapping');
    if (!ok) c.add(arg, at, 'Fn::Sub takes a string, or a list of a string and a mapping of variables');
    return;
  }
  if (name === 'Fn::GetAtt') {
    if (arg.kind === 'scalar') {
      if (!arg.value.includes('.')) c.add(arg, at, `Fn::GetAtt takes LogicalId.Attribute; '${arg.value}' has no attribute`);
      return;
    }
  }
  const arity = LIST_ARITY[name];
  if (arity === undefined) return;
  if (arg.kind !== 'sequence') {
    c.add(arg, at, `${name} takes a list of ${describeArity(arity)}`);
    return;
  }
  if (arg.items.length < arity[0] || arg.items.length > arity[1]) {
    c.add(arg, at, `${name} takes a list of ${describeArity(arity)}, got ${arg.items.length}`);
  }
}

function describeArity([min, max]: [number, number]): string {
  return min === max ? `${min} item${min === 1 ? '' : 's'}` : `${min} to ${max} items`;
}
