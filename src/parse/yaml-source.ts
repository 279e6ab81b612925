// YAML text -> a small tree of positioned nodes (line/column for every node), built from js-yaml's event stream.
// Scalars keep their literal text (`3.10` stays "3.10"); anchors, aliases and `<<` merge keys are resolved here.
import { EVENT_ID, SCALAR_STYLE, YAMLException, getScalarValue, parseEvents } from 'js-yaml';
import type { Event, ScalarEvent } from 'js-yaml';
import { ValidationError } from '../core/index.js';
import type { Problem, SourceLocation } from '../core/index.js';
import { YAML_LIMITS, describeSizeLimit, isDepthLimitError } from './yaml-limits.js';
import type { YamlLimits } from './yaml-limits.js';

export type ScalarStyleName = 'plain' | 'single' | 'double' | 'literal' | 'folded';

interface NodeBase {
  location: SourceLocation;
}

export interface YamlScalar extends NodeBase {
  kind: 'scalar';
  /** The decoded text, before any type resolution: `3.10` -> "3.10", `"a\tb"` -> a<TAB>b. */
  value: string;
  style: ScalarStyleName;
  /** Plain `~`, `null`, or nothing at all. */
  isNull: boolean;
  /** An explicit tag such as `!!str`, if the file gave one. */
  tag?: string;
}

export interface YamlSequence extends NodeBase {
  kind: 'sequence';
  items: YamlNode[];
  /** An explicit tag (`!If [...]` in a CloudFormation template), if the file gave one. */
  tag?: string;
}

export interface YamlMapEntry {
  key: YamlScalar;
  value: YamlNode;
}

export interface YamlMapping extends NodeBase {
  kind: 'mapping';
  entries: YamlMapEntry[];
  /** An explicit tag (`!Sub {...}`), if the file gave one. */
  tag?: string;
}

export type YamlNode = YamlScalar | YamlSequence | YamlMapping;

export interface YamlDocument {
  file: string;
  text: string;
  root: YamlNode | null;
  /** The text of line N (1-based), for error displays. */
  lineText(line: number): string;
}

const STYLE_NAMES: Record<number, ScalarStyleName> = {
  [SCALAR_STYLE.PLAIN]: 'plain',
  [SCALAR_STYLE.SINGLE_QUOTED]: 'single',
  [SCALAR_STYLE.DOUBLE_QUOTED]: 'double',
  [SCALAR_STYLE.LITERAL_BLOCK]: 'literal',
  [SCALAR_STYLE.FOLDED_BLOCK]: 'folded',
};

const NULL_PLAIN = new Set(['', '~', 'null', 'Null', 'NULL']);

/** Builds line-start offsets once, then maps offsets to 1-based line and column. */
class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly file: string, private readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  locate(offset: number): SourceLocation {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file: this.file, line: lo + 1, column: offset - (this.starts[lo] ?? 0) + 1 };
  }
  lineText(line: number): string {
    const start = this.starts[line - 1];
    if (start === undefined) return '';
    const end = this.starts[line] ?? this.text.length + 1;
    return this.text.slice(start, end - 1).replace(/\r$/, '');
  }
}

/**
 * Parses one YAML document. Syntax errors, several documents, duplicate keys and unknown aliases throw a
 * ValidationError naming file, line and column. An empty file gives `root: null`. A hostile file fails fast, at
 * the place it crosses one of the YAML_LIMITS (size, nesting depth, keys, nodes once aliases are expanded).
 */
export function parseYaml(text: string, file: string, totalBytes?: number, limits: YamlLimits = YAML_LIMITS): YamlDocument {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = new LineIndex(file, source);
  const doc: YamlDocument = { file, text: source, root: null, lineText: (n) => lines.lineText(n) };
  const bytes = totalBytes ?? Buffer.byteLength(source, 'utf8');
  if (bytes > limits.documentBytes) {
    const location = lines.locate(Math.min(source.length, offsetOfByte(source, limits.documentBytes)));
    const message = limits === YAML_LIMITS ? describeSizeLimit(bytes) : `the file is ${bytes} bytes, larger than the limit of ${limits.documentBytes} bytes`;
    throw new ValidationError(file, [{ path: '', message, location, lineText: lines.lineText(location.line) }]);
  }
  let events: Event[];
  try {
    events = parseEvents(source, { filename: file, maxDepth: limits.depth });
  } catch (e) {
    throw syntaxError(e, lines, limits.depth);
  }
  const builder = new TreeBuilder(source, events, lines, limits);
  doc.root = builder.build();
  if (builder.problems.length > 0) throw new ValidationError(file, builder.problems);
  return doc;
}

