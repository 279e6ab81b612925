// The tar archive an execution environment starts from: function code under /var/task, layers merged into /opt
// in their listed order (later ones win), the runtime's bootstrap under /var/runtime. Built once per code and
// layer set by streaming each winning entry from its zip into a tar file on disk, and streamed from there into
// each new container: a cold start costs one putArchive and no unzipping, and memory stays flat however large the
// code unzips (a function with layers may unzip to 250 MiB).
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import { pack } from 'tar-stream';
import type { Header, Pack } from 'tar-stream';
import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import { makeOwnedTempDirSync } from '../../artifacts/index.js';
import { RegistryError } from '../errors.js';
import type { InvokeTarget } from '../invoke-port.js';
import { BOOTSTRAP_FILES, RUNTIME_DIR, TASK_ROOT } from './runtime-config.js';
import type { ManagedFamily, RuntimeFamily } from './runtime-config.js';

interface ArchiveEntry {
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  /** A file's bytes, when small and known (the bootstrap)... */
  content?: Buffer;
  /** ...or where to stream them from: an entry of an open zip. */
  source?: { zip: ZipFile; entry: Entry };
  linkname?: string;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;

/** The bootstraps, read once from the repository's runtimes/ folder. */
export type Bootstraps = Readonly<Record<ManagedFamily, Buffer>>;

export async function readBootstraps(runtimesDir: URL): Promise<Bootstraps> {
  const [nodejs, python] = await Promise.all([
    readFile(new URL(`node/${BOOTSTRAP_FILES.nodejs}`, runtimesDir)),
    readFile(new URL(`python/${BOOTSTRAP_FILES.python}`, runtimesDir)),
  ]);
  return { nodejs, python };
}

/** Kept open until the archive is written: its entries are streamed from it then. */
function openZip(path: string): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (err, zip) => (err ? reject(err) : resolve(zip)));
  });
}

function openEntry(zip: ZipFile, entry: Entry): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => (err ? reject(err) : resolve(stream)));
  });
}

function readEntry(zip: ZipFile, entry: Entry): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err) return reject(err);
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => resolve(Buffer.concat(chunks)));
      stream.on('error', reject);
    });
  });
}

/** Adds every entry of a zip under `root`, replacing what an earlier zip put at the same path; returns the zip. */
async function addZip(entries: Map<string, ArchiveEntry>, zipPath: string, root: string): Promise<ZipFile> {
  const zip = await openZip(zipPath);
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: Entry) => {
      void (async () => {
        const name = entry.fileName.replace(/^\.?\/+/, '');
        const unixMode = (entry.externalFileAttributes >>> 16) & 0xffff;
        const isDir = name.endsWith('/') || (unixMode & S_IFMT) === S_IFDIR;
        const path = `${root}/${name.replace(/\/+$/, '')}`;
        if (isDir) {
          entries.set(path, { type: 'directory', mode: 0o755 });
        } else if ((unixMode & S_IFMT) === S_IFLNK) {
          const content = await readEntry(zip, entry);
          entries.set(path, { type: 'symlink', mode: 0o777, linkname: content.toString('utf8') });
        } else {
          // Readable by the sandbox user whatever the zip said; executable for all if it was for its owner.
          const perm = (unixMode & 0o777) || 0o644;
          entries.set(path, { type: 'file', mode: perm & 0o100 ? 0o755 : (perm | 0o444) & 0o777, source: { zip, entry } });
        }
        zip.readEntry();
      })().catch(reject);
    });
    zip.on('end', resolve);
    zip.on('error', reject);
    zip.readEntry();
  });
  return zip;
}

/** Writes one tar entry; a file's bytes are streamed from its zip entry. */
async function writeEntry(p: Pack, header: Partial<Header> & Pick<Header, 'name'>, e: ArchiveEntry): Promise<void> {
  if (e.type !== 'file') {
    p.entry(e.type === 'symlink' ? { ...header, linkname: e.linkname ?? '' } : header);
    return;
  }
  if (e.source === undefined) {
    p.entry(header, e.content ?? Buffer.alloc(0));
    return;
  }
  const { zip, entry } = e.source;
  const stream = await openEntry(zip, entry);
  await new Promise<void>((resolve, reject) => {
    const sink = p.entry({ ...header, size: entry.uncompressedSize }, (err) => (err ? reject(err) : resolve()));
    // A bad entry fails the pack, which fails the entry being written too: both are this promise's rejection.
    sink.on('error', reject);
    stream.on('error', reject);
    stream.pipe(sink);
  });
}

