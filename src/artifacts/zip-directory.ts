// Zips a directory of the host (a `pipe build` source), so it reaches the container the way an input artifact does.
import { lstat, readdir, readlink, realpath } from 'node:fs/promises';
import { join, posix, relative, resolve, sep } from 'node:path';
import { PROGRESS_EVERY_MS, PipeError } from '../core/index.js';
import { resolveLinkTarget } from './safe-paths.js';
import type { FileDigest } from './checksum.js';
import { writeZip, type ZipEntry } from './zip-writer.js';

export interface ZippedDirectory extends FileDigest {
  files: number;
  /** Bytes of the files read. */
  bytes: number;
  /** Paths left out by `ignore` (each folder counts once). */
  ignored: number;
}

export interface ZipDirectoryOptions {
  skip?: readonly string[];
  warn?: (message: string) => void;
  /** Leaves a path out (a `.pipeignore`'s rules); `rel` is relative to the directory, with `/`. */
  ignore?: (rel: string, isDir: boolean) => boolean;
  /** Told now and then how far the copy has got (a large source takes a while). */
  progress?: (files: number, bytes: number) => void;
}



/**
 * Every file of `dir`, `.git` included (codebuild_build.sh copies the whole directory), as a zip at `zipPath`.
 * Symlinks stay links when they point inside the directory; links out of it are skipped with a warning, since
 * an artifact may not point outside its root. Paths under `skip` (e.g. an artifact directory inside `dir`) are left out,
 * and those `ignore` says (a `.pipeignore`).
 * Empty directories are not kept (a zip of files, as `git archive` gives the pipeline).
 */
export async function zipDirectory(
  dir: string,
  zipPath: string,
  options: ZipDirectoryOptions = {},
): Promise<ZippedDirectory> {
  const root = await realpath(resolve(dir)).catch((e: unknown) => {
    throw new PipeError('NOT_FOUND', `source directory ${dir} not found`, { cause: e });
  });
  if (!(await lstat(root)).isDirectory()) throw new PipeError('INVALID_ARGUMENT', `source ${dir} is not a directory`);
  const skip = (options.skip ?? []).map((p) => resolve(p));
  const entries: ZipEntry[] = [];
  let bytes = 0;
  let ignored = 0;
  let told = performance.now();
  const walk = async (abs: string): Promise<void> => {
    for (const name of (await readdir(abs)).sort()) {
      const full = join(abs, name);
      if (skip.some((s) => full === s || full.startsWith(`${s}${sep}`))) continue;
      const rel = relative(root, full).split(sep).join(posix.sep);
      const st = await lstat(full);
      if (options.ignore?.(rel, st.isDirectory())) {
        ignored++;
        continue;
      }
      if (st.isFile()) bytes += st.size;
      if (options.progress && performance.now() - told > PROGRESS_EVERY_MS) {
        told = performance.now();
        options.progress(entries.length, bytes);
      }
      if (st.isDirectory()) await walk(full);
      else if (st.isSymbolicLink()) {
        const target = await readlink(full);
        if (resolveLinkTarget(rel, target) === null) options.warn?.(`Skipping symlink ${rel}: its target ${target} is outside ${dir}`);
        else entries.push({ kind: 'symlink', name: rel, target, mtime: st.mtime });
      } else if (st.isFile()) entries.push({ kind: 'file', name: rel, source: full, mode: st.mode, mtime: st.mtime });
    }
  };
  await walk(root);
  const digest = await writeZip(zipPath, entries);
  return { ...digest, files: entries.length, bytes, ignored };
}