function syntaxError(e: unknown, lines: LineIndex, depth: number): ValidationError {
  if (e instanceof YAMLException) {
    const mark = (e as YAMLException & { mark?: { line: number; column: number } }).mark;
    const line = (mark?.line ?? 0) + 1;
    const column = (mark?.column ?? 0) + 1;
    const reason = (e as YAMLException & { reason?: string }).reason ?? e.message;
    const message = isDepthLimitError(reason)
      ? `the document nests deeper than ${depth} levels, pipe's limit; a pipeline or buildspec needs far fewer`
      : `YAML syntax error: ${reason}`;
    return new ValidationError(lines.file, [
      {
        path: '',
        message,
        location: { file: lines.file, line, column },
        lineText: lines.lineText(line),
      },
    ]);
  }
  return new ValidationError(lines.file, [
    { path: '', message: `YAML syntax error: ${String(e)}`, location: { file: lines.file, line: 1, column: 1 } },
  ]);
}

/** The first limit a document crosses stops the build: nothing after it is worth reading. */
class LimitExceeded extends Error {}

/** The UTF-16 offset at which the UTF-8 encoding of `text` reaches `bytes`. */
function offsetOfByte(text: string, bytes: number): number {
  let seen = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    seen += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? 4 : 3;
    if (c >= 0xd800 && c <= 0xdbff) i++;
    if (seen > bytes) return i;
  }
  return text.length;
}

class TreeBuilder {
  readonly problems: Problem[] = [];
  private pos = 0;
  private lastOffset = 0;
  private readonly anchors = new Map<string, YamlNode>();
  /** Nodes as consumers will walk them: an alias counts as every node of what it names. */
  private nodes = 0;
  private keys = 0;
  /** Each anchored node's expanded size, once it is complete; absent while it is still being read. */
  private readonly sizes = new WeakMap<YamlNode, number>();

  constructor(
    private readonly text: string,
    private readonly events: Event[],
    private readonly lines: LineIndex,
    private readonly limits: YamlLimits,
  ) {}

  build(): YamlNode | null {
    const docs = this.events.filter((e) => e.type === EVENT_ID.DOCUMENT).length;
    if (docs > 1) {
      this.problem('', 'a file holds one YAML document; this one has several (separated by ---)', 0);
    }
    const first = this.events[this.pos];
    if (first?.type !== EVENT_ID.DOCUMENT) return null;
    this.pos++;
    const next = this.events[this.pos];
    if (next === undefined || next.type === EVENT_ID.POP) return null;
    try {
      return this.node();
    } catch (e) {
      if (e instanceof LimitExceeded) return null;
      throw e;
    }
  }

  /** Reports the limit crossed at `at` (an offset, or a node's location) and stops the build. */
  private limit(message: string, at: number | SourceLocation): never {
    const location = typeof at === 'number' ? this.lines.locate(at) : at;
    this.problems.push({ path: '', message, location, lineText: this.lines.lineText(location.line) });
    throw new LimitExceeded(message);
  }

  private count(n: number, at: number | SourceLocation, alias?: string): void {
    this.nodes += n;
    if (this.nodes <= this.limits.nodes) return;
    const limit = `${this.limits.nodes} values, pipe's limit`;
    this.limit(alias ? `alias *${alias} takes the document past ${limit} (an alias bomb?)` : `the document holds more than ${limit}`, at);
  }

  private problem(path: string, message: string, offset: number): void {
    const location = this.lines.locate(offset);
    this.problems.push({ path, message, location, lineText: this.lines.lineText(location.line) });
  }

  private take(): Event {
    const e = this.events[this.pos++];
    if (e === undefined) throw new Error('unexpected end of YAML events');
    return e;
  }

  private register(anchorStart: number, anchorEnd: number, node: YamlNode): void {
    if (anchorStart >= 0) this.anchors.set(this.text.slice(anchorStart, anchorEnd), node);
  }

  private node(): YamlNode {
    const e = this.take();
    switch (e.type) {
      case EVENT_ID.SCALAR:
        return this.scalar(e);
      case EVENT_ID.ALIAS: {
        const name = this.text.slice(e.anchorStart, e.anchorEnd);
        this.lastOffset = e.anchorEnd;
        const target = this.anchors.get(name);
        if (target) {
          const size = this.sizes.get(target);
          // Point at the `*` of the alias.
          if (size === undefined) this.limit(`alias *${name} stands inside the node it names, which would make it endless`, e.anchorStart - 1);
          this.count(size, e.anchorStart - 1, name);
          return target;
        }
        this.problem('', `unknown alias *${name}`, e.anchorStart);
        return { kind: 'scalar', value: '', style: 'plain', isNull: true, location: this.lines.locate(e.anchorStart) };
      }
      case EVENT_ID.SEQUENCE: {
        this.lastOffset = e.start;
        const before = this.nodes;
        this.count(1, e.start);
        const seq: YamlSequence = { kind: 'sequence', items: [], location: this.lines.locate(e.tagStart >= 0 ? e.tagStart : e.start) };
        if (e.tagStart >= 0) seq.tag = this.text.slice(e.tagStart, e.tagEnd);
        this.register(e.anchorStart, e.anchorEnd, seq);
        while (this.events[this.pos]?.type !== EVENT_ID.POP) seq.items.push(this.node());
        this.pos++;
        this.sizes.set(seq, this.nodes - before);
        return seq;
      }
      case EVENT_ID.MAPPING: {
        this.lastOffset = e.start;
        const before = this.nodes;
        this.count(1, e.start);
        const map: YamlMapping = { kind: 'mapping', entries: [], location: this.lines.locate(e.tagStart >= 0 ? e.tagStart : e.start) };
        if (e.tagStart >= 0) map.tag = this.text.slice(e.tagStart, e.tagEnd);
        this.register(e.anchorStart, e.anchorEnd, map);
        this.mappingEntries(map);
        this.sizes.set(map, this.nodes - before);
        return map;
      }
      default:
        throw new Error(`unexpected YAML event ${e.type}`);
    }
  }

