// Masks resolved secret and parameter values (`***`) in the text of RunEvents: applied where the orchestrator
// emits events, so the log store, the execution store and every renderer only ever see the mask.
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

  /** The event with every free-text field masked: log lines, warnings, status messages, variable values. */
  maskEvent<E extends RunEvent | Omit<RunEvent, 'executionId' | 'time'>>(event: E): E {
    if (!this.pattern) return event;
    const e = event as RunEvent;
    const m = (t: string | undefined) => (t === undefined ? {} : { message: this.mask(t) });
    let masked: RunEvent;
    switch (e.type) {
      case 'log':
        masked = { ...e, line: this.mask(e.line) };
        break;
      case 'warning':
        masked = { ...e, message: this.mask(e.message) };
        break;
      case 'phase':
      case 'execution':
        masked = { ...e, ...m(e.message) };
        break;
      case 'action': {
        const vars = e.details?.outputVariables;
        masked = { ...e, ...m(e.message), ...(e.details ? { details: { ...e.details, ...(vars ? { outputVariables: this.maskValues(vars) } : {}) } } : {}) };
        break;
      }
      case 'variables':
        masked = { ...e, variables: this.maskValues(e.variables) };
        break;
      case 'stage':
      case 'artifact':
        masked = e;
        break;
      default: {
        const never: never = e;
        return never;
      }
    }
    return masked as E;
  }

  private maskValues(vars: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, this.mask(v)]));
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
