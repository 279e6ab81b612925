// One template, resolved for one stack: parameters, conditions, the resources in creation levels, and each
// resource's model evaluated against what is deployed so far (stored, planned or just created), so the plan and
// the deploy walk the same code. Problems are collected for the whole template; warnings become a summary.
import { ProblemCollector, entry, joinPath } from '../parse/index.js';
import type { TemplateSpec, YamlNode } from '../parse/index.js';
import type { Problem } from '../core/index.js';
import { resolveParameters, pseudoParameters } from './template-parameters.js';
import type { ResolvedParameter } from './template-parameters.js';
import { SAM_IMPLICIT, creationLevels, generatedOwner, readResources } from './template-resources.js';
import type { TemplateResource } from './template-resources.js';
import { ModelBuilder } from './template-models.js';
import type { ResourceModel } from './template-models.js';
import { TemplateEvaluator, stringify } from './template-values.js';
import { attributesOf } from './stack-state.js';
import type { DeployedState } from './stack-state.js';
import type { StackOutput } from './stack-store.js';

export interface ResolveInput {
  spec: TemplateSpec;
  stackName: string;
  stackId: string;
  parameters: Readonly<Record<string, string>>;
  codeRoot: string;
  /** The template's folder inside codeRoot, when the root is an artifact's. */
  codeBase?: string;
  region: string;
  account: string;
  /** The gateway's base URL, for outputs that name an execute-api URL. */
  gatewayUrl: string;
}

/** Known after the deploy: what a plan shows for a value a new resource will have. */
export const KNOWN_AFTER_DEPLOY = '(known after deploy)';

export class StackResolver {
  readonly problems: ProblemCollector;
  readonly resources: Map<string, TemplateResource>;
  readonly levels: string[][];
  readonly parameters: ResolvedParameter[];
  private readonly deployed = new Map<string, DeployedState>();
  private readonly evaluator: TemplateEvaluator;
  private readonly models: ModelBuilder;
  private readonly warned: Problem[] = [];
  private readonly warnedKeys = new Set<string>();
  private readonly included = new Map<string, boolean>();

  constructor(readonly input: ResolveInput) {
    const { spec } = input;
    this.problems = new ProblemCollector(spec.doc);
    // The reader's findings first: a resolution problem adds to them, so every problem is reported at once.
    this.problems.problems.push(...spec.problems);
    const { values, resolved } = resolveParameters(spec, input.parameters, this.problems);
    this.parameters = resolved;
    this.resources = readResources(spec, this.problems);
    this.levels = creationLevels(this.resources, this.problems);
    const section = (k: string) => {
      const n = entry(spec.root, k);
      return n?.kind === 'mapping' ? n : undefined;
    };
    this.evaluator = new TemplateEvaluator({
      problems: this.problems,
      parameters: values,
      pseudo: pseudoParameters({ region: input.region, account: input.account, stackName: input.stackName, stackId: input.stackId }),
      region: input.region,
      conditions: section('Conditions'),
      mappings: section('Mappings'),
      ref: (id) => this.ref(id),
      getAtt: (id, attr) => this.getAtt(id, attr),
      warn: (node, path, message) => this.warn(node, path, message),
    });
    this.models = new ModelBuilder(
      { stackName: input.stackName, codeRoot: input.codeRoot, ...(input.codeBase ? { codeBase: input.codeBase } : {}), account: input.account, region: input.region, problems: this.problems, warn: (n, p, m) => this.warn(n, p, m), resource: (id) => this.resources.get(id) },
      this.evaluator,
    );
    for (const r of this.resources.values()) if (r.kind === 'skipped') this.warn(r.key, joinPath('Resources', r.logicalId), `skipped:${r.type}`);
  }

  warn(node: YamlNode, path: string, message: string): void {
    const key = `${path}\0${message}`;
    if (this.warnedKeys.has(key)) return;
    this.warnedKeys.add(key);
    this.warned.push({ path, message, location: node.location });
  }

  /** The resource is in the stack (its Condition, if any, holds). */
  isIncluded(id: string): boolean {
    const known = this.included.get(id);
    if (known !== undefined) return known;
    const r = this.resources.get(id);
    const on = r?.condition === undefined ? r !== undefined : this.evaluator.condition(r.condition, r.key, joinPath(joinPath('Resources', id), 'Condition'));
    this.included.set(id, on);
    return on;
  }

  setDeployed(id: string, state: DeployedState): void {
    this.deployed.set(id, state);
  }

  deployedState(id: string): DeployedState | undefined {
    return this.deployed.get(id);
  }

  /** The resource's model, evaluated now (its dependencies' values as set so far). */
  model(id: string): ResourceModel | undefined {
    const r = this.resources.get(id);
    return r ? this.models.build(r) : undefined;
  }

  private placeholder(id: string): string {
    return `${this.input.stackName}-${id}`;
  }

