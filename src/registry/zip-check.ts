// Zip validation before anything is stored: it must unzip, no entry may escape the root, and its unzipped size,
// measured by inflating every entry (streamed, nothing kept) rather than trusting the sizes the zip declares.
import { posix } from 'node:path';
import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import { invalidParameter } from './errors.js';
import type { RegistryError } from './errors.js';
import { LIMITS, checkUnzippedSize } from './limits.js';

export const UNZIP_FAILED = 'Could not unzip uploaded file. Please check your file, then try to upload again.';

export interface ZipSummary {
  unzippedSize: number;
  entryCount: number;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/**
 * Reads every entry of the zip; rejects with a 400 on any problem: a corrupt entry or one whose data does not
 * match its declared size ("Could not unzip"), or more than `limit` bytes once inflated (AWS's unzipped-size
 * error, raised as soon as the running total passes it, so a zip bomb costs at most `limit` bytes of inflating).
 */
export async function inspectZip(zip: Buffer, limit: number = LIMITS.unzippedTotal): Promise<ZipSummary> {
  const file = await openZip(zip);
  try {
    return await walkEntries(file, limit);
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

function walkEntries(file: ZipFile, limit: number): Promise<ZipSummary> {
  return new Promise((resolve, reject) => {
    let unzippedSize = 0;
    let entryCount = 0;
    let failed = false;
    const fail = (why: string | RegistryError) => {
      if (failed) return;
      failed = true;
      reject(typeof why === 'string' ? rejectZip(why) : why);
    };
    const count = (bytes: number): boolean => {
      unzippedSize += bytes;
      if (unzippedSize <= limit) return true;
      try {
        checkUnzippedSize(unzippedSize);
      } catch (e) {
        fail(e as RegistryError);
      }
      return false;
    };
    file.on('error', (e: Error) => fail(e.message));
    file.on('end', () => {
      if (!failed) resolve({ unzippedSize, entryCount });
    });
    file.on('entry', (entry: Entry) => {
      entryCount += 1;
      const escape = escapingName(entry.fileName);
      if (escape) return fail(escape);
      if (!isSymlink(entry)) {
        measureEntry(file, entry, count).then(
          (ok) => {
            if (ok) file.readEntry();
          },
          (e: Error) => fail(e.message),
        );
        return;
      }
      readSymlinkTarget(file, entry).then(
        (target) => {
          if (!count(Buffer.byteLength(target))) return;
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

/** Inflates one entry, counting its bytes; false once `count` says the total is over (the stream is dropped). */
function measureEntry(file: ZipFile, entry: Entry, count: (bytes: number) => boolean): Promise<boolean> {
  if (entry.fileName.endsWith('/')) return Promise.resolve(true);
  return new Promise((resolve, reject) => {
    file.openReadStream(entry, (err, stream) => {
      if (err || !stream) return reject(err ?? new Error('unreadable entry'));
      stream.on('data', (c: Buffer) => {
        if (!count(c.length)) {
          stream.destroy();
          resolve(false);
        }
      });
      stream.on('error', reject);
      stream.on('end', () => resolve(true));
    });
  });
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
