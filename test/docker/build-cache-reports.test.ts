// The build cache and reports through the real runner in real containers: miss then save, restore before install,
// keys with codebuild-hash-files, fallback-keys, `action: restore`, failed builds; JUnit reports, also on failure.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect, it } from 'vitest';
import { zipDirectory } from '../../src/artifacts/index.js';
import { CacheStore } from '../../src/codebuild/index.js';
import type { TestReport } from '../../src/codebuild/index.js';
import { runBuildspec } from '../support/build-harness.js';
import { describeDocker } from '../support/docker.js';

function newStore(): CacheStore {
  return new CacheStore(join(mkdtempSync(join(tmpdir(), 'pipe-home-')), 'cache'));
}

async function sourceZip(files: Record<string, string>): Promise<{ name: string; path: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-src-'));
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), content);
  }
  const zip = join(mkdtempSync(join(tmpdir(), 'pipe-srczip-')), 'source.zip');
  await zipDirectory(dir, zip);
  return { name: 'Src', path: zip };
}

/** The agent's lines about the cache, without their timestamps. */
function cacheLines(lines: string[]): string[] {
  return lines.map((l) => l.replace(/^\[Container\] \S+ \S+ /, '')).filter((l) => /^(Cache|Restored|Saved|Removed)/.test(l));
}

/** codebuild-hash-files over one file: the digest of the file's digest. */
function hashOne(content: string): string {
  const file = createHash('sha256').update(content).digest('hex');
  return createHash('sha256').update(`${file}\n`).digest('hex');
}

const CACHING = `version: 0.2
cache:
  paths:
    - 'deps/**/*'
    - '/root/.m2/**/*'
phases:
  install:
    commands:
      - cat deps/sub/lib.txt 2>/dev/null || echo "no deps"
      - cat /root/.m2/settings.txt 2>/dev/null || echo "no m2"
      - if [ -L deps/link.txt ]; then echo "link -> $(readlink deps/link.txt)"; fi
  build:
    commands:
      - mkdir -p deps/sub /root/.m2
      - echo "deps of run $RUN" > deps/sub/lib.txt
      - ln -sf sub/lib.txt deps/link.txt
      - echo "m2 of run $RUN" > /root/.m2/settings.txt
`;