  private ref(id: string): unknown {
    const r = this.resources.get(id);
    if (r) {
      if (r.kind === 'skipped' || !this.isIncluded(id)) return this.placeholder(id);
      const s = this.deployed.get(id);
      return s ? attributesOf(s, this.input.region, this.input.account).ref : KNOWN_AFTER_DEPLOY;
    }
    // SAM's generated names: `Fn.Version`, `Fn.Alias` (Ref with a dot), `FnRole`, the implicit APIs.
    if (id.includes('.')) {
      const [owner, attr] = [id.slice(0, id.indexOf('.')), id.slice(id.indexOf('.') + 1)];
      if (this.resources.get(owner)?.kind === 'function') return this.getAtt(owner, attr);
    }
    if ((SAM_IMPLICIT as readonly string[]).includes(id) || generatedOwner(id, this.resources)) return this.placeholder(id);
    return undefined;
  }

  private getAtt(id: string, attr: string): unknown {
    const r = this.resources.get(id);
    if (!r) {
      const owner = generatedOwner(id, this.resources);
      if ((SAM_IMPLICIT as readonly string[]).includes(id) || owner) return `arn:aws:placeholder:${this.input.region}:${this.input.account}:${this.placeholder(id)}/${attr}`;
      return undefined;
    }
    if (r.kind === 'skipped' || !this.isIncluded(id)) return `arn:aws:placeholder:${this.input.region}:${this.input.account}:${this.placeholder(id)}/${attr}`;
    const s = this.deployed.get(id);
    if (!s) return KNOWN_AFTER_DEPLOY;
    const { attrs } = attributesOf(s, this.input.region, this.input.account);
    return attrs[attr] ?? KNOWN_AFTER_DEPLOY;
  }

  /** The stack's outputs (those whose Condition holds), execute-api URLs pointed at the local gateway. */
  outputs(): StackOutput[] {
    const section = entry(this.input.spec.root, 'Outputs');
    if (section?.kind !== 'mapping') return [];
    const out: StackOutput[] = [];
    for (const { key, value } of section.entries) {
      if (value.kind !== 'mapping') continue;
      const path = joinPath('Outputs', key.value);
      const cond = entry(value, 'Condition');
      if (cond?.kind === 'scalar' && !this.evaluator.condition(cond.value, cond, joinPath(path, 'Condition'))) continue;
      const v = entry(value, 'Value');
      if (!v) continue;
      const o: StackOutput = { OutputKey: key.value, OutputValue: localUrl(stringify(this.evaluator.value(v, joinPath(path, 'Value'))), this.input.gatewayUrl) };
      const d = entry(value, 'Description');
      if (d) o.Description = stringify(this.evaluator.value(d, joinPath(path, 'Description')));
      const ex = entry(value, 'Export');
      if (ex?.kind === 'mapping') {
        const name = entry(ex, 'Name');
        if (name) o.ExportName = stringify(this.evaluator.value(name, joinPath(path, 'Export.Name')));
      }
      out.push(o);
    }
    return out;
  }

  /** The warnings in one short summary: each kind once, with a count, then the single ones. */
  summary(): string[] {
    const groups = new Map<string, string[]>();
    const single: string[] = [...this.input.spec.warnings.map((w) => `${w.location.line}:${w.location.column} ${w.message}`)];
    for (const w of this.warned) {
      const m = /^(ignored|skipped|event|deprecated|build):(.*)$/.exec(w.message);
      if (!m) {
        single.push(`${w.location.line}:${w.location.column} ${w.path}: ${w.message}`);
        continue;
      }
      const k = m[1]!;
      groups.set(k, [...(groups.get(k) ?? []), m[2]!]);
    }
    const count = (items: string[]) => {
      const n = new Map<string, number>();
      for (const i of items) n.set(i, (n.get(i) ?? 0) + 1);
      return [...n].map(([k, v]) => (v > 1 ? `${k} (${v})` : k)).join(', ');
    };
    const lines: string[] = [];
    if (groups.has('skipped')) lines.push(`resources not deployed locally (skipped; Ref/GetAtt give placeholders): ${count(groups.get('skipped')!)}`);
    if (groups.has('event')) lines.push(`events not wired locally: ${count(groups.get('event')!)}`);
    if (groups.has('ignored')) lines.push(`properties not honoured locally (no IAM, X-Ray, VPC, ...): ${count(groups.get('ignored')!)}`);
    if (groups.has('build')) lines.push(`Metadata.BuildMethod is not run: code is deployed as it is unless a build ran sam build first: ${count(groups.get('build')!)}`);
    if (groups.has('deprecated')) lines.push(`deprecated runtimes run on the nearest supported one: ${count(groups.get('deprecated')!)}`);
    return [...lines, ...single];
  }
}

/** `https://{api}.execute-api.{region}.amazonaws.com/{stage}/{rest}` -> `{gateway}/{rest}`. */
export function localUrl(value: string, gatewayUrl: string): string {
  const m = /^https:\/\/[^./]+\.execute-api\.[^./]+\.amazonaws\.com\/[^/]+\/?(.*)$/.exec(value);
  return m ? `${gatewayUrl.replace(/\/$/, '')}/${m[1] ?? ''}` : value;
}
