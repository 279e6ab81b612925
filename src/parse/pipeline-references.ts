// The `#{namespace.key}` reference grammar: one scanner shared by validation (spec) and resolution (plan).
import type { SourceLocation, VariableReference } from '../core/index.js';
import type { YamlScalar } from './yaml-source.js';

/** One `#{...}` found in a string: a well-formed reference, or (without `reference`) a malformed one. */
export interface ReferenceToken {
  text: string;
  /** Offset of the `#` in the scanned string. */
  index: number;
  reference?: VariableReference;
}

// Namespaces follow CodePipeline's namespace pattern; keys are pipeline variable names or exported
// environment variable names, both covered by the same characters.
const WELL_FORMED = /^([A-Za-z0-9@\-_]+)\.([A-Za-z0-9@\-_]+)$/;

/** Every `#{...}` in `s`, in order. An unclosed `#{` yields a malformed token running to the end. */
export function scanReferenceTokens(s: string): ReferenceToken[] {
  const tokens: ReferenceToken[] = [];
  let from = 0;
  for (;;) {
    const index = s.indexOf('#{', from);
    if (index < 0) return tokens;
    const close = s.indexOf('}', index + 2);
    const end = close < 0 ? s.length : close + 1;
    const text = s.slice(index, end);
    const match = close < 0 ? null : WELL_FORMED.exec(s.slice(index + 2, close));
    const token: ReferenceToken = { text, index };
    if (match?.[1] !== undefined && match[2] !== undefined) {
      token.reference = { namespace: match[1], key: match[2], text };
    }
    tokens.push(token);
    from = end;
  }
}

/** The well-formed references in `s`, in order (repeats included). */
export function scanReferences(s: string): VariableReference[] {
  return scanReferenceTokens(s).flatMap((t) => (t.reference ? [t.reference] : []));
}

/** True when `s` holds any `#{`: such a value is only known at run time. */
export function hasReference(s: string): boolean {
  return s.includes('#{');
}

/** A `#{ns.Key}` met in an action's configuration, with where it stands. */
export interface ReferenceSite {
  reference: VariableReference;
  path: string;
  location: SourceLocation;
}

/** Where `text` stands inside a scalar: its own column when it sits on the scalar's first line. */
export function locateInScalar(node: YamlScalar, lineText: string, text: string): SourceLocation {
  const at = lineText.indexOf(text, node.location.column - 1);
  return at < 0 ? node.location : { ...node.location, column: at + 1 };
}