describeDocker('build cache', () => {
  it('misses and saves on the first build; the next build of the scope restores before install', async () => {
    const cache = newStore();
    const first = await runBuildspec(CACHING, { cache, cacheScope: 'app/Build.Build', environment: { RUN: '1' } });
    expect(first.result.status).toBe('SUCCEEDED');
    expect(first.output.slice(0, 2)).toEqual(['no deps', 'no m2']);
    expect(cacheLines(first.lines)).toEqual([
      'Cache miss: no entry for scope app/Build.Build (no key)',
      expect.stringMatching(/^Saved 3 file\(s\), 26 bytes to the cache \(\d+ bytes compressed\) under scope app\/Build\.Build \(no key\)$/),
    ]);
    const [entry] = await cache.list();
    expect(entry).toMatchObject({ scope: 'app/Build.Build', key: null, files: 3, bytes: 26, paths: ['deps/**/*', '/root/.m2/**/*'] });

    const second = await runBuildspec(CACHING, { cache, cacheScope: 'app/Build.Build', environment: { RUN: '2' } });
    expect(second.output.slice(0, 3)).toEqual(['deps of run 1', 'm2 of run 1', 'link -> sub/lib.txt']);
    expect(cacheLines(second.lines).slice(0, 2)).toEqual([
      'Cache hit: scope app/Build.Build (no key)',
      expect.stringMatching(/^Restored 3 file\(s\), 26 bytes from the cache \(saved \S+\)$/),
    ]);
    // Another action's scope shares nothing.
    const other = await runBuildspec(CACHING, { cache, cacheScope: 'app/Test.Test', environment: { RUN: '3' } });
    expect(other.output.slice(0, 2)).toEqual(['no deps', 'no m2']);
  });

  it('keys with $(codebuild-hash-files) hit exactly, and fallback-keys match by prefix', async () => {
    const cache = newStore();
    const spec = `version: 0.2
cache:
  key: npm-$(codebuild-hash-files package-lock.json)
  fallback-keys:
    - yarn-
    - npm-
  paths:
    - 'node_modules/**/*'
phases:
  install:
    commands:
      - cat node_modules/.marker 2>/dev/null || echo "cold"
  build:
    commands:
      - mkdir -p node_modules && echo "installed for $(cat package-lock.json)" > node_modules/.marker
`;
    const v1 = await sourceZip({ 'package-lock.json': 'lock v1' });
    const key1 = `npm-${hashOne('lock v1')}`;
    const first = await runBuildspec(spec, { cache, cacheScope: 'app/Build.Build', source: v1 });
    expect(first.output[0]).toBe('cold');
    expect(cacheLines(first.lines)[0]).toBe(`Cache miss: no entry for key ${key1} or fallback keys yarn-, npm-`);
    expect((await cache.list()).map((e) => e.key)).toEqual([key1]);

    const again = await runBuildspec(spec, { cache, cacheScope: 'app/Build.Build', source: v1 });
    expect(again.output[0]).toBe('installed for lock v1');
    expect(cacheLines(again.lines)[0]).toBe(`Cache hit: key ${key1}`);

    const v2 = await sourceZip({ 'package-lock.json': 'lock v2' });
    const key2 = `npm-${hashOne('lock v2')}`;
    const changed = await runBuildspec(spec, { cache, cacheScope: 'app/Build.Build', source: v2 });
    expect(changed.output[0]).toBe('installed for lock v1');
    expect(cacheLines(changed.lines)[0]).toBe(`Cache hit on fallback key npm-: entry ${key1} (no entry for key ${key2})`);
    expect((await cache.list()).map((e) => e.key).sort()).toEqual([key1, key2].sort());
  });

  it('action: restore restores but never saves; a failed build does not save', async () => {
    const cache = newStore();
    const restoreOnly = `version: 0.2
cache:
  action: restore
  paths: ['out/**/*']
phases:
  build:
    commands:
      - mkdir -p out && echo data > out/file
`;
    const r1 = await runBuildspec(restoreOnly, { cache, cacheScope: 'app/Build.Build' });
    expect(r1.result.status).toBe('SUCCEEDED');
    expect(cacheLines(r1.lines)).toEqual(['Cache miss: no entry for scope app/Build.Build (no key)', 'Cache not saved: cache action is restore']);
    expect(await cache.list()).toEqual([]);

    // Once a normal build has saved, a restore-only build gets the files and leaves the entry as it was.
    await runBuildspec(restoreOnly.replace('  action: restore\n', ''), { cache, cacheScope: 'app/Build.Build' });
    const [saved] = await cache.list();
    const r3 = await runBuildspec(restoreOnly.replace('phases:\n', 'phases:\n  install:\n    commands:\n      - cat out/file\n'), { cache, cacheScope: 'app/Build.Build' });
    expect(r3.output[0]).toBe('data');
    expect(cacheLines(r3.lines)).toEqual([
      'Cache hit: scope app/Build.Build (no key)',
      expect.stringMatching(/^Restored 1 file\(s\), 5 bytes from the cache/),
      'Cache not saved: cache action is restore',
    ]);
    expect(await cache.list()).toEqual([saved]);
    await cache.clear();

    const failing = `version: 0.2
cache:
  paths: ['out/**/*']
phases:
  build:
    commands:
      - mkdir -p out && echo data > out/file
      - exit 3
`;
    const r2 = await runBuildspec(failing, { cache, cacheScope: 'app/Build.Build' });
    expect(r2.result.status).toBe('FAILED');
    expect(cacheLines(r2.lines)).toEqual(['Cache miss: no entry for scope app/Build.Build (no key)', 'Cache not saved: the build failed']);
    expect(await cache.list()).toEqual([]);
  });

  it('with run-as, the build user can update and add to what the cache restored (restored as root)', async () => {
    const cache = newStore();
    const yaml = `version: 0.2
run-as: codebuild-user
cache:
  paths:
    - 'deps/**/*'
phases:
  build:
    commands:
      - mkdir -p deps/sub && echo "run $RUN" >> deps/sub/lib.txt && touch deps/sub/new-$RUN
      - cat deps/sub/lib.txt
`;
    const first = await runBuildspec(yaml, { cache, cacheScope: 'app/RunAs.Build', environment: { RUN: '1' } });
    expect(first.result.status).toBe('SUCCEEDED');
    const second = await runBuildspec(yaml, { cache, cacheScope: 'app/RunAs.Build', environment: { RUN: '2' } });
    expect(cacheLines(second.lines)[0]).toBe('Cache hit: scope app/RunAs.Build (no key)');
    expect(second.output).toEqual(['run 1', 'run 2']);
    expect(second.result.status).toBe('SUCCEEDED');
  });

  it('says which cache paths matched nothing, and saves nothing when none did', async () => {
    const cache = newStore();
    const r = await runBuildspec(`version: 0.2
cache:
  paths: [node_modules, '/nowhere/**/*']
phases:
  build:
    commands:
      - mkdir -p node_modules && echo x > node_modules/a
`, { cache, cacheScope: 'app/Build.Build' });
    expect(r.result.status).toBe('SUCCEEDED');
    expect(cacheLines(r.lines).slice(1)).toEqual([
      'Cache: skipping invalid file path node_modules (to cache a directory, write node_modules/**/*)',
      'Cache: skipping invalid file path /nowhere/**/*',
      'Cache not saved: no file matched the cache paths',
    ]);
    expect(await cache.list()).toEqual([]);
  });
});

