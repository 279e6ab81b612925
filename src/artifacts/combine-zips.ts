// A batch build's COMBINE_ARTIFACTS step: several builds' zips become one, each under a folder named by its identifier.
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { PipeError, describeError } from '../core/index.js';
import type { FileDigest } from './checksum.js';
import { normalizeEntryPath, resolveLinkTarget } from './safe-paths.js';
import { makeOwnedTempDir } from './temp-dirs.js';
import { writeZip, type ZipEntry } from './zip-writer.js';

export interface CombinePart {
  /** The folder the part's entries go under (a build identifier). */
  folder: string;
  zipPath: string;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** Unpacks one part into `dir` (entry names checked), returning its entries as they go into the combined zip. */
async function readPart(part: CombinePart, dir: string): Promise<ZipEntry[]> {
  const zip = await yauzl.openPromise(part.zipPath, { lazyEntries: true, autoClose: false });
  const entries: ZipEntry[] = [];
  try {
    for await (const entry of zip.eachEntry()) {
      const name = normalizeEntryPath(entry.fileName);
      if (name === null) throw new PipeError('ARTIFACT_ERROR', `Refusing to combine ${part.zipPath}: entry ${entry.fileName} lies outside the artifact root`);
      if (name === '' || entry.fileName.endsWith('/')) continue;
      const mode = entry.externalFileAttributes >>> 16;
      const combined = `${part.folder}/${name}`;
      const chunks: Buffer[] = [];
      const isLink = (mode & S_IFMT) === S_IFLNK;
      const stream = await zip.openReadStreamPromise(entry);
      if (isLink) {
        for await (const c of stream) chunks.push(c as Buffer);
        const target = Buffer.concat(chunks).toString('utf8');
        // Kept as a link, never followed; one that points out of its build's folder is refused, as unpacking refuses it.
        if (resolveLinkTarget(name, target) === null) {
          throw new PipeError('ARTIFACT_ERROR', `Refusing to combine ${part.zipPath}: symlink ${name} points outside the artifact root (${target})`);
        }
        entries.push({ kind: 'symlink', name: combined, target, mtime: entry.getLastModDate() });
        continue;
      }
      const file = join(dir, String(entries.length));
      await mkdir(dirname(file), { recursive: true });
      await pipeline(stream, createWriteStream(file));
      entries.push({ kind: 'file', name: combined, source: file, mode: mode & 0o777, mtime: entry.getLastModDate() });
    }
  } finally {
    zip.close();
  }
  return entries;
}

/** Writes one zip holding every part's entries under `<folder>/`, atomically. */
export async function combineZips(parts: readonly CombinePart[], zipPath: string): Promise<FileDigest & { files: string[] }> {
  const work = await makeOwnedTempDir('combine');
  try {
    const entries: ZipEntry[] = [];
    for (const [i, part] of parts.entries()) {
      try {
        entries.push(...(await readPart(part, join(work, String(i)))));
      } catch (e) {
        if (e instanceof PipeError) throw e;
        throw new PipeError('ARTIFACT_ERROR', `Could not read ${part.zipPath} to combine it: ${describeError(e)}`, { cause: e });
      }
    }
    const digest = await writeZip(zipPath, entries);
    return { ...digest, files: entries.map((e) => e.name).sort() };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
