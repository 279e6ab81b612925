// Masks resolved secret and parameter values (`***`) in every string of a RunEvent or a build result: applied where
// the orchestrator emits events and where `pipe build` writes lines and its result, so the log store, the
// execution and build stores and every renderer only ever see the mask.
import { LINE_CONTINUED_MARK, LINE_SPLIT_MARK } from '../core/index.js';
import type { RunEvent } from '../core/index.js';

export const MASK = '***';

/** Lines of a multi-line secret shorter than this are not masked on their own (a lone `{` would mask too much). */
const MIN_LINE_LENGTH = 6;

export class SecretMasker {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;

  /**
   * Adds values to mask. Each is matched exactly, as CodeBuild matches (a transformed secret is not caught); a
   * multi-line value also has each of its longer lines masked, since log lines arrive one at a time.
   */
  add(values: Iterable<string>): void {
    let changed = false;
    for (const value of values) {
      const parts = value.includes('\n') ? [value, ...value.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length >= MIN_LINE_LENGTH)] : [value];
      for (const p of parts) {
        if (p === '' || this.values.has(p)) continue;
        this.values.add(p);
        changed = true;
      }
    }
    if (!changed) return;
    // Longest first, so a secret that contains another is masked whole.
    const sorted = [...this.values].sort((a, b) => b.length - a.length);
    this.pattern = new RegExp(sorted.map(escapeRegExp).join('|'), 'g');
  }

  get size(): number {
    return this.values.size;
  }

  mask(text: string): string {
    if (!this.pattern) return text;
    let out = text.replace(this.pattern, MASK);
    // A line too long to keep whole arrives in pieces, and a split may fall inside a secret: the part of it that
    // ends one piece, or starts the next, is masked too.
    if (out.endsWith(LINE_SPLIT_MARK)) out = `${this.maskCut(out.slice(0, -LINE_SPLIT_MARK.length), 'end')}${LINE_SPLIT_MARK}`;
    if (out.startsWith(LINE_CONTINUED_MARK)) out = `${LINE_CONTINUED_MARK}${this.maskCut(out.slice(LINE_CONTINUED_MARK.length), 'start')}`;
    return out;
  }

  /** Masks the longest start (`end`: at the end of `text`) or end (`start`) of a secret that `text` is cut at. */
  private maskCut(text: string, side: 'start' | 'end'): string {
    let longest = 0;
    for (const v of this.values) {
      for (let k = Math.min(v.length - 1, text.length); k > longest; k--) {
        const hit = side === 'end' ? text.endsWith(v.slice(0, k)) : text.startsWith(v.slice(v.length - k));
        if (hit) {
          longest = k;
          break;
        }
      }
    }
    if (longest === 0) return text;
    return side === 'end' ? `${text.slice(0, -longest)}${MASK}` : `${MASK}${text.slice(longest)}`;
  }

  /**
   * Adds, whole, each value that carries a masked value (an exported `COPY="prefix-$TOKEN"`), so that the value
   * itself is a secret from now on, wherever it goes next. Returns the values that were added.
   */
  addCarriers(values: Iterable<string>): string[] {
    const carriers = [...values].filter((v) => this.mask(v) !== v);
    this.add(carriers);
    return carriers;
  }

  /**
   * The value with every string in it masked, keys included, however deep: events, build results, reports. A walk
   * over the whole structure rather than a list of fields, so a field added later cannot leak.
   */
  maskDeep<T>(value: T): T {
    if (!this.pattern) return value;
    return this.walk(value) as T;
  }

  /** The event, every string in it masked: log lines, messages, configuration, variables, extra, reports. */
  maskEvent<E extends RunEvent | Omit<RunEvent, 'executionId' | 'time'>>(event: E): E {
    return this.maskDeep(event);
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.mask(value);
    if (Array.isArray(value)) return value.map((v) => this.walk(v));
    if (value === null || typeof value !== 'object') return value;
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [this.mask(k), this.walk(v)]));
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
