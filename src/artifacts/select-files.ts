// CodeBuild's artifact selection over a SourceTree: files globs, base-directory (also a glob),
// exclude-paths, discard-paths, enable-symlinks. Pure: decides the zip's entries, writes nothing.
import { posix } from 'node:path';
import picomatch from 'picomatch';
import type { ArtifactSelectionSpec } from '../core/index.js';
import { PipeError } from '../core/index.js';
import type { ZipEntry } from './zip-writer.js';
import { relativeToTree, resolveTreePath, type SourceTree } from './source-tree.js';
import { walkBaseDirectory, type WalkItem } from './walk-tree.js';

/**
 * What to select. `baseDirectory` must already be resolved (environment variables expanded); it and
 * absolute `files` patterns may be absolute container paths inside the archived directory.
 */
export type ArtifactSelection = Pick<
  ArtifactSelectionSpec,
  'files' | 'baseDirectory' | 'discardPaths' | 'excludePaths' | 'enableSymlinks'
>;

/** What a selection becomes: the zip's entries (sorted by name) and what was skipped or replaced. */
export interface SelectionPlan {
  entries: ZipEntry[];
  warnings: string[];
}

export const NO_MATCH_MESSAGE = 'CLIENT_ERROR: no matching artifact paths found';

const GLOB_OPTIONS = { dot: true } as const;

/** A path given in the buildspec, made relative to `base` (a tree path); null when it cannot be. */
function relativePattern(tree: SourceTree, pattern: string, base: string): string | null {
  if (pattern.startsWith('/')) {
    const fromRoot = relativeToTree(tree, pattern);
    if (fromRoot === null) return null;
    if (base === '') return fromRoot;
    return fromRoot.startsWith(`${base}/`) ? fromRoot.slice(base.length + 1) : null;
  }
  return pattern.replace(/\/{2,}/g, '/').replace(/^(\.\/)+/, '');
}

/** The directories `base-directory` names, as tree paths: one for a plain path, every match for a glob. */
export function findBaseDirectories(tree: SourceTree, baseDirectory: string | undefined): string[] {
  if (baseDirectory === undefined || baseDirectory === '' || baseDirectory === '.' || baseDirectory === './') return [''];
  let base = baseDirectory;
  if (base.startsWith('/')) {
    const rel = relativeToTree(tree, base);
    if (rel === null) {
      throw new PipeError('ARTIFACT_ERROR', `base-directory ${baseDirectory} is outside the source directory ${tree.root}`);
    }
    base = rel;
  }
  base = base.replace(/\/{2,}/g, '/').replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  if (picomatch.scan(base).isGlob) {
    const isMatch = picomatch(base, GLOB_OPTIONS);
    return [...tree.nodes].filter(([p, n]) => n.kind === 'directory' && p !== '' && isMatch(p)).map(([p]) => p).sort();
  }
  const resolved = resolveTreePath(tree, base);
  return resolved.ok && resolved.node.kind === 'directory' ? [resolved.path] : [];
}

function toZipEntry(item: Exclude<WalkItem, { kind: 'skip' }>, name: string): ZipEntry {
  if (item.kind === 'symlink') return { kind: 'symlink', name, target: item.target, mtime: item.mtime };
  return { kind: 'file', name, source: item.node.blob, mode: item.node.mode, mtime: item.node.mtime };
}

/**
 * Applies the selection to the tree. Every `files` pattern that selects nothing is reported as
 * `Skipping invalid file path <pattern>`; when nothing at all is selected it fails as CodeBuild does.
 */
export function planSelection(tree: SourceTree, selection: ArtifactSelection, warn?: (message: string) => void): SelectionPlan {
  const warnings: string[] = [];
  const note = (message: string): void => {
    warnings.push(message);
    warn?.(message);
  };
  const bases = findBaseDirectories(tree, selection.baseDirectory);
  if (bases.length === 0) note(`Skipping invalid base directory ${selection.baseDirectory ?? ''}`);
  const keepLinks = selection.enableSymlinks && !selection.discardPaths;
  if (selection.enableSymlinks && selection.discardPaths) {
    note('enable-symlinks has no effect with discard-paths: links are stored as their targets\' content');
  }
  const used = new Set<number>();
  const chosen = new Map<string, { entry: ZipEntry; from: string }>();
  for (const base of bases) {
    const compile = (p: string): ((path: string) => boolean) => {
      const rel = relativePattern(tree, p, base);
      return rel === null ? () => false : picomatch(rel, GLOB_OPTIONS);
    };
    const includes = selection.files.map(compile);
    const excludes = selection.excludePaths.map(compile);
    for (const item of walkBaseDirectory(tree, base, keepLinks)) {
      const hits = includes.flatMap((isMatch, i) => (isMatch(item.path) ? [i] : []));
      if (hits.length === 0) continue;
      for (const i of hits) used.add(i);
      if (excludes.some((isMatch) => isMatch(item.path))) continue;
      if (item.kind === 'skip') {
        note(`Skipping symlink ${item.from}: ${item.reason}`);
        continue;
      }
      const name = selection.discardPaths ? posix.basename(item.path) : item.path;
      const previous = chosen.get(name);
      if (previous !== undefined) note(`Duplicate artifact path ${name}: ${item.from} replaces ${previous.from}`);
      chosen.set(name, { entry: toZipEntry(item, name), from: item.from });
    }
  }
  selection.files.forEach((pattern, i) => {
    if (!used.has(i)) note(`Skipping invalid file path ${pattern}`);
  });
  if (chosen.size === 0) {
    throw new PipeError('ARTIFACT_ERROR', NO_MATCH_MESSAGE, warnings.length > 0 ? { hint: warnings.join('\n') } : {});
  }
  const entries = [...chosen.values()].map((c) => c.entry).sort((a, b) => (a.name < b.name ? -1 : 1));
  return { entries, warnings };
}