/** Packs the entries, sorted, parents first, into the tar file at `path`. */
async function packEntries(entries: Map<string, ArchiveEntry>, path: string): Promise<void> {
  const p = pack();
  const written$ = pipeline(p, createWriteStream(path));
  const written = new Set<string>();
  const ensureParents = (name: string): void => {
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (written.has(dir)) continue;
      written.add(dir);
      p.entry({ name: `${dir}/`, type: 'directory', mode: 0o755, uid: 0, gid: 0 });
    }
  };
  try {
    for (const [name, e] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      ensureParents(name);
      if (written.has(name)) continue;
      written.add(name);
      await writeEntry(p, { name: e.type === 'directory' ? `${name}/` : name, type: e.type, mode: e.mode, uid: 0, gid: 0 }, e);
    }
    p.finalize();
  } catch (e) {
    p.destroy(e as Error);
  }
  await written$;
}

/** Builds the archive for a target into the tar file at `path`: code, layers in order, bootstrap (paths from `/`). */
export async function buildCodeArchive(target: InvokeTarget, family: RuntimeFamily, bootstraps: Bootstraps, path: string): Promise<void> {
  const entries = new Map<string, ArchiveEntry>();
  entries.set(TASK_ROOT.slice(1), { type: 'directory', mode: 0o755 });
  entries.set('opt', { type: 'directory', mode: 0o755 });
  entries.set(RUNTIME_DIR.slice(1), { type: 'directory', mode: 0o755 });
  const zips: ZipFile[] = [];
  try {
    zips.push(await addZip(entries, target.codeZipPath, TASK_ROOT.slice(1)));
    for (const layer of target.layerZipPaths) zips.push(await addZip(entries, layer, 'opt'));
    // An OS-only runtime's bootstrap is in the code or a layer; /var/runtime stays empty for it.
    if (family !== 'provided') entries.set(`${RUNTIME_DIR.slice(1)}/${BOOTSTRAP_FILES[family]}`, { type: 'file', mode: 0o755, content: bootstraps[family] });
    await packEntries(entries, path);
  } catch (e) {
    await unlink(path).catch(() => undefined);
    // Lambda's answer for code it cannot unpack at invoke time (a stored zip gone bad): 502, never a 500.
    throw new RegistryError('InvalidZipFileException', `Lambda was unable to unzip the code of ${target.functionArn}: ${(e as Error).message}`, { cause: e });
  } finally {
    for (const zip of zips) zip.close();
  }
}

/**
 * Archive files by code and layer set (paths, sizes and mtimes), in a directory of their own, bounded by total
 * bytes, least recently used out. `get` gives a stream of the archive; a file evicted while a container still
 * reads it stays readable until that stream closes.
 */
export class CodeArchiveCache {
  private readonly archives = new Map<string, { promise: Promise<string>; bytes: number }>();
  private totalBytes = 0;
  // Named with this process's pid, so the next pipe command removes it when a SIGKILL left it behind.
  private readonly dir = makeOwnedTempDirSync('archives');

  constructor(
    private readonly bootstraps: Bootstraps,
    private readonly maxBytes: number,
  ) {}

  async get(target: InvokeTarget, family: RuntimeFamily): Promise<Readable> {
    return createReadStream(await this.file(target, family));
  }

  /** The path of the archive file, built if it is not there. */
  async file(target: InvokeTarget, family: RuntimeFamily): Promise<string> {
    const key = await this.keyOf(target, family);
    const hit = this.archives.get(key);
    if (hit) {
      this.archives.delete(key);
      this.archives.set(key, hit);
      return hit.promise;
    }
    const path = join(this.dir, `${randomUUID()}.tar`);
    const entry = { promise: this.build(target, family, path), bytes: 0 };
    this.archives.set(key, entry);
    try {
      await entry.promise;
      entry.bytes = (await stat(path)).size;
      this.totalBytes += entry.bytes;
      this.evict(key);
      return path;
    } catch (e) {
      this.archives.delete(key);
      throw e;
    }
  }

  /** Removes every archive file. */
  close(): void {
    this.archives.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async build(target: InvokeTarget, family: RuntimeFamily, path: string): Promise<string> {
    const partial = `${path}.partial`;
    await buildCodeArchive(target, family, this.bootstraps, partial);
    await rename(partial, path);
    return path;
  }

  private async keyOf(target: InvokeTarget, family: RuntimeFamily): Promise<string> {
    const paths = [target.codeZipPath, ...target.layerZipPaths];
    const stats = await Promise.all(paths.map((p) => stat(p).then((s) => `${p}@${s.size}@${s.mtimeMs}`, () => p)));
    return `${family}|${stats.join('|')}`;
  }

  private evict(keep: string): void {
    for (const [key, entry] of this.archives) {
      if (this.totalBytes <= this.maxBytes) return;
      if (key === keep || entry.bytes === 0) continue;
      this.archives.delete(key);
      this.totalBytes -= entry.bytes;
      void entry.promise.then((path) => unlink(path)).catch(() => undefined);
    }
  }
}
