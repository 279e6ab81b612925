// `.pipeignore`: paths `pipe build` leaves out of a directory's source, in .gitignore's syntax (a pattern per line,
// `#` comments, `!` to take a path back, a trailing `/` for folders only, a leading `/` or an inner `/` anchors
// it to the folder, `**` for any depth). Patterns are matched with picomatch, as the artifact globs are.
import picomatch from 'picomatch';

export const IGNORE_FILE = '.pipeignore';

interface Rule {
  negate: boolean;
  dirOnly: boolean;
  match: (path: string) => boolean;
}

/** A matcher for the rules of an ignore file's text: `ignored(relPath, isDir)`, later rules winning. */
export function parseIgnoreFile(text: string): { ignored(path: string, isDir: boolean): boolean; rules: number } {
  const rules: Rule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.replace(/(?<!\\)\s+$/, '');
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1);
    if (line.startsWith('\\')) line = line.slice(1);
    const dirOnly = line.endsWith('/');
    if (dirOnly) line = line.slice(0, -1);
    const anchored = line.startsWith('/') || line.includes('/');
    const pattern = line.replace(/^\//, '');
    if (pattern === '') continue;
    const globs = anchored ? [pattern, `${pattern}/**`] : [`**/${pattern}`, `**/${pattern}/**`];
    const matcher = picomatch(globs, { dot: true });
    rules.push({ negate, dirOnly, match: (p) => matcher(p) });
  }
  return {
    rules: rules.length,
    ignored(path, isDir) {
      let out = false;
      for (const r of rules) {
        if (r.dirOnly && !isDir && !r.match(path.split('/').slice(0, -1).join('/'))) continue;
        if (r.match(path)) out = !r.negate;
      }
      return out;
    },
  };
}
