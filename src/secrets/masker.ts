// Masks resolved secret and parameter values (`***`) in every string of a RunEvent or a build result: applied where
// the orchestrator emits events and where `pipe build` writes lines and its result, so the log store, the
// execution and build stores and every renderer only ever see the mask.
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
    return text.replace(this.pattern, MASK);
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
