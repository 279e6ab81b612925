// Walks a base directory of a SourceTree the way an artifact upload sees it: which files, at which
// paths, and what each symlink becomes (a link, its target's content, or a skip with a reason).
import { posix } from 'node:path';
import { normalizeEntryPath } from './safe-paths.js';
import { relativeToTree, resolveTreePath, type SourceTree, type TreeNode } from './source-tree.js';

type FileNode = Extract<TreeNode, { kind: 'file' }>;

/** `path` is relative to the base directory; `from` is where it was found, relative to the tree root. */
export type WalkItem =
  | { kind: 'file'; path: string; from: string; node: FileNode }
  | { kind: 'symlink'; path: string; from: string; target: string; mtime: Date }
  | { kind: 'skip'; path: string; from: string; reason: string };

interface Place {
  /** The real directory being listed, as a tree path. */
  real: string;
  path: string;
  from: string;
  /** Real directories on the way down, to stop at a link that loops back. */
  stack: readonly string[];
}

function join(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

function isAncestorOrSelf(ancestor: string, p: string): boolean {
  return ancestor === '' || p === ancestor || p.startsWith(`${ancestor}/`);
}

/**
 * The link text to store when a symlink stays a symlink: its own relative target when that stays inside
 * the artifact as laid out, an absolute target inside the base directory re-expressed relatively; else null.
 */
function keptLinkTarget(tree: SourceTree, base: string, place: Place, linkPath: string, target: string): string | null {
  if (target === '') return null;
  if (!target.startsWith('/')) {
    return normalizeEntryPath(posix.join(posix.dirname(linkPath), target)) === null ? null : target;
  }
  const inTree = relativeToTree(tree, target);
  const realLayout = place.from === (place.path === '' ? base : join(base, place.path));
  if (inTree === null || !realLayout || inTree === base || !isAncestorOrSelf(base, inTree)) return null;
  const inBase = base === '' ? inTree : inTree.slice(base.length + 1);
  return posix.relative(`/${posix.dirname(linkPath)}`, `/${inBase}`) || '.';
}

function* walkLink(tree: SourceTree, base: string, keepLinks: boolean, place: Place, child: string, target: string): Generator<WalkItem> {
  const name = posix.basename(child);
  const path = join(place.path, name);
  const from = join(place.from, name);
  if (keepLinks) {
    const kept = keptLinkTarget(tree, base, place, path, target);
    const node = tree.nodes.get(child);
    if (kept !== null && node !== undefined) {
      yield { kind: 'symlink', path, from, target: kept, mtime: node.mtime };
      return;
    }
  }
  const resolved = resolveTreePath(tree, child);
  if (!resolved.ok) {
    const reason = {
      outside: `its target ${target} is outside ${tree.root}`,
      missing: `its target ${target} does not exist`,
      loop: 'too many levels of symbolic links',
    }[resolved.reason];
    yield { kind: 'skip', path, from, reason };
  } else if (resolved.node.kind === 'file') {
    yield { kind: 'file', path, from, node: resolved.node };
  } else if (resolved.node.kind === 'directory') {
    if (place.stack.some((dir) => isAncestorOrSelf(resolved.path, dir))) {
      yield { kind: 'skip', path, from, reason: `it loops back to ${resolved.path || '.'}` };
      return;
    }
    yield* walkDirectory(tree, base, keepLinks, { real: resolved.path, path, from, stack: [...place.stack, resolved.path] });
  }
}

function* walkDirectory(tree: SourceTree, base: string, keepLinks: boolean, place: Place): Generator<WalkItem> {
  for (const child of tree.children.get(place.real) ?? []) {
    const node = tree.nodes.get(child);
    const name = posix.basename(child);
    if (node?.kind === 'directory') {
      const next = { real: child, path: join(place.path, name), from: join(place.from, name), stack: [...place.stack, child] };
      yield* walkDirectory(tree, base, keepLinks, next);
    } else if (node?.kind === 'file') {
      yield { kind: 'file', path: join(place.path, name), from: join(place.from, name), node };
    } else if (node?.kind === 'symlink') {
      yield* walkLink(tree, base, keepLinks, place, child, node.target);
    }
  }
}

/**
 * Every file under `base` (a tree path) in name order, with paths relative to it. Without `keepLinks`
 * links are followed inside the tree (a directory link is walked as a directory, unless it loops).
 */
export function* walkBaseDirectory(tree: SourceTree, base: string, keepLinks: boolean): Generator<WalkItem> {
  yield* walkDirectory(tree, base, keepLinks, { real: base, path: '', from: base, stack: [base] });
}
