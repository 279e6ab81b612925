// A template's resources as the deploy sees them: what each one is (a function, a layer, a version, an alias, or
// something pipe skips), its properties with SAM's Globals merged in, what it references, and in which order
// they can be created (levels of independent resources), with cycles and self references refused.
import { entry, intrinsicName, joinPath } from '../parse/index.js';
import type { ProblemCollector, TemplateSpec, YamlMapping, YamlNode, YamlScalar } from '../parse/index.js';
import { splitDotted } from './template-values.js';

export const DEPLOYED_TYPES = {
  'AWS::Serverless::Function': 'function',
  'AWS::Lambda::Function': 'function',
  'AWS::Serverless::LayerVersion': 'layer',
  'AWS::Lambda::LayerVersion': 'layer',
  'AWS::Lambda::Version': 'version',
  'AWS::Lambda::Alias': 'alias',
} as const;
export type DeployedKind = (typeof DEPLOYED_TYPES)[keyof typeof DEPLOYED_TYPES];

export interface TemplateResource {
  logicalId: string;
  type: string;
  kind: DeployedKind | 'skipped';
  key: YamlScalar;
  /** Properties, Globals merged in for SAM functions; an empty mapping when the template gave none. */
  props: YamlMapping;
  condition?: string;
  deletionPolicy: string;
  /** Logical ids of the template's resources this one needs first (Ref, GetAtt, Sub, DependsOn). */
  needs: string[];
  /** `Metadata.BuildMethod` (sam build's), if any: the code is deployed as it is, unbuilt. */
  buildMethod?: { node: YamlNode; method: string };
}

/** Logical ids SAM generates that templates may refer to, with the resource they belong to. */
export function generatedOwner(name: string, resources: ReadonlyMap<string, TemplateResource>): string | undefined {
  for (const suffix of ['Role', 'Version', 'Alias', 'Url', 'DeploymentGroup']) {
    if (name.endsWith(suffix) && resources.get(name.slice(0, -suffix.length))?.kind === 'function') return name.slice(0, -suffix.length);
  }
  // SAM names what it generates after the resource it comes from: `MyApiProdStage`, `MyApiDeployment1a2b3c`, ...
  for (const [id, r] of resources) {
    if (r.type.startsWith('AWS::Serverless::') && name.length > id.length && name.startsWith(id)) return id;
  }
  return undefined;
}

/**
 * Properties SAM moves into resources it generates (event sources, the CodeDeploy group), so what they refer to is
 * not something the function itself waits for: a hook may refer to the function's new version.
 */
const GENERATED_FROM = ['Events', 'DeploymentPreference'];

export const SAM_IMPLICIT = ['ServerlessRestApi', 'ServerlessHttpApi', 'ServerlessDeploymentApplication'] as const;

export function readResources(spec: TemplateSpec, c: ProblemCollector): Map<string, TemplateResource> {
  const globals = entry(spec.root, 'Globals');
  const globalFunction = globals?.kind === 'mapping' ? entry(globals, 'Function') : undefined;
  const out = new Map<string, TemplateResource>();
  for (const { key, value } of spec.resources.entries) {
    if (value.kind !== 'mapping') continue;
    const type = entry(value, 'Type');
    const typeName = type?.kind === 'scalar' ? type.value : '';
    const rawProps = entry(value, 'Properties');
    let props: YamlMapping = rawProps?.kind === 'mapping' ? rawProps : { kind: 'mapping', entries: [], location: value.location };
    if (typeName === 'AWS::Serverless::Function' && globalFunction?.kind === 'mapping') props = mergeGlobals(globalFunction, props);
    const kind = (DEPLOYED_TYPES as Record<string, DeployedKind>)[typeName] ?? 'skipped';
    const condition = entry(value, 'Condition');
    const policy = entry(value, 'DeletionPolicy');
    const r: TemplateResource = {
      logicalId: key.value,
      type: typeName,
      kind,
      key,
      props,
      deletionPolicy: policy?.kind === 'scalar' ? policy.value : 'Delete',
      needs: [],
    };
    if (condition?.kind === 'scalar') r.condition = condition.value;
    const metadata = entry(value, 'Metadata');
    const build = metadata?.kind === 'mapping' ? entry(metadata, 'BuildMethod') : undefined;
    if (build?.kind === 'scalar') r.buildMethod = { node: build, method: build.value };
    out.set(key.value, r);
  }
  for (const { key, value } of spec.resources.entries) {
    const r = out.get(key.value);
    if (!r || value.kind !== 'mapping') continue;
    const needs = new Set<string>();
    const path = joinPath('Resources', key.value);
    const own: YamlMapping = r.type === 'AWS::Serverless::Function' ? { ...r.props, entries: r.props.entries.filter((e) => !GENERATED_FROM.includes(e.key.value)) } : r.props;
    collectReferences(own, joinPath(path, 'Properties'), (name, at, where) => {
      const id = out.has(name) ? name : generatedOwner(name, out);
      if (id === undefined) return;
      if (id === key.value && out.has(name)) c.add(at, where, `resource ${key.value} refers to itself`);
      else if (id !== key.value) needs.add(id);
    });
    const depends = entry(value, 'DependsOn');
    for (const d of depends ? (depends.kind === 'sequence' ? depends.items : [depends]) : []) {
      if (d.kind !== 'scalar') continue;
      if (!out.has(d.value) && generatedOwner(d.value, out) === undefined) c.add(d, joinPath(path, 'DependsOn'), `DependsOn ${d.value}: no resource of that name in the template`);
      else if (d.value === key.value) c.add(d, joinPath(path, 'DependsOn'), `resource ${key.value} depends on itself`);
      else if ((out.has(d.value) ? d.value : generatedOwner(d.value, out)) !== key.value) needs.add(out.has(d.value) ? d.value : generatedOwner(d.value, out)!);
    }
    r.needs = [...needs];
  }
  return out;
}

