// The host cache store and key evaluation, without Docker: exact and prefix lookups, atomic saves, pruning, clearing.
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CacheStore, evaluateCacheKey, hashFilesPatterns } from '../../src/codebuild/cache/index.js';
import { cacheRestoreRoot } from '../../src/codebuild/cache-report-steps.js';

function store(): CacheStore {
  return new CacheStore(join(mkdtempSync(join(tmpdir(), 'pipe-cache-test-')), 'cache'));
}

const write = (content: string) => async (temp: string) => {
  writeFileSync(temp, content);
  return { files: 1, bytes: content.length };
};

describe('CacheStore', () => {
  it('finds an entry by exact key, the default entry by null, and the newest entry by key prefix', async () => {
    const s = store();
    // Entries are ordered by save time (milliseconds): space the saves so the order is defined.
    const tick = () => new Promise((r) => setTimeout(r, 5));
    await s.save('p/Build.Build', null, ['node_modules/**/*'], write('default'));
    await tick();
    await s.save('p/Build.Build', 'npm-aaa', ['node_modules/**/*'], write('a'));
    await tick();
    await s.save('p/Build.Build', 'npm-bbb', ['node_modules/**/*'], write('b'));
    await tick();
    await s.save('p/Test.Test', 'npm-ccc', ['node_modules/**/*'], write('c'));
    expect((await s.find('p/Build.Build', 'npm-aaa'))?.key).toBe('npm-aaa');
    expect((await s.find('p/Build.Build', null))?.key).toBeNull();
    expect(await s.find('p/Build.Build', 'npm-ccc')).toBeUndefined();
    expect((await s.findByPrefix('p/Build.Build', 'npm-'))?.key).toBe('npm-bbb');
    expect(await s.findByPrefix('p/Build.Build', 'pip-')).toBeUndefined();
    expect((await s.list()).map((e) => `${e.scope} ${e.key ?? '-'}`)).toEqual(['p/Test.Test npm-ccc', 'p/Build.Build npm-bbb', 'p/Build.Build npm-aaa', 'p/Build.Build -']);
  });

  it('a record whose archive names a file outside the cache folder is not an entry: never read, never removed', async () => {
    const s = store();
    const saved = await s.save('p/Build.Build', 'k', ['a/**/*'], write('a'));
    const victim = join(s.dir, '..', 'victim.txt');
    writeFileSync(victim, 'keep me');
    const record = join(s.dir, `${saved.archive.split('.')[0] as string}.json`);
    writeFileSync(record, JSON.stringify({ ...saved, archive: '../victim.txt' }));
    expect(await s.find('p/Build.Build', 'k')).toBeUndefined();
    expect(await s.list()).toEqual([]);
    await s.clear();
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
    expect(() => s.archivePath({ ...saved, archive: '../victim.txt' })).toThrow('Invalid cache archive name for a path: "../victim.txt"');
  });

  it('replaces an entry saved under the same key and removes the old archive', async () => {
    const s = store();
    await s.save('p/B.B', 'k', [], write('one'));
    const second = await s.save('p/B.B', 'k', [], write('two!'));
    expect(await s.list()).toEqual([second]);
    expect(second.size).toBe(4);
    expect(readdirSync(s.dir).sort()).toEqual([second.archive, `${second.archive.split('.')[0] as string}.json`].sort());
  });

  it('keeps its directory 0700 and its archives and records 0600: cached files may hold credentials', async () => {
    const s = store();
    await s.save('p/B.B', 'k', [], write('token=abc'));
    const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);
    expect([s.dir, ...readdirSync(s.dir).map((f) => join(s.dir, f))].map(mode)).toEqual(['700', '600', '600']);
  });

  it('leaves no entry and no file behind when writing the archive fails, and keeps the previous entry', async () => {
    const s = store();
    const first = await s.save('p/B.B', 'k', [], write('one'));
    await expect(
      s.save('p/B.B', 'k', [], async (temp) => {
        writeFileSync(temp, 'half');
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(await s.list()).toEqual([first]);
    expect(readdirSync(s.dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(readdirSync(s.dir)).toHaveLength(2);
  });

  it('keeps the newest entries of a scope when pruning, and clears one scope or all', async () => {
    const s = store();
    for (let i = 0; i < 4; i++) {
      await s.save('p/B.B', `k${i}`, [], write(String(i)));
      await new Promise((r) => setTimeout(r, 5));
    }
    await s.save('q/B.B', 'k', [], write('q'));
    expect((await s.prune('p/B.B', 2)).map((e) => e.key)).toEqual(['k1', 'k0']);
    expect((await s.list('p/B.B')).map((e) => e.key)).toEqual(['k3', 'k2']);
    expect((await s.clear('q/B.B')).map((e) => e.scope)).toEqual(['q/B.B']);
    expect((await s.list()).length).toBe(2);
    await s.clear();
    expect(readdirSync(s.dir)).toEqual([]);
  });

  it('lists nothing when the cache directory does not exist yet', async () => {
    expect(await store().list()).toEqual([]);
  });
});

describe('cache keys', () => {
  const deps = (hashes: Record<string, string>, env: Record<string, string> = {}) => {
    const warnings: string[] = [];
    return {
      warnings,
      hashFiles: async (patterns: string[]) => hashes[patterns.join(' ')] ?? 'none',
      env: async () => env,
      warn: (m: string) => void warnings.push(m),
    };
  };

  it('evaluates $(codebuild-hash-files ...) and $VARIABLES', async () => {
    const d = deps({ 'package-lock.json': 'abc', 'a/*.lock "b c"': 'x' }, { ARCH: 'arm64' });
    expect(await evaluateCacheKey('npm-$ARCH-$(codebuild-hash-files package-lock.json)', d)).toBe('npm-arm64-abc');
    expect(await evaluateCacheKey('npm-${ARCH}-$( codebuild-hash-files  package-lock.json )-end', d)).toBe('npm-arm64-abc-end');
    expect(await evaluateCacheKey('plain-key', d)).toBe('plain-key');
    expect(d.warnings).toEqual([]);
  });

  it('says when another $(...) is left as it is', async () => {
    const d = deps({});
    expect(await evaluateCacheKey('k-$(date +%F)', d)).toBe('k-$(date +%F)');
    expect(d.warnings).toEqual(['cache key k-$(date +%F): only $(codebuild-hash-files ...) is evaluated; other $(...) are used literally']);
  });

  it('splits the globs of codebuild-hash-files, quotes removed', () => {
    expect(hashFilesPatterns(" package-lock.json  'yarn.lock' \"**/go.sum\" ")).toEqual(['package-lock.json', 'yarn.lock', '**/go.sum']);
  });
});

describe('cacheRestoreRoot', () => {
  it('names the directory a run-as user must be able to write after a restore, never / itself', () => {
    const src = '/codebuild/output/src1/src';
    expect(cacheRestoreRoot('deps/**/*', src)).toBe(`${src}/deps`);
    expect(cacheRestoreRoot('./node_modules/.cache/**/*', src)).toBe(`${src}/node_modules`);
    expect(cacheRestoreRoot('**/*', src)).toBe(src);
    expect(cacheRestoreRoot('vendor/bundle.tgz', src)).toBe(`${src}/vendor`);
    expect(cacheRestoreRoot('lock.json', src)).toBe(src);
    expect(cacheRestoreRoot('/root/.m2/**/*', src)).toBe('/root/.m2');
    expect(cacheRestoreRoot('/root/.cache/pip/wheel.whl', src)).toBe('/root/.cache/pip');
    expect(cacheRestoreRoot('/**/*', src)).toBeUndefined();
    expect(cacheRestoreRoot('/tmp.txt', src)).toBeUndefined();
  });
});
