// Reads a tar stream from Docker's getArchive once into a SourceTree: small files' bytes in memory, the rest spooled to a temp dir.
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path, { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar-stream';
import { PipeError, describeError } from '../core/index.js';
import { normalizeEntryPath } from './safe-paths.js';
import { createSourceTree, normalizeRoot, type SourceTree, type TreeNode } from './source-tree.js';
import { makeOwnedTempDir } from './temp-dirs.js';

/** Files up to this size are kept in memory rather than spooled, as long as all of them stay under IN_MEMORY_TOTAL. */
const IN_MEMORY_FILE_MAX = 256 * 1024;
const IN_MEMORY_TOTAL = 256 * 1024 * 1024;

/** A tree read from a tar, whose file bytes stay on disk until `dispose()`. */
export interface TarSnapshot extends SourceTree {
  /** Entries that were skipped (devices, fifos), said out loud. */
  warnings: string[];
  dispose(): Promise<void>;
}

/**
 * Docker names every entry after the archived directory's basename (`src/`, `src/a.txt`); the form
 * `path/.` gives `./a.txt`. The first entry tells which: when it is the basename, every entry must be.
 */
function makePrefixStripper(root: string): (name: string) => string {
  const base = posix.basename(normalizeRoot(root));
  let prefixed: boolean | undefined;
  return (name) => {
    const normal = normalizeEntryPath(name);
    if (normal === null) {
      throw new PipeError('ARTIFACT_ERROR', `The archive of ${root} has an entry outside it: ${name}`);
    }
    prefixed ??= base !== '' && (normal === base || normal.startsWith(`${base}/`));
    if (!prefixed) return normal;
    if (normal === base) return '';
    if (normal.startsWith(`${base}/`)) return normal.slice(base.length + 1);
    throw new PipeError('ARTIFACT_ERROR', `The archive of ${root} has an entry outside ${base}/: ${name}`);
  };
}

/** Reads the whole tar in one pass. The caller must `dispose()` the snapshot to remove its temp files. */
export async function readTarSnapshot(tar: Readable, root: string): Promise<TarSnapshot> {
  const dir = await makeOwnedTempDir('tar');
  const dispose = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    const nodes = new Map<string, TreeNode>();
    const warnings: string[] = [];
    const strip = makePrefixStripper(root);
    let blobs = 0;
    let held = 0;
    const source = extract();
    tar.on('error', (e) => source.destroy(e));
    tar.pipe(source);
    for await (const entry of source) {
      const { header } = entry;
      const rel = strip(header.name);
      const mtime = header.mtime ?? new Date(0);
      switch (header.type) {
        case 'file':
        case 'contiguous-file': {
          const size = header.size ?? 0;
          // Small files stay in memory (most of a tree is small files: thousands of spool files cost more than
          // their bytes), up to IN_MEMORY_TOTAL; the rest are spooled.
          if (size <= IN_MEMORY_FILE_MAX && held + size <= IN_MEMORY_TOTAL) {
            const chunks: Buffer[] = [];
            for await (const c of entry) chunks.push(c as Buffer);
            held += size;
            nodes.set(rel, { kind: 'file', blob: Buffer.concat(chunks), size, mode: header.mode ?? 0o644, mtime });
            continue;
          }
          // Blobs are numbered, never named after the entry: no entry name can steer a host write.
          const blob = path.join(dir, String(blobs++));
          await pipeline(entry, createWriteStream(blob));
          nodes.set(rel, { kind: 'file', blob, size, mode: header.mode ?? 0o644, mtime });
          continue;
        }
        case 'directory':
          nodes.set(rel, { kind: 'directory', mode: header.mode ?? 0o755, mtime });
          break;
        case 'symlink':
          nodes.set(rel, { kind: 'symlink', target: header.linkname ?? '', mtime });
          break;
        case 'link': {
          const target = nodes.get(strip(header.linkname ?? ''));
          if (target?.kind !== 'file') {
            throw new PipeError('ARTIFACT_ERROR', `The archive of ${root} has a hard link ${header.name} to a missing file ${header.linkname ?? ''}`);
          }
          nodes.set(rel, { ...target, mode: header.mode ?? target.mode, mtime });
          break;
        }
        default:
          warnings.push(`Skipping ${header.type ?? 'unknown'} entry ${rel}: only files, directories and links are archived`);
      }
      entry.resume();
    }
    const tree = createSourceTree(root, nodes, new Date(0));
    return { ...tree, warnings, dispose };
  } catch (e) {
    await dispose();
    if (e instanceof PipeError) throw e;
    throw new PipeError('ARTIFACT_ERROR', `Could not read the archive of ${root}: ${describeError(e)}`, { cause: e });
  }
}