/** Every resource name a node refers to (Ref, GetAtt, `${X}` / `${X.Attr}` in Sub), with where. */
export function collectReferences(node: YamlNode, path: string, found: (name: string, at: YamlNode, path: string) => void): void {
  if (node.kind === 'scalar') return;
  if (node.kind === 'sequence') {
    node.items.forEach((i, n) => collectReferences(i, joinPath(path, n), found));
    return;
  }
  const fn = intrinsicName(node);
  const arg = node.entries[0]?.value;
  if (fn === 'Ref' && arg?.kind === 'scalar') found(arg.value, arg, path);
  if (fn === 'Fn::GetAtt' && arg) {
    const first = arg.kind === 'scalar' ? splitDotted(arg.value)[0] : arg.kind === 'sequence' && arg.items[0]?.kind === 'scalar' ? arg.items[0].value : undefined;
    if (first !== undefined) found(first, arg, path);
  }
  if (fn === 'Fn::Sub' && arg) {
    const body = arg.kind === 'sequence' ? arg.items[0] : arg;
    const vars = arg.kind === 'sequence' && arg.items[1]?.kind === 'mapping' ? arg.items[1].entries.map((e) => e.key.value) : [];
    if (body?.kind === 'scalar') {
      for (const m of body.value.matchAll(/\$\{([^!}][^}]*)\}/g)) {
        const name = (m[1] ?? '').trim();
        if (!vars.includes(name) && !name.startsWith('AWS::')) found(splitDotted(name)[0], body, path);
      }
    }
  }
  for (const e of node.entries) collectReferences(e.value, joinPath(path, e.key.value), found);
}

/**
 * The creation order: levels of resources whose needs are all in earlier levels (each level may run at once).
 * A cycle is reported at each resource on it.
 */
export function creationLevels(resources: ReadonlyMap<string, TemplateResource>, c: ProblemCollector): string[][] {
  const levels: string[][] = [];
  const placed = new Set<string>();
  let remaining = [...resources.keys()];
  while (remaining.length > 0) {
    const level = remaining.filter((id) => resources.get(id)!.needs.every((n) => placed.has(n)));
    if (level.length === 0) {
      const cycle = findCycle(remaining, resources);
      for (const id of cycle) {
        const r = resources.get(id)!;
        c.add(r.key, joinPath('Resources', id), `circular dependency: ${[...cycle, cycle[0]].join(' -> ')}`);
      }
      return levels;
    }
    for (const id of level) placed.add(id);
    levels.push(level);
    remaining = remaining.filter((id) => !placed.has(id));
  }
  return levels;
}

function findCycle(ids: string[], resources: ReadonlyMap<string, TemplateResource>): string[] {
  const left = new Set(ids);
  const stack: string[] = [];
  const onStack = new Set<string>();
  const done = new Set<string>();
  const visit = (id: string): string[] | undefined => {
    stack.push(id);
    onStack.add(id);
    for (const n of resources.get(id)?.needs ?? []) {
      if (!left.has(n) || done.has(n)) continue;
      if (onStack.has(n)) return stack.slice(stack.indexOf(n));
      const found = visit(n);
      if (found) return found;
    }
    stack.pop();
    onStack.delete(id);
    done.add(id);
    return undefined;
  };
  for (const id of ids) {
    const found = done.has(id) ? undefined : visit(id);
    if (found) return found;
  }
  return ids;
}

/**
 * SAM's Globals merge (samtranslator/plugins/globals/globals.py): scalars and intrinsics — the resource wins; maps
 * deep-merge, the resource's keys winning; lists concatenate, Globals first; a list against a map — the resource wins.
 */
export function mergeGlobals(global: YamlMapping, own: YamlMapping): YamlMapping {
  return mergeNode(global, own) as YamlMapping;
}

function mergeNode(global: YamlNode, own: YamlNode): YamlNode {
  if (global.kind === 'mapping' && own.kind === 'mapping' && !intrinsicName(global) && !intrinsicName(own)) {
    const entries = own.entries.map((e) => {
      const g = entry(global, e.key.value);
      return g ? { key: e.key, value: mergeNode(g, e.value) } : e;
    });
    for (const g of global.entries) if (!entry(own, g.key.value)) entries.push(g);
    return { ...own, entries };
  }
  if (global.kind === 'sequence' && own.kind === 'sequence') return { ...own, items: [...global.items, ...own.items] };
  return own;
}
