// A build's use of the cache: before install, evaluate the key and put a matching entry's files back at their
// paths in the container (through the Docker API); after a successful build, save the `cache.paths` files.
// Neither can fail the build: a problem is a warning, as CodeBuild treats cache errors.
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { pack } from 'tar-stream';
import { describeError } from '../../core/index.js';
import type { CacheSpec } from '../../core/index.js';
import type { BuildContainer } from '../container-port.js';
import { selectContainerFiles } from '../container-files.js';
import type { SelectedFile } from '../container-files.js';
import { evaluateCacheKey, hashContainerFiles } from './cache-key.js';
import type { ArchiveStats, CacheEntry, CacheStore } from './cache-store.js';

export interface BuildCacheContext {
  container: BuildContainer;
  store: CacheStore;
  scope: string;
  spec: CacheSpec;
  srcDir: string;
  /** The build's environment, for `$NAME` in keys (read only when a key needs it). */
  env(): Promise<Record<string, string>>;
  log(message: string): void;
  warn(message: string): void;
}

export function describeCacheKey(scope: string, key: string | null): string {
  return key === null ? `scope ${scope} (no key)` : `key ${key}`;
}

/** Restores the best entry (exact key, else the first fallback prefix that matches); returns the evaluated key. */
export async function restoreCache(ctx: BuildCacheContext): Promise<{ key: string | null; restored?: CacheEntry }> {
  const keyDeps = {
    hashFiles: (patterns: string[]) => hashContainerFiles(ctx.container, patterns, ctx.srcDir, ctx.warn),
    env: ctx.env,
    warn: ctx.warn,
  };
  const key = ctx.spec.key !== undefined ? await evaluateCacheKey(ctx.spec.key, keyDeps) : null;
  if (ctx.spec.action === 'save') {
    ctx.log(`Cache not restored: cache action is save (${describeCacheKey(ctx.scope, key)})`);
    return { key };
  }
  let entry = await ctx.store.find(ctx.scope, key);
  let how = entry ? `Cache hit: ${describeCacheKey(ctx.scope, key)}` : '';
  const tried: string[] = [];
  if (!entry && key !== null) {
    for (const template of ctx.spec.fallbackKeys) {
      const prefix = await evaluateCacheKey(template, keyDeps);
      tried.push(prefix);
      entry = await ctx.store.findByPrefix(ctx.scope, prefix);
      if (entry) {
        how = `Cache hit on fallback key ${prefix}: entry ${entry.key ?? ''} (no entry for key ${key})`;
        break;
      }
    }
  }
  if (!entry) {
    const fallbacks = tried.length > 0 ? ` or fallback keys ${tried.join(', ')}` : '';
    ctx.log(`Cache miss: no entry for ${describeCacheKey(ctx.scope, key)}${fallbacks}`);
    return { key };
  }
  ctx.log(how);
  try {
    const archive = ctx.store.archivePath(entry);
    await stat(archive);
    const gunzip = createGunzip();
    const source = createReadStream(archive).on('error', (e) => gunzip.destroy(e));
    await ctx.container.putFiles('/', source.pipe(gunzip));
  } catch (e) {
    // The key stands: a successful build still saves under it.
    ctx.warn(`the cache entry for ${describeCacheKey(ctx.scope, entry.key)} could not be restored: ${describeError(e)}`);
    return { key };
  }
  ctx.log(`Restored ${entry.files} file(s), ${entry.bytes} bytes from the cache (saved ${entry.savedAt})`);
  return { key, restored: entry };
}

/** Writes the selected files as a tar.gz whose entry names are their container paths without the leading `/`. */
export async function writeCacheArchive(target: string, files: readonly SelectedFile[]): Promise<ArchiveStats> {
  const tar = pack();
  const written = pipeline(tar, createGzip(), createWriteStream(target));
  const stats: ArchiveStats = { files: 0, bytes: 0 };
  try {
    for (const f of files) {
      const name = posix.join(f.root, f.name).replace(/^\/+/, '');
      const { entry } = f;
      if (entry.kind === 'symlink') {
        tar.entry({ name, type: 'symlink', linkname: entry.target, mtime: entry.mtime });
        stats.files++;
        continue;
      }
      if (typeof entry.source === 'function') continue;
      const size = Buffer.isBuffer(entry.source) ? entry.source.length : (await stat(entry.source)).size;
      const sink = tar.entry({ name, type: 'file', size, mode: entry.mode & 0o7777, mtime: entry.mtime });
      await pipeline(Buffer.isBuffer(entry.source) ? Readable.from([entry.source]) : createReadStream(entry.source), sink);
      stats.files++;
      stats.bytes += size;
    }
    tar.finalize();
  } catch (e) {
    tar.destroy(e as Error);
  }
  await written;
  return stats;
}

/** Saves the `cache.paths` files under the key evaluated before install (or the scope's default entry). */
export async function saveCache(ctx: BuildCacheContext, key: string | null): Promise<CacheEntry | undefined> {
  if (ctx.spec.action === 'restore') {
    ctx.log('Cache not saved: cache action is restore');
    return undefined;
  }
  const selection = await selectContainerFiles(ctx.container, ctx.spec.paths, { srcDir: ctx.srcDir, enableSymlinks: true });
  try {
    for (const p of selection.unmatched) {
      const hint = /[*?[{]/.test(p) ? '' : ` (to cache a directory, write ${p.replace(/\/+$/, '')}/**/*)`;
      ctx.log(`Cache: skipping invalid file path ${p}${hint}`);
    }
    for (const w of selection.warnings) ctx.warn(`cache: ${w}`);
    if (selection.files.length === 0) {
      ctx.log('Cache not saved: no file matched the cache paths');
      return undefined;
    }
    const entry = await ctx.store.save(ctx.scope, key, ctx.spec.paths, (temp) => writeCacheArchive(temp, selection.files));
    ctx.log(`Saved ${entry.files} file(s), ${entry.bytes} bytes to the cache (${entry.size} bytes compressed) under ${describeCacheKey(ctx.scope, key)}`);
    const pruned = await ctx.store.prune(ctx.scope);
    if (pruned.length > 0) ctx.log(`Removed ${pruned.length} older cache entr${pruned.length === 1 ? 'y' : 'ies'} of ${ctx.scope}`);
    return entry;
  } finally {
    await selection.dispose();
  }
}
