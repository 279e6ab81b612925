// Safe path handling for the artifact store: archive entry names, containment checks, the store layout.
import { posix } from 'node:path';
import { lstatSync, realpathSync, type Stats } from 'node:fs';
import path from 'node:path';
import { PipeError } from '../core/index.js';

/**
 * Normalizes an archive entry name to a clean relative POSIX path (`a/b/c`), or returns null when it
 * would land outside the extraction root: an absolute path, a drive letter, or `..` climbing above it.
 * `./x`, `x/`, `a//b` and `a/./b` are tolerated; the empty name and `.` normalize to `''` (the root).
 */
export function normalizeEntryPath(name: string): string | null {
  const slashed = name.replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[A-Za-z]:/.test(slashed)) return null;
  const normal = posix.normalize(slashed);
  if (normal === '..' || normal.startsWith('../')) return null;
  const trimmed = normal.replace(/\/+$/, '');
  return trimmed === '.' ? '' : trimmed;
}

/** True when `child` (absolute or relative, POSIX) is `parent` itself or lies under it. */
export function isInsidePosix(parent: string, child: string): boolean {
  const rel = posix.relative(parent, child);
  return rel === '' || (!rel.startsWith('../') && rel !== '..' && !posix.isAbsolute(rel));
}

/**
 * Resolves a symlink found at `linkPath` (relative to an archive root) with the literal `target` it holds,
 * lexically, to a path relative to that root; null when the link points out of the root or is absolute.
 */
export function resolveLinkTarget(linkPath: string, target: string): string | null {
  if (target.startsWith('/')) return null;
  return normalizeEntryPath(posix.join(posix.dirname(linkPath), target));
}

/**
 * The one guard for every join of a name or path that came from a file, a flag or a build onto a host directory:
 * `parts` (each may hold `/`) are joined onto `root`, and anything that would land outside it is refused: an
 * absolute part, `..` climbing above the root, a NUL byte, or an existing symlink on the way that points out
 * (writing through it would follow it out). Returns the absolute path.
 */
export function resolveInside(root: string, ...parts: string[]): string {
  const joined = parts.join('/');
  const rel = joined.includes('\0') ? null : normalizeEntryPath(joined);
  if (rel === null) {
    throw new PipeError('ARTIFACT_ERROR', `Path ${JSON.stringify(joined)} escapes ${root}`, {
      hint: 'A name that becomes a path must stay inside its folder: no absolute path, no "..".',
    });
  }
  const base = path.resolve(root);
  const target = rel === '' ? base : path.resolve(base, ...rel.split('/'));
  refuseLinkOut(base, target, joined);
  return target;
}

/** The deepest part of `target` that exists must resolve (symlinks followed) inside the resolved `base`. */
function refuseLinkOut(base: string, target: string, joined: string): void {
  let existing = target;
  while (existing !== base && lstatOrNull(existing) === null) existing = path.dirname(existing);
  // The root itself is pipe's choice (it may well be a link); only what lies under it is checked.
  if (existing === base) return;
  let real: string | null;
  try {
    real = realpathSync(existing);
  } catch {
    real = null;
  }
  const realBase = realpathSync(base);
  const rel = real === null ? null : path.relative(realBase, real);
  if (rel !== null && (rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel)))) return;
  throw new PipeError('ARTIFACT_ERROR', `Path ${JSON.stringify(joined)} would be written through a symlink (at or above ${existing}) that points outside ${base}`, {
    hint: 'Remove the symlink, or choose another output folder.',
  });
}

function lstatOrNull(p: string): Stats | null {
  try {
    return lstatSync(p);
  } catch {
    return null;
  }
}

/**
 * A name used as exactly one path segment (a pipeline, stage or action name, an execution id, an identifier):
 * not empty, no `/`, `\\` or NUL, not made only of dots. Returns it unchanged; `kind` names it in the error.
 */
export function asSegment(kind: string, value: string): string {
  if (value === '' || /^\.+$/.test(value) || /[/\\\0]/.test(value)) {
    throw new PipeError('ARTIFACT_ERROR', `Invalid ${kind} for a path: ${JSON.stringify(value)}`, {
      hint: `A ${kind} must be a single path segment: no "/", "\\", and not only dots.`,
    });
  }
  return value;
}

/** Where an execution's artifact lives: `<root>/<pipeline>/<execution-id>/<ArtifactName>.zip`. */
export function artifactPath(storeRoot: string, pipeline: string, executionId: string, artifactName: string): string {
  return resolveInside(
    storeRoot,
    asSegment('pipeline name', pipeline),
    asSegment('execution id', executionId),
    `${asSegment('artifact name', artifactName)}.zip`,
  );
}
