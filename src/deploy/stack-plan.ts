// `pipe stack plan` and the first half of every deploy: the template resolved against the stack as stored, and
// the change set (Add / Modify / Remove, Replacement) it would make. Changes nothing; a template with problems
// fails here with all of them, before any registry call.
import { createHash } from 'node:crypto';
import { ValidationError } from '../core/index.js';
import type { ChangeAction, Problem, Replacement } from '../core/index.js';
import { StackResolver, KNOWN_AFTER_DEPLOY } from './stack-resolver.js';
import type { ResolveInput } from './stack-resolver.js';
import type { FunctionModel, LayerModel, ResourceModel } from './template-models.js';
import { digestCode } from './stack-code.js';
import type { DeployedState, FunctionState, LayerState } from './stack-state.js';
import type { StackOutput, StackResourceRecord } from './stack-store.js';
import type { ResolvedParameter } from './template-parameters.js';

export interface ResourceChange {
  action: ChangeAction;
  logicalId: string;
  type: string;
  physicalId?: string;
  replacement: Replacement;
  /** What changes: 'code', 'configuration: Timeout, Layers', 'new version', 'alias live', ... */
  details: string[];
}

export interface PlannedFunction {
  logicalId: string;
  functionName: string;
  runtime: string;
  handler: string;
  autoPublishAlias?: string;
  deploymentPreference?: string;
}

export interface StackPlan {
  stackName: string;
  parameters: ResolvedParameter[];
  changes: ResourceChange[];
  functions: PlannedFunction[];
  layers: string[];
  skipped: { logicalId: string; type: string }[];
  outputs: StackOutput[];
  warnings: string[];
  templateDigest: string;
}

export function configDigest(config: unknown): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex');
}

/** What deploying a function model over its stored state does (shared by the plan and the deploy). */
export interface FunctionDecision {
  create: boolean;
  replace: boolean;
  codeChanged: boolean;
  configChanged: string[];
  publish: boolean;
  moveAlias: boolean;
}

export function decideFunction(model: FunctionModel, codeDigest: string, prev: DeployedState | undefined): FunctionDecision {
  const p = prev?.kind === 'function' ? prev : undefined;
  if (!p || p.functionName !== model.functionName) {
    return { create: true, replace: p !== undefined, codeChanged: true, configChanged: [], publish: model.autoPublishAlias !== undefined, moveAlias: model.autoPublishAlias !== undefined };
  }
  const codeChanged = p.codeDigest !== codeDigest;
  const configChanged = (Object.keys(model.config) as (keyof FunctionModel['config'])[]).filter((k) => JSON.stringify(model.config[k]) !== JSON.stringify(p.config[k]));
  for (const k of Object.keys(p.config)) if (!(k in model.config) && !configChanged.includes(k as keyof FunctionModel['config'])) configChanged.push(k as keyof FunctionModel['config']);
  const alias = model.autoPublishAlias;
  // SAM publishes when the code changed, or (AutoPublishAliasAllProperties) the configuration did.
  const sinceVersion = p.publishedConfigDigest !== undefined && p.publishedConfigDigest !== configDigest(model.config);
  const publish = alias !== undefined && (codeChanged || p.publishedVersion === undefined || (model.allProperties && (configChanged.length > 0 || sinceVersion)));
  const moveAlias = alias !== undefined && (publish || p.alias?.name !== alias);
  return { create: false, replace: false, codeChanged, configChanged, publish, moveAlias };
}

export function layerChanged(model: LayerModel, digest: string, prev: DeployedState | undefined): boolean {
  return !(prev?.kind === 'layer' && prev.layerName === model.layerName && prev.contentDigest === digest);
}

/** The state a plan assumes a resource will have once deployed (real values where they are already known). */
function predicted(model: ResourceModel, digest: string, prev: DeployedState | undefined, input: ResolveInput): DeployedState {
  const arnOf = (name: string) => `arn:aws:lambda:${input.region}:${input.account}:function:${name}`;
  switch (model.kind) {
    case 'function': {
      const d = decideFunction(model, digest, prev);
      const p = prev as FunctionState | undefined;
      const s: FunctionState = { kind: 'function', functionName: model.functionName, arn: arnOf(model.functionName), config: model.config, codeDigest: digest, codeZip: '' };
      if (model.autoPublishAlias) {
        const version = d.publish ? KNOWN_AFTER_DEPLOY : (p?.publishedVersion ?? KNOWN_AFTER_DEPLOY);
        s.publishedVersion = version;
        s.alias = { name: model.autoPublishAlias, version, weights: {} };
      }
      return s;
    }
    case 'layer': {
      if (!layerChanged(model, digest, prev)) return prev!;
      const s: LayerState = { kind: 'layer', layerName: model.layerName, version: 0, versionArn: KNOWN_AFTER_DEPLOY, contentDigest: digest, retain: model.retain };
      return s;
    }
    case 'version':
      return prev ?? { kind: 'version', functionName: model.functionName, version: KNOWN_AFTER_DEPLOY, arn: KNOWN_AFTER_DEPLOY };
    case 'alias':
      return { kind: 'alias', functionName: model.functionName, name: model.name, arn: `${arnOf(model.functionName)}:${model.name}`, functionVersion: model.functionVersion, weights: model.weights };
  }
}

