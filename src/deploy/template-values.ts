// Evaluates a template's values: scalars typed as CloudFormation reads them, and every intrinsic function
// (Ref, Fn::GetAtt, Fn::Sub, Fn::If, Fn::Join, ...). What a resource's Ref or attribute is comes from the caller
// (planned, stored or just created), so one evaluator serves `pipe stack plan` and the deploy itself.
import { entry, intrinsicName, joinPath } from '../parse/index.js';
import type { ProblemCollector, YamlMapping, YamlNode } from '../parse/index.js';

/** `AWS::NoValue`: the property or list item it stands for is left out. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

export interface EvalScope {
  problems: ProblemCollector;
  parameters: ReadonlyMap<string, unknown>;
  pseudo: Readonly<Record<string, unknown>>;
  region: string;
  conditions: YamlMapping | undefined;
  mappings: YamlMapping | undefined;
  /** A resource's Ref value; undefined when `logicalId` is no resource (the evaluator reports it). */
  ref(logicalId: string): unknown;
  /** A resource's attribute; undefined when `logicalId` is no resource. */
  getAtt(logicalId: string, attribute: string): unknown;
  /** Something evaluated to a placeholder: reported once in the plan's warnings. */
  warn(node: YamlNode, path: string, message: string): void;
}

export class TemplateEvaluator {
  private readonly conditionValues = new Map<string, boolean>();
  private readonly evaluating = new Set<string>();

  constructor(private readonly scope: EvalScope) {}

  /** A condition's value by name (the Conditions section), evaluated once. */
  condition(name: string, at: YamlNode, path: string): boolean {
    const known = this.conditionValues.get(name);
    if (known !== undefined) return known;
    const node = this.scope.conditions ? entry(this.scope.conditions, name) : undefined;
    if (!node) {
      this.scope.problems.add(at, path, `condition '${name}' is not declared in Conditions`);
      return false;
    }
    if (this.evaluating.has(name)) {
      this.scope.problems.add(at, path, `condition '${name}' refers to itself (through ${[...this.evaluating].join(' -> ')})`);
      return false;
    }
    this.evaluating.add(name);
    const value = this.value(node, joinPath('Conditions', name));
    this.evaluating.delete(name);
    const result = value === true || value === 'true';
    this.conditionValues.set(name, result);
    return result;
  }

  value(node: YamlNode, path: string): unknown {
    switch (node.kind) {
      case 'scalar':
        return typedScalar(node);
      case 'sequence':
        return node.items.map((item, i) => this.value(item, joinPath(path, i))).filter((v) => v !== NO_VALUE);
      case 'mapping': {
        const fn = intrinsicName(node);
        if (fn !== undefined) return this.intrinsic(fn, node.entries[0]!.value, node, joinPath(path, fn));
        if (node.entries.length === 1 && node.entries[0]!.key.value === 'Condition' && path.startsWith('Conditions')) {
          return this.condition(this.text(node.entries[0]!.value, path), node, path);
        }
        const out: Record<string, unknown> = {};
        for (const e of node.entries) {
          const v = this.value(e.value, joinPath(path, e.key.value));
          if (v !== NO_VALUE) out[e.key.value] = v;
        }
        return out;
      }
    }
  }

  private text(node: YamlNode, path: string): string {
    const v = this.value(node, path);
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
    this.scope.problems.add(node, path, `expected a string here, got ${describeValue(v)}`);
    return '';
  }

  private list(node: YamlNode, path: string): unknown[] {
    const v = this.value(node, path);
    if (Array.isArray(v)) return v;
    this.scope.problems.add(node, path, `expected a list here, got ${describeValue(v)}`);
    return [];
  }

  private intrinsic(fn: string, arg: YamlNode, at: YamlNode, path: string): unknown {
    const items = arg.kind === 'sequence' ? arg.items : [];
    const item = (i: number): YamlNode => items[i] ?? arg;
    switch (fn) {
      case 'Ref':
        return this.ref(this.text(arg, path), arg, path);
      case 'Fn::GetAtt': {
        const [id, attr] = arg.kind === 'scalar' ? splitDotted(arg.value) : [this.text(item(0), path), this.text(item(1), path)];
        return this.getAtt(id, attr, arg, path);
      }
      case 'Fn::Sub':
        return this.sub(arg, path);
      case 'Fn::If': {
        const name = this.text(item(0), path);
        return this.condition(name, item(0), path) ? this.value(item(1), joinPath(path, 1)) : this.value(item(2), joinPath(path, 2));
      }
      case 'Fn::Join':
        return this.list(item(1), joinPath(path, 1)).map((v) => stringify(v)).join(this.text(item(0), joinPath(path, 0)));
      case 'Fn::Select': {
        const index = Number(this.text(item(0), joinPath(path, 0)));
        const list = this.list(item(1), joinPath(path, 1));
        if (!Number.isInteger(index) || index < 0 || index >= list.length) {
          this.scope.problems.add(item(0), path, `Fn::Select index ${index} is outside the list of ${list.length}`);
          return '';
        }
        return list[index];
      }
      case 'Fn::Split':
        return this.text(item(1), joinPath(path, 1)).split(this.text(item(0), joinPath(path, 0)));
      case 'Fn::FindInMap':
        return this.findInMap(items, at, path);
      case 'Fn::Equals':
        return stringify(this.value(item(0), path)) === stringify(this.value(item(1), path));
      case 'Fn::And':
        return items.map((n, i) => this.bool(n, joinPath(path, i))).every(Boolean);
      case 'Fn::Or':
        return items.map((n, i) => this.bool(n, joinPath(path, i))).some(Boolean);
      case 'Fn::Not':
        return !this.bool(item(0), joinPath(path, 0));
      case 'Fn::GetAZs': {
        const region = this.text(arg, path) || this.scope.region;
        return ['a', 'b', 'c'].map((z) => `${region}${z}`);
      }
      case 'Fn::Base64':
        return Buffer.from(this.text(arg, path), 'utf8').toString('base64');
      case 'Fn::Length':
        return this.list(arg, path).length;
      case 'Fn::ToJsonString':
        return JSON.stringify(this.value(arg, path));
      case 'Fn::Cidr':
        return cidr(this.text(item(0), path), Number(this.text(item(1), path)), Number(this.text(item(2), path)));
      case 'Fn::ImportValue': {
        const name = this.text(arg, path);
        this.scope.warn(at, path, `Fn::ImportValue ${name}: no other stack exports locally; a placeholder is used`);
        return `imported-${name}`;
      }
      default:
        this.scope.warn(at, path, `${fn} is not evaluated locally; a placeholder is used`);
        return `${fn.replace('Fn::', '')}-placeholder`;
    }
  }