describeDocker('build reports', () => {
  const JUNIT = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="jest tests" tests="3" failures="1" errors="0" time="0.412">
  <testsuite name="cart" errors="0" failures="1" skipped="1" time="0.412" tests="3">
    <testcase classname="cart adds" name="cart adds" time="0.003"/>
    <testcase classname="cart totals" name="cart totals" time="0.004"><failure>Error: expected 100, got 90
    at Object.toBe (/src/cart.test.js:9:5)</failure></testcase>
    <testcase classname="cart later" name="cart later" time="0"><skipped/></testcase>
  </testsuite>
</testsuites>`;

  it('parses a JUnit report written by the build, also when the build failed', async () => {
    const source = await sourceZip({ 'fixtures/junit.xml': JUNIT });
    const r = await runBuildspec(`version: 0.2
reports:
  unit:
    files: ['**/*.xml']
    base-directory: test-results
  coverage:
    files: [missing.xml]
    file-format: JacocoXml
phases:
  build:
    commands:
      - mkdir -p test-results/jest && cp fixtures/junit.xml test-results/jest/junit.xml
      - echo '<testsuite name="broken"><testcase' > test-results/broken.xml
      - exit 1
`, { source });
    expect(r.result.status).toBe('FAILED');
    const [unit, coverage] = r.result.reports;
    expect(unit).toMatchObject({ group: 'unit', type: 'TEST', status: 'FAILED', total: 3, passed: 1, failed: 1, errors: 0, skipped: 1, durationMs: 412, files: ['jest/junit.xml'] });
    expect((unit as TestReport).failedCases).toEqual([
      { name: 'cart totals', className: 'cart totals', status: 'FAILED', message: 'Error: expected 100, got 90', details: 'Error: expected 100, got 90\n    at Object.toBe (/src/cart.test.js:9:5)', durationMs: 4, file: 'jest/junit.xml' },
    ]);
    expect(unit?.warnings).toEqual(['broken.xml is not a readable JUNITXML file: unterminated start tag <testcase> at line 1, column 26']);
    expect(coverage).toMatchObject({ group: 'coverage', type: 'CODE_COVERAGE', status: 'INCOMPLETE', files: [], warnings: ['Skipping invalid file path missing.xml', 'no report files found for report group coverage'] });
    expect(r.lines.some((l) => l.endsWith('Report unit (JUNITXML): FAILED, 3 test(s): 1 passed, 1 failed, 0 error(s), 1 skipped, 1 file(s)'))).toBe(true);
  });

  it('collects reports after post_build even when install failed (nothing to find) without failing differently', async () => {
    const r = await runBuildspec(`version: 0.2
reports:
  unit:
    files: ['reports/*.xml']
phases:
  install:
    commands:
      - exit 2
`);
    expect(r.result.status).toBe('FAILED');
    expect(r.result.message).toContain('exit status 2');
    expect(r.result.reports).toMatchObject([{ group: 'unit', status: 'INCOMPLETE', total: 0 }]);
  });
});