  private mappingEntries(map: YamlMapping): void {
    const merged: { entry: YamlMapEntry; at: SourceLocation }[] = [];
    const seen = new Set<string>();
    while (this.events[this.pos]?.type !== EVENT_ID.POP) {
      const keyNode = this.node();
      const value = this.node();
      if (keyNode.kind !== 'scalar') {
        this.problems.push({
          path: '',
          message: 'a mapping key must be a plain value, not a list or mapping',
          location: keyNode.location,
          lineText: this.lines.lineText(keyNode.location.line),
        });
        continue;
      }
      if (keyNode.style === 'plain' && keyNode.value === '<<') {
        merged.push(...this.mergeSources(value).map((entry) => ({ entry, at: keyNode.location })));
        continue;
      }
      if (seen.has(keyNode.value)) {
        const at = keyNode.location;
        this.problems.push({
          path: '',
          message: `duplicate key '${keyNode.value}' in one mapping`,
          location: at,
          lineText: this.lines.lineText(at.line),
        });
        continue;
      }
      seen.add(keyNode.value);
      this.countKey(keyNode.location);
      map.entries.push({ key: keyNode, value });
    }
    this.pos++;
    // Merge keys (YAML 1.1): explicit keys win, earlier merge sources win over later ones.
    for (const { entry, at } of merged) {
      if (seen.has(entry.key.value)) continue;
      seen.add(entry.key.value);
      this.countKey(at);
      // A merged entry is walked again under this mapping.
      this.count(1 + (this.sizes.get(entry.value) ?? 1), at);
      map.entries.push(entry);
    }
  }

  private countKey(at: SourceLocation): void {
    if (++this.keys > this.limits.keys) this.limit(`the document has more than ${this.limits.keys} mapping keys, pipe's limit`, at);
  }

  private mergeSources(value: YamlNode): YamlMapEntry[] {
    if (value.kind === 'mapping') return value.entries;
    if (value.kind === 'sequence' && value.items.every((i) => i.kind === 'mapping')) {
      return value.items.flatMap((i) => (i.kind === 'mapping' ? i.entries : []));
    }
    this.problems.push({
      path: '',
      message: 'a merge key (<<) takes a mapping or a list of mappings',
      location: value.location,
      lineText: this.lines.lineText(value.location.line),
    });
    return [];
  }

  private scalar(e: ScalarEvent): YamlScalar {
    this.count(1, Math.max(0, e.valueStart >= 0 ? e.valueStart : this.lastOffset));
    const style = STYLE_NAMES[e.style] ?? 'plain';
    const quoted = style === 'single' || style === 'double';
    const offset = e.valueStart >= 0 ? e.valueStart - (quoted ? 1 : 0) : this.lastOffset;
    if (e.valueEnd >= 0) this.lastOffset = e.valueEnd;
    const value = e.valueStart >= 0 ? getScalarValue(this.text, e) : '';
    const node: YamlScalar = {
      kind: 'scalar',
      value,
      style,
      isNull: style === 'plain' && NULL_PLAIN.has(value) && e.tagStart < 0,
      location: this.lines.locate(Math.max(0, offset)),
    };
    if (e.tagStart >= 0) node.tag = this.text.slice(e.tagStart, e.tagEnd);
    this.sizes.set(node, 1);
    this.register(e.anchorStart, e.anchorEnd, node);
    return node;
  }
}

/** Parses a YAML scalar in a boolean slot the way CodeBuild's Go agent does (YAML 1.1 words, any case). */
export function readBoolean(s: YamlScalar): boolean | undefined {
  const v = s.value.toLowerCase();
  if (['true', 'yes', 'on', 'y'].includes(v)) return true;
  if (['false', 'no', 'off', 'n'].includes(v)) return false;
  return undefined;
}

export function describeNode(n: YamlNode): string {
  switch (n.kind) {
    case 'scalar':
      return n.isNull ? 'nothing (null)' : `'${n.value}'`;
    case 'sequence':
      return 'a list';
    case 'mapping':
      return 'a mapping';
  }
}