  private bool(node: YamlNode, path: string): boolean {
    if (node.kind === 'mapping' && node.entries.length === 1 && node.entries[0]!.key.value === 'Condition') {
      return this.condition(this.text(node.entries[0]!.value, path), node, path);
    }
    const v = this.value(node, path);
    return v === true || v === 'true';
  }

  private ref(name: string, at: YamlNode, path: string): unknown {
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (name in this.scope.pseudo) return this.scope.pseudo[name];
    if (this.scope.parameters.has(name)) return this.scope.parameters.get(name);
    const v = this.scope.ref(name);
    if (v === undefined) this.scope.problems.add(at, path, `Ref ${name}: no parameter, resource or pseudo parameter of that name`);
    return v ?? '';
  }

  private getAtt(id: string, attr: string, at: YamlNode, path: string): unknown {
    const v = this.scope.getAtt(id, attr);
    if (v === undefined) this.scope.problems.add(at, path, `Fn::GetAtt ${id}.${attr}: no resource ${id} in the template`);
    return v ?? '';
  }

  private sub(arg: YamlNode, path: string): string {
    const [body, varsNode] = arg.kind === 'sequence' ? [arg.items[0] ?? arg, arg.items[1]] : [arg, undefined];
    const vars = new Map<string, unknown>();
    if (varsNode?.kind === 'mapping') for (const e of varsNode.entries) vars.set(e.key.value, this.value(e.value, joinPath(path, e.key.value)));
    const text = body.kind === 'scalar' ? body.value : this.text(body, path);
    return text.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
      if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
      const name = inner.trim();
      if (vars.has(name)) return stringify(vars.get(name));
      if (name.includes('.') && !name.startsWith('AWS::')) {
        const [id, attr] = splitDotted(name);
        if (this.scope.parameters.has(name)) return stringify(this.scope.parameters.get(name));
        return stringify(this.getAtt(id, attr, body, path));
      }
      if (name === '') return whole;
      return stringify(this.ref(name, body, path));
    });
  }

  private findInMap(items: YamlNode[], at: YamlNode, path: string): unknown {
    const [mapName, top, second] = [0, 1, 2].map((i) => this.text(items[i] ?? at, joinPath(path, i)));
    const map = this.scope.mappings ? entry(this.scope.mappings, mapName!) : undefined;
    const level1 = map?.kind === 'mapping' ? entry(map, top!) : undefined;
    const level2 = level1?.kind === 'mapping' ? entry(level1, second!) : undefined;
    if (level2) return this.value(level2, joinPath(joinPath(joinPath('Mappings', mapName!), top!), second!));
    const fallback = items[3];
    if (fallback?.kind === 'mapping') {
      const def = entry(fallback, 'DefaultValue');
      if (def) return this.value(def, path);
    }
    this.scope.problems.add(at, path, `Fn::FindInMap: Mappings has no ${mapName}.${top}.${second}`);
    return '';
  }
}

/** `A.B.C` -> [A, B.C]. */
export function splitDotted(s: string): [string, string] {
  const dot = s.indexOf('.');
  return dot < 0 ? [s, ''] : [s.slice(0, dot), s.slice(dot + 1)];
}

/** A plain scalar as CloudFormation's YAML reads it: numbers and booleans typed, quoted text always a string. */
function typedScalar(node: Extract<YamlNode, { kind: 'scalar' }>): unknown {
  if (node.style !== 'plain' || node.tag === '!!str') return node.value;
  if (node.isNull) return null;
  if (/^(true|True|TRUE)$/.test(node.value)) return true;
  if (/^(false|False|FALSE)$/.test(node.value)) return false;
  if (/^-?\d+(\.\d+)?$/.test(node.value) && !/^-?0\d/.test(node.value)) return Number(node.value);
  return node.value;
}

/** CloudFormation turns non-string values into strings where a string is due. */
export function stringify(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined || v === NO_VALUE) return '';
  if (Array.isArray(v)) return v.map(stringify).join(',');
  return JSON.stringify(v);
}

export function describeValue(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null || v === undefined) return 'nothing';
  if (typeof v === 'object') return 'a mapping';
  return `'${String(v)}'`;
}

/** Fn::Cidr for IPv4: `count` blocks of `bits` host bits carved from `block`. */
function cidr(block: string, count: number, bits: number): string[] {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(block);
  if (!m || !Number.isInteger(count) || !Number.isInteger(bits)) return [];
  const base = m.slice(1, 5).reduce((acc, part) => acc * 256 + Number(part), 0);
  const prefix = 32 - bits;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const ip = base + i * 2 ** bits;
    out.push(`${[24, 16, 8, 0].map((s) => Math.floor(ip / 2 ** s) % 256).join('.')}/${prefix}`);
  }
  return out;
}
