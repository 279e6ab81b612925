// Turns a stored zip into a tar for ContainerHandle.putArchive, after checking no entry escapes the root.
import { posix } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pack, type Pack } from 'tar-stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { PipeError, describeError } from '../core/index.js';
import { normalizeEntryPath, resolveLinkTarget } from './safe-paths.js';

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const MADE_BY_UNIX = 3;

interface CheckedEntry {
  entry: Entry;
  name: string;
  kind: 'file' | 'directory' | 'symlink';
  mode: number;
  linkname?: string;
}

function refuse(zipPath: string, detail: string): PipeError {
  return new PipeError('ARTIFACT_ERROR', `Refusing to unpack ${zipPath}: ${detail}`, {
    hint: 'An artifact may only hold relative paths inside its root; rebuild it from a trusted source.',
  });
}

async function readAll(zip: ZipFile, entry: Entry): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function classify(entry: Entry, rawName: string): { kind: CheckedEntry['kind']; mode: number } {
  const unixMode = entry.versionMadeBy >> 8 === MADE_BY_UNIX ? entry.externalFileAttributes >>> 16 : 0;
  if ((unixMode & S_IFMT) === S_IFLNK) return { kind: 'symlink', mode: 0o777 };
  if (rawName.endsWith('/') || (unixMode & S_IFMT) === S_IFDIR) return { kind: 'directory', mode: 0o755 };
  return { kind: 'file', mode: (unixMode & 0o111) !== 0 ? 0o755 : 0o644 };
}

/** Reads the central directory and every link target, refusing the whole zip on the first escape. */
async function checkEntries(zip: ZipFile, zipPath: string): Promise<CheckedEntry[]> {
  const checked: CheckedEntry[] = [];
  const links = new Set<string>();
  for await (const entry of zip.eachEntry()) {
    const rawName = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
    const name = normalizeEntryPath(rawName);
    if (name === null) throw refuse(zipPath, `entry ${rawName} lies outside the artifact root`);
    if (name === '') continue;
    const { kind, mode } = classify(entry, rawName);
    if (kind !== 'symlink') {
      checked.push({ entry, name, kind, mode });
      continue;
    }
    const linkname = await readAll(zip, entry);
    if (resolveLinkTarget(name, linkname) === null) {
      throw refuse(zipPath, `symlink ${name} points outside the artifact root (${linkname})`);
    }
    links.add(name);
    checked.push({ entry, name, kind, mode, linkname });
  }
  // Nothing may be written through a link: that is how a chain of inside-looking links climbs out.
  for (const { name } of checked) {
    for (let dir = posix.dirname(name); dir !== '.'; dir = posix.dirname(dir)) {
      if (links.has(dir)) throw refuse(zipPath, `entry ${name} lies under the symlink ${dir}`);
    }
  }
  return checked;
}

async function writeTar(zip: ZipFile, checked: readonly CheckedEntry[], tar: Pack, prefix: string): Promise<void> {
  const dirs = new Set<string>();
  // The prefix's own directories are not in the tar (the caller's entries make them, with their modes).
  for (let dir = prefix.replace(/\/$/, ''); dir !== '.' && dir !== ''; dir = posix.dirname(dir)) dirs.add(dir);
  const entries = prefix ? checked.map((c) => ({ ...c, name: `${prefix}${c.name}` })) : checked;
  const ensureParents = (name: string): void => {
    const parent = posix.dirname(name);
    if (parent === '.' || dirs.has(parent)) return;
    ensureParents(parent);
    dirs.add(parent);
    tar.entry({ name: `${parent}/`, type: 'directory', mode: 0o755 });
  };
  for (const { entry, name, kind, mode, linkname } of entries) {
    ensureParents(name);
    const mtime = entry.getLastModDate();
    if (kind === 'directory') {
      if (dirs.has(name)) continue;
      dirs.add(name);
      tar.entry({ name: `${name}/`, type: 'directory', mode, mtime });
    } else if (kind === 'symlink') {
      tar.entry({ name, type: 'symlink', linkname: linkname ?? '', mode, mtime });
    } else {
      const sink = tar.entry({ name, size: entry.uncompressedSize, mode, mtime });
      await pipeline(await zip.openReadStreamPromise(entry), sink);
    }
  }
  tar.finalize();
}

export interface UnzipToTarOptions {
  /** Put every entry under this relative folder (`codebuild/output/src`), whose own directories the tar leaves out. */
  prefix?: string;
}

/**
 * A tar of the zip's contents, relative paths only, ready for `putArchive`. Every entry is checked
 * before the first byte is produced, so a bad zip fails here, as a PipeError, not midway in Docker.
 */
export async function unzipToTar(zipPath: string, options: UnzipToTarOptions = {}): Promise<Readable> {
  const prefix = options.prefix ? `${options.prefix.replace(/^\/+|\/+$/g, '')}/` : '';
  let zip: ZipFile;
  try {
    zip = await yauzl.openPromise(zipPath, { lazyEntries: true, decodeStrings: false, autoClose: false });
  } catch (e) {
    throw new PipeError('ARTIFACT_ERROR', `Could not read artifact ${zipPath}: ${describeError(e)}`, { cause: e });
  }
  let entries: CheckedEntry[];
  try {
    entries = await checkEntries(zip, zipPath);
  } catch (e) {
    zip.close();
    if (e instanceof PipeError) throw e;
    throw new PipeError('ARTIFACT_ERROR', `Could not read artifact ${zipPath}: ${describeError(e)}`, { cause: e });
  }
  // tar-stream packs with streamx; hand Docker a plain Node stream.
  const tar = pack();
  const out = new PassThrough();
  tar.on('error', (e: unknown) => out.destroy(e as Error));
  tar.pipe(out);
  writeTar(zip, entries, tar, prefix)
    .catch((e: unknown) => {
      out.destroy(new PipeError('ARTIFACT_ERROR', `Could not unpack ${zipPath}: ${describeError(e)}`, { cause: e }));
      tar.destroy();
    })
    .finally(() => zip.close());
  return out;
}
