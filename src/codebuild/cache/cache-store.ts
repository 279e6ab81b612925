// The build cache on the host, under <PIPE_HOME>/cache/: one entry per (scope, key), each a tar.gz of the cached
// files (paths relative to the container's /) and a small JSON record. The JSON is written last, by rename, so a
// failed or interrupted save leaves no entry that can be found; readers never see a half-written archive.
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { asSegment, resolveInside } from '../../artifacts/index.js';

/** Entries kept per scope; older ones (by save time) are removed when a new one is saved. */
export const MAX_ENTRIES_PER_SCOPE = 10;

export interface CacheEntry {
  /** `<pipeline>/<Stage>.<Action>`: whose builds share the entries. */
  scope: string;
  /** The buildspec's `key`, evaluated; null for the scope's single default entry (no `key`). */
  key: string | null;
  savedAt: string;
  /** The archive's size on disk. */
  size: number;
  files: number;
  /** The files' total size, uncompressed. */
  bytes: number;
  /** The `cache.paths` that produced it. */
  paths: string[];
  /** The archive's file name inside the cache directory. */
  archive: string;
}

export interface ArchiveStats {
  files: number;
  bytes: number;
}

function entryId(scope: string, key: string | null): string {
  return createHash('sha256').update(`${scope}\0${key === null ? 'default' : `key\0${key}`}`).digest('hex').slice(0, 32);
}

const ARCHIVE_NAME = /^[0-9a-f]{32}\.[0-9]+\.[0-9a-f]{8}\.tar\.gz$/;

function isCacheEntry(v: unknown): v is CacheEntry {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  // The archive is named by save() (`<id>.<pid>.<nonce>.tar.gz`); any other name is not a record of ours.
  const archive = typeof e['archive'] === 'string' && ARCHIVE_NAME.test(e['archive']);
  return typeof e['scope'] === 'string' && (typeof e['key'] === 'string' || e['key'] === null) && archive && typeof e['savedAt'] === 'string';
}

export class CacheStore {
  constructor(readonly dir: string) {}

  archivePath(entry: CacheEntry): string {
    // The archive's name is read back from a record on disk: it must still name a file of this folder.
    return resolveInside(this.dir, asSegment('cache archive name', entry.archive));
  }

  /** Every readable entry, newest first. Unreadable records (another version's, a stray file) are skipped. */
  async list(scope?: string): Promise<CacheEntry[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const entries: CacheEntry[] = [];
    for (const name of names.filter((n) => /^[0-9a-f]{32}\.json$/.test(n))) {
      try {
        const parsed: unknown = JSON.parse(await readFile(join(this.dir, name), 'utf8'));
        if (isCacheEntry(parsed) && (scope === undefined || parsed.scope === scope)) entries.push(parsed);
      } catch {
        // Removed by a concurrent clear, or not ours: not an entry.
      }
    }
    return entries.sort((a, b) => (a.savedAt < b.savedAt ? 1 : a.savedAt > b.savedAt ? -1 : 0));
  }

  /** The entry saved under exactly this key (null: the scope's default entry). */
  async find(scope: string, key: string | null): Promise<CacheEntry | undefined> {
    try {
      const parsed: unknown = JSON.parse(await readFile(join(this.dir, `${entryId(scope, key)}.json`), 'utf8'));
      return isCacheEntry(parsed) && parsed.scope === scope && parsed.key === key ? parsed : undefined;
    } catch {
      return undefined;
    }
  }

  /** The newest entry of the scope whose key starts with `prefix` (CodeBuild's fallback-keys rule). */
  async findByPrefix(scope: string, prefix: string): Promise<CacheEntry | undefined> {
    return (await this.list(scope)).find((e) => e.key !== null && e.key.startsWith(prefix));
  }

  /**
   * Saves an entry: `write` produces the archive at a temp path and says what it holds. The archive is renamed into
   * place, then the record; a failure anywhere removes what was written and leaves any previous entry intact.
   */
  async save(scope: string, key: string | null, paths: readonly string[], write: (tempPath: string) => Promise<ArchiveStats>): Promise<CacheEntry> {
    // Cached files may hold credentials a build wrote (an .npmrc): owner only, as the rest of PIPE_HOME.
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const id = entryId(scope, key);
    const nonce = `${process.pid}.${randomBytes(4).toString('hex')}`;
    const archive = `${id}.${nonce}.tar.gz`;
    const tempArchive = join(this.dir, `.${archive}.tmp`);
    const tempRecord = join(this.dir, `.${id}.${nonce}.json.tmp`);
    const previous = await this.find(scope, key);
    try {
      const stats = await write(tempArchive);
      await chmod(tempArchive, 0o600);
      const { size } = await stat(tempArchive);
      await rename(tempArchive, join(this.dir, archive));
      const entry: CacheEntry = { scope, key, savedAt: new Date().toISOString(), size, files: stats.files, bytes: stats.bytes, paths: [...paths], archive };
      await writeFile(tempRecord, `${JSON.stringify(entry, null, 2)}\n`, { mode: 0o600 });
      await rename(tempRecord, join(this.dir, `${id}.json`));
      if (previous && previous.archive !== archive) await rm(this.archivePath(previous), { force: true });
      return entry;
    } catch (e) {
      await rm(tempArchive, { force: true });
      await rm(tempRecord, { force: true });
      // The archive may already be in place without its record: nothing points at it, remove it.
      const current = await this.find(scope, key);
      if (current?.archive !== archive) await rm(join(this.dir, archive), { force: true });
      throw e;
    }
  }

  /** Removes the scope's oldest entries beyond `keep`; returns them. */
  async prune(scope: string, keep = MAX_ENTRIES_PER_SCOPE): Promise<CacheEntry[]> {
    const old = (await this.list(scope)).slice(keep);
    for (const e of old) await this.remove(e);
    return old;
  }

  private async remove(entry: CacheEntry): Promise<void> {
    await rm(join(this.dir, `${entryId(entry.scope, entry.key)}.json`), { force: true });
    await rm(this.archivePath(entry), { force: true });
  }

  /** Removes every entry (of one scope, or all, with any leftover temp files); returns the removed entries. */
  async clear(scope?: string): Promise<CacheEntry[]> {
    const entries = await this.list(scope);
    for (const e of entries) await this.remove(e);
    if (scope === undefined) {
      const names = await readdir(this.dir).catch(() => [] as string[]);
      for (const n of names.filter((x) => x.endsWith('.tar.gz') || x.endsWith('.tmp'))) await rm(join(this.dir, n), { force: true });
    }
    return entries;
  }
}

/** The cache of a pipe home: <PIPE_HOME>/cache. */
export function openCacheStore(home: string): CacheStore {
  return new CacheStore(join(home, 'cache'));
}
