// An in-memory index of a directory tree copied out of a container, with symlink resolution inside it.
import { posix } from 'node:path';

/** One entry of the tree. File bytes live on the host in `blob`; links keep their literal target. */
export type TreeNode =
  /** `blob`: the bytes' spool file on the host, or the bytes themselves for a small file. */
  | { kind: 'file'; blob: string | Buffer; size: number; mode: number; mtime: Date }
  | { kind: 'directory'; mode: number; mtime: Date }
  | { kind: 'symlink'; target: string; mtime: Date };

export interface SourceTree {
  /** The absolute (container) path the tree was taken from; node paths are relative to it. */
  root: string;
  /** Keyed by POSIX path relative to `root`; `''` is the root directory itself. */
  nodes: ReadonlyMap<string, TreeNode>;
  /** Directory path -> its children's full relative paths, sorted. */
  children: ReadonlyMap<string, readonly string[]>;
}

export type TreeResolution =
  | { ok: true; path: string; node: TreeNode }
  | { ok: false; reason: 'outside' | 'missing' | 'loop' };

/** Linux's limit on symlinks followed in one lookup (MAXSYMLINKS). */
const MAX_LINK_HOPS = 40;

function splitPath(p: string): string[] {
  return p.split('/').filter((s) => s !== '');
}

/** Normalizes a container path: POSIX, absolute, no trailing slash or dot segments. */
export function normalizeRoot(root: string): string {
  const normal = posix.normalize(posix.resolve('/', root.replace(/\\/g, '/')));
  return normal.length > 1 ? normal.replace(/\/+$/, '') : normal;
}

/** Builds the tree from its nodes, adding the directories that only appear as parents. */
export function createSourceTree(root: string, entries: ReadonlyMap<string, TreeNode>, fallbackTime: Date): SourceTree {
  const nodes = new Map(entries);
  if (!nodes.has('')) nodes.set('', { kind: 'directory', mode: 0o755, mtime: fallbackTime });
  const members = new Map<string, Set<string>>();
  for (const p of [...nodes.keys()]) {
    let child = p;
    while (child !== '') {
      const parent = posix.dirname(child) === '.' ? '' : posix.dirname(child);
      if (!nodes.has(parent)) nodes.set(parent, { kind: 'directory', mode: 0o755, mtime: fallbackTime });
      const set = members.get(parent) ?? new Set<string>();
      members.set(parent, set);
      if (set.has(child)) break;
      set.add(child);
      child = parent;
    }
  }
  const children = new Map<string, string[]>();
  for (const [dir, set] of members) children.set(dir, [...set].sort());
  return { root: normalizeRoot(root), nodes, children };
}

/**
 * Resolves a path relative to the tree's root as the kernel would inside the container, following
 * symlinks (relative ones from their directory, absolute ones from `/`), intermediate components
 * always and the last one only when `followFinal`. A path that ends outside the tree is `outside`.
 */
export function resolveTreePath(tree: SourceTree, relative: string, followFinal = true): TreeResolution {
  const rootParts = splitPath(tree.root);
  const relOf = (parts: readonly string[]): string | null =>
    parts.length >= rootParts.length && rootParts.every((p, i) => parts[i] === p)
      ? parts.slice(rootParts.length).join('/')
      : null;
  let current = [...rootParts];
  let pending = splitPath(relative);
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '.') continue;
    if (part === '..') {
      current.pop();
      continue;
    }
    current.push(part);
    const rel = relOf(current);
    // Outside the copied tree nothing is known: keep going lexically, it may come back in.
    if (rel === null) continue;
    const node = tree.nodes.get(rel);
    if (node === undefined) return { ok: false, reason: 'missing' };
    if (node.kind === 'file' && pending.length > 0) return { ok: false, reason: 'missing' };
    if (node.kind === 'symlink' && (pending.length > 0 || followFinal)) {
      if (++hops > MAX_LINK_HOPS) return { ok: false, reason: 'loop' };
      current.pop();
      if (node.target.startsWith('/')) current = [];
      pending = [...splitPath(node.target), ...pending];
    }
  }
  const rel = relOf(current);
  if (rel === null) return { ok: false, reason: 'outside' };
  const node = tree.nodes.get(rel);
  return node === undefined ? { ok: false, reason: 'missing' } : { ok: true, path: rel, node };
}

/** The tree-relative path an absolute container path stands for, or null when it is outside the tree. */
export function relativeToTree(tree: SourceTree, absolute: string): string | null {
  const rel = posix.relative(tree.root, posix.normalize(absolute));
  if (rel === '..' || rel.startsWith('../') || posix.isAbsolute(rel)) return null;
  return rel;
}
