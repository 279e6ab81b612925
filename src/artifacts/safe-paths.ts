// Safe path handling for the artifact store: archive entry names, containment checks, the store layout.
import { posix } from 'node:path';
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

/** Joins `relative` onto the host directory `root`, refusing anything that would escape it. */
export function resolveInside(root: string, relative: string): string {
  const rel = normalizeEntryPath(relative);
  if (rel === null) {
    throw new PipeError('ARTIFACT_ERROR', `Path ${relative} escapes ${root}`);
  }
  return rel === '' ? path.resolve(root) : path.resolve(root, ...rel.split('/'));
}

/** A name that may be used as one path segment of the store: no separators, not `.` or `..`. */
function checkSegment(kind: string, value: string): string {
  if (value === '' || value === '.' || value === '..' || /[/\\\0]/.test(value)) {
    throw new PipeError('ARTIFACT_ERROR', `Invalid ${kind} for the artifact store: ${JSON.stringify(value)}`, {
      hint: `A ${kind} must be a single path segment: no "/", "\\", "." or "..".`,
    });
  }
  return value;
}

/** Where an execution's artifact lives: `<root>/<pipeline>/<execution-id>/<ArtifactName>.zip`. */
export function artifactPath(storeRoot: string, pipeline: string, executionId: string, artifactName: string): string {
  return path.join(
    path.resolve(storeRoot),
    checkSegment('pipeline name', pipeline),
    checkSegment('execution id', executionId),
    `${checkSegment('artifact name', artifactName)}.zip`,
  );
}
