// .pipeignore's rules, as .gitignore's: names at any depth, anchored paths, folders only, negation, later rules win.
import { describe, expect, it } from 'vitest';
import { parseIgnoreFile } from '../../src/artifacts/index.js';

describe('.pipeignore', () => {
  const rules = parseIgnoreFile(['# comment', '', 'node_modules/', '*.log', '!keep.log', '/dist', 'docs/**/*.tmp', 'cache'].join('\n'));

  it('counts its rules', () => {
    expect(rules.rules).toBe(6);
  });

  it.each([
    ['node_modules', true, true],
    ['a/b/node_modules', true, true],
    ['node_modules', false, false], // a file of that name: the rule is for folders
    ['node_modules/x/index.js', false, true],
    ['server.log', false, true],
    ['logs/deep/app.log', false, true],
    ['keep.log', false, false],
    ['dist', true, true],
    ['src/dist', true, false], // anchored to the top
    ['docs/a/b/x.tmp', false, true],
    ['x.tmp', false, false],
    ['cache', false, true],
    ['src/cache/file', false, true],
    ['src/index.js', false, false],
  ])('%s (folder: %s) ignored: %s', (path, isDir, expected) => {
    expect(rules.ignored(path, isDir)).toBe(expected);
  });
});