export async function codeDigestOf(model: ResourceModel): Promise<string> {
  if (model.kind === 'function') return digestCode(model.code);
  if (model.kind === 'layer') return digestCode(model.content);
  return '';
}

/** Plans a deploy of `input` over the stored resources; throws a ValidationError with every problem. */
export async function planStack(input: ResolveInput, previous: readonly StackResourceRecord[]): Promise<{ plan: StackPlan; resolver: StackResolver }> {
  try {
    return await planOrThrow(input, previous);
  } catch (e) {
    // A template the reader already faulted may trip resolution up: its problems are the report.
    if (e instanceof ValidationError || input.spec.problems.length === 0) throw e;
    throw new ValidationError(input.spec.file, input.spec.problems);
  }
}

async function planOrThrow(input: ResolveInput, previous: readonly StackResourceRecord[]): Promise<{ plan: StackPlan; resolver: StackResolver }> {
  const resolver = new StackResolver(input);
  const prevById = new Map(previous.map((r) => [r.logicalId, r]));
  const changes: ResourceChange[] = [];
  const plan: StackPlan = {
    stackName: input.stackName, parameters: resolver.parameters, changes, functions: [], layers: [], skipped: [], outputs: [], warnings: [],
    templateDigest: createHash('sha256').update(input.spec.doc.text).digest('hex'),
  };
  for (const level of resolver.levels) {
    for (const id of level) {
      const r = resolver.resources.get(id)!;
      if (!resolver.isIncluded(id)) continue;
      const prev = prevById.get(id);
      if (r.kind === 'skipped') {
        plan.skipped.push({ logicalId: id, type: r.type });
        if (!prev) changes.push({ action: 'Add', logicalId: id, type: r.type, replacement: 'False', details: ['not deployed locally'] });
        resolver.setDeployed(id, { kind: 'skipped', placeholder: `${input.stackName}-${id}` });
        continue;
      }
      const model = resolver.model(id);
      if (!model) continue;
      const digest = resolver.problems.problems.length === 0 ? await codeDigestOf(model).catch(() => '') : '';
      const change = changeOf(model, digest, prev, r.type);
      if (change) changes.push(change);
      resolver.setDeployed(id, predicted(model, digest, prev?.state, input));
      if (model.kind === 'function') {
        const f: PlannedFunction = { logicalId: id, functionName: model.functionName, runtime: model.config.Runtime, handler: model.config.Handler };
        if (model.autoPublishAlias) f.autoPublishAlias = model.autoPublishAlias;
        if (model.deploymentPreference) f.deploymentPreference = model.deploymentPreference.type;
        plan.functions.push(f);
      }
      if (model.kind === 'layer') plan.layers.push(model.layerName);
    }
  }
  for (const prev of previous) {
    const r = resolver.resources.get(prev.logicalId);
    if (r && resolver.isIncluded(prev.logicalId)) continue;
    const c: ResourceChange = { action: 'Remove', logicalId: prev.logicalId, type: prev.type, replacement: 'False', details: [] };
    if (prev.physicalId) c.physicalId = prev.physicalId;
    changes.push(c);
  }
  plan.outputs = resolver.outputs();
  plan.warnings = resolver.summary();
  throwProblems(input.spec.file, resolver.problems.problems);
  return { plan, resolver };
}

/** Every problem once (the reader and resolution may see the same one), by position. */
function throwProblems(file: string, problems: readonly Problem[]): void {
  if (problems.length === 0) return;
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const key = `${p.location.line}:${p.location.column}:${p.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  throw new ValidationError(file, [...unique].sort((a, b) => a.location.line - b.location.line || a.location.column - b.location.column));
}

function changeOf(model: ResourceModel, digest: string, prev: StackResourceRecord | undefined, type: string): ResourceChange | undefined {
  const base = { logicalId: model.logicalId, type, ...(prev?.physicalId ? { physicalId: prev.physicalId } : {}) };
  if (!prev?.state) return { ...base, action: 'Add', replacement: 'False', details: [] };
  switch (model.kind) {
    case 'function': {
      const d = decideFunction(model, digest, prev.state);
      if (d.create) return { ...base, action: 'Modify', replacement: 'True', details: ['FunctionName'] };
      const details = [...(d.codeChanged ? ['code'] : []), ...(d.configChanged.length ? [`configuration: ${d.configChanged.join(', ')}`] : []), ...(d.publish ? ['new version'] : []), ...(d.moveAlias ? [`alias ${model.autoPublishAlias}`] : [])];
      return details.length ? { ...base, action: 'Modify', replacement: 'False', details } : undefined;
    }
    case 'layer':
      return layerChanged(model, digest, prev.state) ? { ...base, action: 'Modify', replacement: 'True', details: ['content'] } : undefined;
    case 'version':
      return undefined;
    case 'alias': {
      const p = prev.state.kind === 'alias' ? prev.state : undefined;
      const same = p && p.functionVersion === model.functionVersion && JSON.stringify(p.weights) === JSON.stringify(model.weights) && p.name === model.name;
      return same ? undefined : { ...base, action: 'Modify', replacement: p?.name === model.name ? 'False' : 'True', details: ['FunctionVersion'] };
    }
  }
}
