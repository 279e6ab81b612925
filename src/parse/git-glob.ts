// CodePipeline's glob patterns for trigger filters (branch, tag and file-path names): `*` stays within a path
// segment, `**` crosses segments, `?` one character, `[...]` a set (`[!...]` its complement), `{a,b}` either
// sub-pattern (not nested), `\` escapes. A pattern matches the whole name.

export type GlobCompiled = { ok: true; regex: RegExp } | { ok: false; error: string };

function escapeRegex(ch: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch;
}

/** Compiles a glob into an anchored RegExp, or says what is wrong with it. */
export function compileGlob(pattern: string): GlobCompiled {
  let out = '';
  let inGroup = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] ?? '';
    if (ch === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) return { ok: false, error: 'a pattern cannot end with an escaping backslash' };
      out += escapeRegex(next);
      i++;
    } else if (ch === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        // `dir/**` matches everything under dir; `**/x` matches x at any depth, the root included.
        if (pattern[i + 1] === '/') {
          out += '(?:.*/)?';
          i++;
        } else out += '.*';
      } else out += '[^/]*';
    } else if (ch === '?') {
      out += '[^/]';
    } else if (ch === '[') {
      const end = setEnd(pattern, i);
      if (end < 0) return { ok: false, error: `unclosed '[' at character ${i + 1}` };
      let body = pattern.slice(i + 1, end);
      const negated = body.startsWith('!');
      if (negated) body = body.slice(1);
      out += `[${negated ? '^' : ''}${body.replace(/[\\\]^]/g, (c) => `\\${c}`)}]`;
      i = end;
    } else if (ch === '{') {
      if (inGroup) return { ok: false, error: `groups cannot be nested ('{' at character ${i + 1})` };
      inGroup = true;
      out += '(?:';
    } else if (ch === '}' && inGroup) {
      inGroup = false;
      out += ')';
    } else if (ch === ',' && inGroup) {
      out += '|';
    } else out += escapeRegex(ch);
  }
  if (inGroup) return { ok: false, error: "unclosed '{'" };
  try {
    return { ok: true, regex: new RegExp(`^${out}$`, 'u') };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/** The index of the `]` closing the set opened at `start` (a `]` first in the set is itself), or -1. */
function setEnd(pattern: string, start: number): number {
  let i = start + 1;
  if (pattern[i] === '!') i++;
  if (pattern[i] === ']') i++;
  const end = pattern.indexOf(']', i);
  return end > start + 1 ? end : -1;
}

/** Whether `name` matches the glob; an invalid glob matches nothing. */
export function matchesGlob(pattern: string, name: string): boolean {
  const c = compileGlob(pattern);
  return c.ok && c.regex.test(name);
}
