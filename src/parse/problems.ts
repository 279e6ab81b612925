// Collects every problem in a file before failing, and reads typed values out of positioned YAML nodes.
import { ValidationError } from '../core/index.js';
import type { Problem } from '../core/index.js';
import { describeNode } from './yaml-source.js';
import type { YamlDocument, YamlMapping, YamlNode, YamlScalar, YamlSequence } from './yaml-source.js';

export class ProblemCollector {
  readonly problems: Problem[] = [];
  /** What the file asks for that is accepted but not honoured: reported, never failing. */
  readonly warnings: Problem[] = [];

  constructor(readonly doc: YamlDocument) {}

  add(node: YamlNode | { location: Problem['location'] }, path: string, message: string): void {
    const location = node.location;
    this.problems.push({ path, message, location, lineText: this.doc.lineText(location.line) });
  }

  warn(node: YamlNode | { location: Problem['location'] }, path: string, message: string): void {
    const location = node.location;
    this.warnings.push({ path, message, location, lineText: this.doc.lineText(location.line) });
  }

  /** Throws a ValidationError with every problem, sorted by position, if there is any. */
  throwIfAny(): void {
    if (this.problems.length === 0) return;
    throw new ValidationError(this.doc.file, byPosition(this.problems));
  }

  /** The warnings, sorted by position. */
  sortedWarnings(): Problem[] {
    return byPosition(this.warnings);
  }

  expectMapping(node: YamlNode, path: string): YamlMapping | undefined {
    if (node.kind === 'mapping') return node;
    this.add(node, path, `expected a mapping, got ${describeNode(node)}`);
    return undefined;
  }

  expectSequence(node: YamlNode, path: string): YamlSequence | undefined {
    if (node.kind === 'sequence') return node;
    this.add(node, path, `expected a list, got ${describeNode(node)}`);
    return undefined;
  }

  /** A string slot: any non-null scalar, as its literal text. */
  expectString(node: YamlNode, path: string): string | undefined {
    if (node.kind === 'scalar' && !node.isNull) return node.value;
    this.add(node, path, `expected a string, got ${describeNode(node)}`);
    return undefined;
  }

  /** Reports keys not in `allowed`, with a "did you mean" where one is close. */
  checkKeys(map: YamlMapping, path: string, allowed: readonly string[]): void {
    for (const { key } of map.entries) {
      if (allowed.includes(key.value)) continue;
      const close = suggest(key.value, allowed);
      const hint = close ? `; did you mean '${close}'?` : `; expected one of: ${allowed.join(', ')}`;
      this.add(key, joinPath(path, key.value), `unknown key '${key.value}'${hint}`);
    }
  }
}

function byPosition(list: readonly Problem[]): Problem[] {
  return [...list].sort((a, b) => a.location.line - b.location.line || a.location.column - b.location.column);
}

export function entry(map: YamlMapping, key: string): YamlNode | undefined {
  return map.entries.find((e) => e.key.value === key)?.value;
}

export function keyNode(map: YamlMapping, key: string): YamlScalar | undefined {
  return map.entries.find((e) => e.key.value === key)?.key;
}

export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  // A key that is not a plain word (`../../x`, an ARN) is quoted, so the path still reads unambiguously.
  if (!/^[A-Za-z0-9_@$-]+$/.test(key)) return `${base}[${JSON.stringify(key)}]`;
  return base ? `${base}.${key}` : key;
}

/** The closest candidate within a small edit distance, for "did you mean". */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = word.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  const limit = Math.max(1, Math.floor(word.length / 3));
  return bestDistance <= limit ? best : undefined;
}

export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] ?? 0;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j] ?? 0;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      prev[j] = Math.min((prev[j] ?? 0) + 1, (prev[j - 1] ?? 0) + 1, diag + cost);
      diag = tmp;
    }
  }
  return prev[b.length] ?? 0;
}
