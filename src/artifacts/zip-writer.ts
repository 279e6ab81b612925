// Writes a zip atomically (temp file in the same directory, then rename) with a deterministic entry order.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
// archiver (and the streams it brings) loads when a zip needs it: most commands, most runs never do.
import type { ZipArchive } from 'archiver';
import type { ZipEntryData } from 'archiver';
import { PipeError, describeError } from '../core/index.js';
import { digestFile, type FileDigest } from './checksum.js';
import { canWriteParallelZip, writeParallelZip } from './parallel-zip.js';

/** One entry of a zip to write. Files read their bytes from `source` (a host file, the bytes, or a stream) only when written. */
export type ZipEntry =
  | { kind: 'file'; name: string; source: string | Buffer | (() => Readable); mode: number; mtime: Date }
  | { kind: 'symlink'; name: string; target: string; mtime: Date };

/** Regular files are stored 0755 when any execute bit is set, else 0644; links 0777. */
export function normalizeFileMode(mode: number): number {
  return (mode & 0o111) !== 0 ? 0o755 : 0o644;
}

/** A temp path next to `finalPath`, so the final rename stays on one filesystem. */
export function tempPathFor(finalPath: string): string {
  const dir = path.dirname(finalPath);
  return path.join(dir, `.${path.basename(finalPath)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Runs `produce` against a temp file next to `finalPath`, then renames it into place; on any failure
 * the temp file is removed and nothing is left at `finalPath` that was not there before.
 */
export async function writeFileAtomically(finalPath: string, produce: (tempPath: string) => Promise<void>): Promise<void> {
  await mkdir(path.dirname(finalPath), { recursive: true });
  const temp = tempPathFor(finalPath);
  try {
    await produce(temp);
    await rename(temp, finalPath);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}

/** Entries sorted by name (code unit order), so the same selection always yields the same zip. */
export function sortZipEntries(entries: readonly ZipEntry[]): ZipEntry[] {
  return [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function appendEntry(zip: ZipArchive, entry: ZipEntry): void {
  if (entry.kind === 'symlink') {
    // archiver's symlink() cannot take a date; append() with type symlink keeps the entry deterministic.
    const data = { name: entry.name, type: 'symlink', linkname: entry.target, mode: 0o777, date: entry.mtime };
    zip.append(Buffer.alloc(0), data as ZipEntryData);
    return;
  }
  const source = typeof entry.source === 'string' ? createReadStream(entry.source) : Buffer.isBuffer(entry.source) ? entry.source : entry.source();
  zip.append(source, { name: entry.name, mode: normalizeFileMode(entry.mode), date: entry.mtime });
}

/** Writes the entries (sorted) into a zip at `zipPath`, atomically; returns its size and SHA-256. */
export async function writeZip(zipPath: string, entries: readonly ZipEntry[]): Promise<FileDigest> {
  try {
    await writeFileAtomically(zipPath, async (temp) => {
      const sorted = sortZipEntries(entries);
      // Several files deflated at once where this Node can (zlib.crc32); archiver, one at a time, otherwise.
      const normalized = sorted.map((e) => (e.kind === 'file' ? { ...e, mode: normalizeFileMode(e.mode) } : e));
      if (canWriteParallelZip() && (await writeParallelZip(temp, normalized))) return;
      const { ZipArchive } = await import('archiver');
      const zip = new ZipArchive({ zlib: { level: 6 } });
      const written = pipeline(zip, createWriteStream(temp));
      zip.on('warning', (w) => zip.emit('error', w));
      for (const entry of sorted) appendEntry(zip, entry);
      // Wait for both sides to settle, so the temp file is closed before a failure removes it.
      const [finalized, flushed] = await Promise.allSettled([zip.finalize(), written]);
      if (flushed.status === 'rejected') throw flushed.reason;
      if (finalized.status === 'rejected') throw finalized.reason;
    });
  } catch (e) {
    if (e instanceof PipeError) throw e;
    throw new PipeError('ARTIFACT_ERROR', `Could not write ${zipPath}: ${describeError(e)}`, { cause: e });
  }
  return digestFile(zipPath);
}
