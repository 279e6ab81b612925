// Zip validation before anything is stored: it must unzip, no entry may escape the root, and its unzipped size.
import { posix } from 'node:path';
import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import { invalidParameter } from './errors.js';
import type { RegistryError } from './errors.js';

export const UNZIP_FAILED = 'Could not unzip uploaded file. Please check your file, then try to upload again.';

export interface ZipSummary {
  unzippedSize: number;
  entryCount: number;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** Reads the zip's central directory (and the targets of symlinks); rejects with a 400 on any problem. */
export async function inspectZip(zip: Buffer): Promise<ZipSummary> {
  const file = await openZip(zip);
  try {
    return await walkEntries(file);
  } finally {
    file.close();
  }
}

function openZip(zip: Buffer): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true, decodeStrings: true, strictFileNames: false }, (err, file) => {
      if (err || !file) reject(rejectZip(err?.message ?? 'no archive'));
      else resolve(file);
    });
  });
}

function walkEntries(file: ZipFile): Promise<ZipSummary> {
  return new Promise((resolve, reject) => {
    let unzippedSize = 0;
    let entryCount = 0;
    let failed = false;
    const fail = (why: string) => {
      if (failed) return;
      failed = true;
      reject(rejectZip(why));
    };
    file.on('error', (e: Error) => fail(e.message));
    file.on('end', () => {
      if (!failed) resolve({ unzippedSize, entryCount });
    });
    file.on('entry', (entry: Entry) => {
      entryCount += 1;
      unzippedSize += entry.uncompressedSize;
      const escape = escapingName(entry.fileName);
      if (escape) return fail(escape);
      if (!isSymlink(entry)) return file.readEntry();
      readSymlinkTarget(file, entry).then(
        (target) => {
          const why = escapingLink(entry.fileName, target);
          if (why) fail(why);
          else file.readEntry();
        },
        (e: Error) => fail(e.message),
      );
    });
    file.readEntry();
  });
}

function isSymlink(entry: Entry): boolean {
  const madeOnUnix = entry.versionMadeBy >> 8 === 3;
  return madeOnUnix && ((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK;
}

/** yauzl already refuses absolute names and `..` components; this is the second line for what it lets through. */
function escapingName(name: string): string | undefined {
  const normalized = posix.normalize(name);
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) return `entry ${name} has an absolute path`;
  if (normalized === '..' || normalized.startsWith('../')) return `entry ${name} escapes the archive root`;
  return undefined;
}

function escapingLink(name: string, target: string): string | undefined {
  if (target.startsWith('/')) return `symbolic link ${name} points outside the archive (${target})`;
  const resolved = posix.normalize(posix.join(posix.dirname(name), target));
  if (resolved === '..' || resolved.startsWith('../')) return `symbolic link ${name} points outside the archive (${target})`;
  return undefined;
}

function readSymlinkTarget(file: ZipFile, entry: Entry): Promise<string> {
  return new Promise((resolve, reject) => {
    file.openReadStream(entry, (err, stream) => {
      if (err || !stream) return reject(err ?? new Error('unreadable entry'));
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
  });
}

function rejectZip(why: string): RegistryError {
  return invalidParameter(`${UNZIP_FAILED} (${why})`);
}
