// The tar archive an execution environment starts from: function code under /var/task, layers merged into /opt
// in their listed order (later ones win), the runtime's bootstrap under /var/runtime. Built once per code and
// layer set and kept in memory, so a cold start costs one putArchive and no unzipping.
import { readFile, stat } from 'node:fs/promises';
import { pack } from 'tar-stream';
import type { Header } from 'tar-stream';
import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import { PipeError } from '../../core/index.js';
import type { InvokeTarget } from '../invoke-port.js';
import { BOOTSTRAP_FILES, RUNTIME_DIR, TASK_ROOT } from './runtime-config.js';
import type { RuntimeFamily } from './runtime-config.js';

interface ArchiveEntry {
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  content?: Buffer;
  linkname?: string;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;

/** The bootstraps, read once from the repository's runtimes/ folder. */
export type Bootstraps = Readonly<Record<RuntimeFamily, Buffer>>;

export async function readBootstraps(runtimesDir: URL): Promise<Bootstraps> {
  const [nodejs, python] = await Promise.all([
    readFile(new URL(`node/${BOOTSTRAP_FILES.nodejs}`, runtimesDir)),
    readFile(new URL(`python/${BOOTSTRAP_FILES.python}`, runtimesDir)),
  ]);
  return { nodejs, python };
}

function openZip(path: string): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: true }, (err, zip) => (err ? reject(err) : resolve(zip)));
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

/** Adds every entry of a zip under `root`, replacing what an earlier zip put at the same path. */
async function addZip(entries: Map<string, ArchiveEntry>, zipPath: string, root: string): Promise<void> {
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
        } else {
          const content = await readEntry(zip, entry);
          if ((unixMode & S_IFMT) === S_IFLNK) {
            entries.set(path, { type: 'symlink', mode: 0o777, linkname: content.toString('utf8') });
          } else {
            // Readable by the sandbox user whatever the zip said; executable for all if it was for its owner.
            const perm = (unixMode & 0o777) || 0o644;
            entries.set(path, { type: 'file', mode: perm & 0o100 ? 0o755 : (perm | 0o444) & 0o777, content });
          }
        }
        zip.readEntry();
      })().catch(reject);
    });
    zip.on('end', resolve);
    zip.on('error', reject);
    zip.readEntry();
  });
}

async function packEntries(entries: Map<string, ArchiveEntry>): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((resolve, reject) => {
    p.on('end', resolve);
    p.on('error', reject);
  });
  const written = new Set<string>();
  const ensureParents = (path: string): void => {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (written.has(dir)) continue;
      written.add(dir);
      p.entry({ name: `${dir}/`, type: 'directory', mode: 0o755, uid: 0, gid: 0 });
    }
  };
  for (const [path, e] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    ensureParents(path);
    if (written.has(path)) continue;
    written.add(path);
    const header: Partial<Header> & Pick<Header, 'name'> = { name: e.type === 'directory' ? `${path}/` : path, type: e.type, mode: e.mode, uid: 0, gid: 0 };
    switch (e.type) {
      case 'directory':
        p.entry(header);
        break;
      case 'symlink':
        p.entry({ ...header, linkname: e.linkname ?? '' });
        break;
      case 'file':
        p.entry(header, e.content ?? Buffer.alloc(0));
        break;
      default: {
        const never: never = e.type;
        throw new Error(`unexpected archive entry type ${String(never)}`);
      }
    }
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** Builds the archive for a target: code, layers in order, bootstrap. Paths are relative to `/`. */
export async function buildCodeArchive(target: InvokeTarget, family: RuntimeFamily, bootstraps: Bootstraps): Promise<Buffer> {
  const entries = new Map<string, ArchiveEntry>();
  entries.set(TASK_ROOT.slice(1), { type: 'directory', mode: 0o755 });
  entries.set('opt', { type: 'directory', mode: 0o755 });
  entries.set(RUNTIME_DIR.slice(1), { type: 'directory', mode: 0o755 });
  try {
    await addZip(entries, target.codeZipPath, TASK_ROOT.slice(1));
    for (const layer of target.layerZipPaths) await addZip(entries, layer, 'opt');
  } catch (e) {
    throw new PipeError('ARTIFACT_ERROR', `could not read the code of ${target.functionArn}: ${(e as Error).message}`, { cause: e });
  }
  entries.set(`${RUNTIME_DIR.slice(1)}/${BOOTSTRAP_FILES[family]}`, { type: 'file', mode: 0o755, content: bootstraps[family] });
  return packEntries(entries);
}

/** Archives by code and layer set (paths, sizes and mtimes), bounded by total bytes, least recently used out. */
export class CodeArchiveCache {
  private readonly archives = new Map<string, { promise: Promise<Buffer>; bytes: number }>();
  private totalBytes = 0;

  constructor(
    private readonly bootstraps: Bootstraps,
    private readonly maxBytes: number,
  ) {}

  async get(target: InvokeTarget, family: RuntimeFamily): Promise<Buffer> {
    const key = await this.keyOf(target, family);
    const hit = this.archives.get(key);
    if (hit) {
      this.archives.delete(key);
      this.archives.set(key, hit);
      return hit.promise;
    }
    const entry = { promise: buildCodeArchive(target, family, this.bootstraps), bytes: 0 };
    this.archives.set(key, entry);
    try {
      const archive = await entry.promise;
      entry.bytes = archive.length;
      this.totalBytes += archive.length;
      this.evict(key);
      return archive;
    } catch (e) {
      this.archives.delete(key);
      throw e;
    }
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
    }
  }
}
