// Variable references at run time: finding `#{ns.Key}` in a configuration and substituting resolved values.
import { PipeError } from '../core/index.js';
import type { ConfigValue, VariableReference } from '../core/index.js';
import { scanReferenceTokens, scanReferences } from '../parse/index.js';

/** Every distinct reference in a configuration value, in the order first met (map keys are not scanned). */
export function findReferences(value: ConfigValue): VariableReference[] {
  const found = new Map<string, VariableReference>();
  visitStrings(value, (s) => {
    for (const r of scanReferences(s)) if (!found.has(r.text)) found.set(r.text, r);
  });
  return [...found.values()];
}

/**
 * Substitutes every `#{ns.Key}` in every string of the configuration with `variables[ns][Key]`.
 * One pass: a substituted value that itself holds `#{...}` is left as it is. Throws INVALID_ARGUMENT
 * naming the first reference that has no value.
 */
export function resolveConfiguration(
  config: Record<string, ConfigValue>,
  variables: Record<string, Record<string, string>>,
): Record<string, ConfigValue> {
  const out: Record<string, ConfigValue> = {};
  for (const [key, value] of Object.entries(config)) out[key] = resolveValue(value, variables);
  return out;
}

/** Substitutes references in one string; throws like resolveConfiguration. Malformed `#{...}` stay as written. */
export function resolveString(s: string, variables: Record<string, Record<string, string>>): string {
  let out = '';
  let from = 0;
  for (const token of scanReferenceTokens(s)) {
    if (!token.reference) continue;
    out += s.slice(from, token.index) + lookUp(token.reference, variables);
    from = token.index + token.text.length;
  }
  return out + s.slice(from);
}

function lookUp(reference: VariableReference, variables: Record<string, Record<string, string>>): string {
  const { namespace, key, text } = reference;
  const values = Object.hasOwn(variables, namespace) ? variables[namespace] : undefined;
  const value = values && Object.hasOwn(values, key) ? values[key] : undefined;
  if (value !== undefined) return value;
  throw unresolved(text, namespace, key, values);
}

function resolveValue(value: ConfigValue, variables: Record<string, Record<string, string>>): ConfigValue {
  if (typeof value === 'string') return resolveString(value, variables);
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, variables));
  const out: Record<string, ConfigValue> = {};
  for (const [key, v] of Object.entries(value)) out[key] = resolveValue(v, variables);
  return out;
}

function unresolved(text: string, ns: string, key: string, values: Record<string, string> | undefined): PipeError {
  if (values === undefined) {
    return new PipeError('INVALID_ARGUMENT', `cannot resolve ${text}: no variables in namespace '${ns}'`, {
      hint: 'a namespace has values once its action has succeeded; pipeline variables need a default or a value for the run',
    });
  }
  const known = Object.keys(values);
  return new PipeError('INVALID_ARGUMENT', `cannot resolve ${text}: namespace '${ns}' has no variable '${key}'`, {
    hint: known.length > 0 ? `'${ns}' has: ${known.join(', ')}` : `'${ns}' has no variables`,
  });
}

function visitStrings(value: ConfigValue, visit: (s: string) => void): void {
  if (typeof value === 'string') visit(value);
  else if (Array.isArray(value)) for (const v of value) visitStrings(v, visit);
  else for (const v of Object.values(value)) visitStrings(v, visit);
}
