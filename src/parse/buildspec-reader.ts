// Shared reading helpers for the buildspec sections: problems (errors) and warnings, typed values from nodes.
import type { BuildspecWarning, BuildspecWarningKind } from '../core/index.js';
import { ProblemCollector, joinPath } from './problems.js';
import { describeNode, readBoolean } from './yaml-source.js';
import type { YamlDocument, YamlMapping, YamlNode, YamlScalar } from './yaml-source.js';

/** One pass over a buildspec file: every section reader reports into the same problems and warnings. */
export class BuildspecReader {
  readonly problems: ProblemCollector;
  readonly warnings: BuildspecWarning[] = [];

  constructor(readonly doc: YamlDocument) {
    this.problems = new ProblemCollector(doc);
  }

  error(node: YamlNode | { location: YamlNode['location'] }, path: string, message: string): void {
    this.problems.add(node, path, message);
  }

  warn(node: YamlNode | { location: YamlNode['location'] }, path: string, kind: BuildspecWarningKind, message: string): void {
    this.warnings.push({ kind, path, message, location: node.location });
  }

  /**
   * Where a null list item (`-` alone, or `- # comment`) stands. The YAML reader places a null scalar at the
   * end of the token before it; the `-` that introduced it is on a later line, so look for it there.
   */
  nullItemLocation(node: YamlNode): YamlNode['location'] {
    const { file, line } = node.location;
    for (let l = line + 1; l <= line + 20; l++) {
      const text = this.doc.lineText(l);
      const dash = /^(\s*)-(\s|$)/.exec(text);
      if (dash) return { file, line: l, column: (dash[1] ?? '').length + 1 };
      if (text.trim() !== '' && !text.trim().startsWith('#')) break;
    }
    return node.location;
  }

  /**
   * Where a scalar starts as a person sees it. For a `|` or `>` block the YAML reader gives the first
   * content line; the indicator that opened the block, a line or so above, is the better place to point.
   */
  scalarLocation(node: YamlScalar): YamlNode['location'] {
    if (node.style !== 'literal' && node.style !== 'folded') return node.location;
    const { file, line } = node.location;
    for (let l = line - 1; l >= Math.max(1, line - 20); l--) {
      const m = /[|>][-+0-9]*\s*(#.*)?$/.exec(this.doc.lineText(l));
      if (m) return { file, line: l, column: m.index + 1 };
    }
    return node.location;
  }

  /** A mapping slot; a null value (`key:` with nothing under it) reads as an empty mapping. */
  readMapping(node: YamlNode, path: string): YamlMapping | undefined {
    if (isNullNode(node)) return { kind: 'mapping', entries: [], location: node.location };
    return this.problems.expectMapping(node, path);
  }

  /** A string slot: the scalar's literal text (`3.10` stays "3.10"). */
  readString(node: YamlNode, path: string): string | undefined {
    return this.problems.expectString(node, path);
  }

  /** A boolean slot: yes/no/true/false (and YAML 1.1's on/off/y/n), any case. */
  readBoolean(node: YamlNode, path: string): boolean | undefined {
    if (node.kind === 'scalar' && !node.isNull) {
      const value = readBoolean(node);
      if (value !== undefined) return value;
    }
    this.error(node, path, `expected yes/no or true/false, got ${describeNode(node)}`);
    return undefined;
  }

  /**
   * A list of strings (globs, names). A single scalar counts as a one-item list, as CodeBuild accepts;
   * null items (`- # comment`) are skipped with a warning; lists and mappings as items are errors.
   */
  readStringList(node: YamlNode, path: string): string[] {
    if (node.kind === 'scalar') {
      if (node.isNull) return [];
      return [node.value];
    }
    if (node.kind === 'mapping') {
      this.error(node, path, `expected a list of strings, got ${describeNode(node)}`);
      return [];
    }
    const out: string[] = [];
    node.items.forEach((item, i) => {
      const itemPath = joinPath(path, i);
      if (isNullNode(item)) {
        this.warn({ location: this.nullItemLocation(item) }, itemPath, 'tolerated', 'empty list item (null) skipped');
        return;
      }
      const value = this.readString(item, itemPath);
      if (value !== undefined) out.push(value);
    });
    return out;
  }

  /**
   * A map of name -> literal text (variables): null values become "", lists and mappings are errors.
   * Returns the key nodes too, so callers can check names where they stand.
   */
  readTextMap(node: YamlNode, path: string): { name: string; key: YamlScalar; value: string; node: YamlNode }[] {
    const map = this.readMapping(node, path);
    if (!map) return [];
    const out: { name: string; key: YamlScalar; value: string; node: YamlNode }[] = [];
    for (const { key, value } of map.entries) {
      const entryPath = joinPath(path, key.value);
      if (value.kind !== 'scalar') {
        this.error(value, entryPath, `expected a plain value (string, number or boolean), got ${describeNode(value)}`);
        continue;
      }
      out.push({ name: key.value, key, value: value.isNull ? '' : value.value, node: value });
    }
    return out;
  }
}

export function isNullNode(node: YamlNode): boolean {
  return node.kind === 'scalar' && node.isNull;
}
