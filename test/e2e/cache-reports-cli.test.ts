// End to end: the real `pipe` binary runs a pipeline twice; the second build restores what the first cached,
// `pipe execution` shows the JUnit report (also of the failed build), `pipe cache ls/clear` manage the cache.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { makePipeEnv, pipe } from '../support/cli.js';
import { describeDocker } from '../support/docker.js';
import { git, makeRepo, twoStagePipeline } from '../support/git-fixture.js';

const JUNIT = `<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="com.example.CartTest" time="0.120" tests="2" errors="0" skipped="0" failures="1">
  <testcase name="adds" classname="com.example.CartTest" time="0.020"/>
  <testcase name="totals" classname="com.example.CartTest" time="0.100">
    <failure message="expected: &lt;100&gt; but was: &lt;90&gt;" type="org.opentest4j.AssertionFailedError">org.opentest4j.AssertionFailedError: expected: &lt;100&gt; but was: &lt;90&gt;
	at com.example.CartTest.totals(CartTest.java:21)</failure>
  </testcase>
</testsuite>
`;

const BUILDSPEC = `version: 0.2
cache:
  paths:
    - 'deps/**/*'
reports:
  unit-tests:
    files: ['TEST-*.xml']
    base-directory: target/surefire-reports
phases:
  install:
    commands:
      - cat deps/marker 2>/dev/null || echo cold
  build:
    commands:
      - mkdir -p deps target/surefire-reports && echo warm > deps/marker
      - cp fixtures/TEST-CartTest.xml target/surefire-reports/
      - if [ -f fail-me ]; then exit 1; fi
`;

function executionId(stdout: string): string {
  const m = /Details: pipe execution ([0-9a-f-]{36})/.exec(stdout);
  if (!m) throw new Error(`no execution id in: ${stdout}`);
  return m[1] as string;
}

describeDocker('pipe cache and reports, end to end', () => {
  it('caches between runs of an action, shows reports of passing and failing builds, lists and clears the cache', async () => {
    const repo = makeRepo({ 'buildspec.yml': BUILDSPEC, 'fixtures/TEST-CartTest.xml': JUNIT });
    writeFileSync(join(repo, 'pipeline.yml'), twoStagePipeline({ repository: '.' }));
    const env = makePipeEnv();

    // A failing test does not fail the build.
    const first = await pipe(['run', join(repo, 'pipeline.yml')], env);
    expect(first.exitCode).toBe(0);
    const firstId = executionId(first.stdout);
    const firstLog = (await pipe(['logs', firstId, 'Build.Build'], env)).stdout;
    expect(firstLog).toContain('Cache miss: no entry for scope fixture/Build.Build (no key)');
    expect(firstLog).toMatch(/Saved 1 file\(s\), 5 bytes to the cache/);

    const ls = await pipe(['cache', 'ls'], env);
    expect(ls.exitCode).toBe(0);
    const rows = ls.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^SCOPE\s+KEY\s+SIZE\s+FILES\s+SAVED$/);
    expect(rows[1]).toMatch(/^fixture\/Build\.Build\s+\(default\)\s+\d+ B\s+1\s+\d{4}-\d\d-\d\dT/);
    const lsJson = JSON.parse((await pipe(['cache', 'ls', '--json'], env)).stdout) as Array<{ scope: string; key: string | null; files: number; bytes: number }>;
    expect(lsJson).toMatchObject([{ scope: 'fixture/Build.Build', key: null, files: 1, bytes: 5 }]);

    // The second run restores before install, and its build fails: the report is still there.
    writeFileSync(join(repo, 'fail-me'), '');
    git(repo, 'add', 'fail-me');
    git(repo, 'commit', '-q', '-m', 'fail');
    const second = await pipe(['run', join(repo, 'pipeline.yml')], env);
    expect(second.exitCode).toBe(1);
    const secondId = executionId(second.stdout);
    const secondLog = (await pipe(['logs', secondId, 'Build.Build'], env)).stdout;
    expect(secondLog).toContain('Cache hit: scope fixture/Build.Build (no key)');
    expect(secondLog).toMatch(/Restored 1 file\(s\), 5 bytes from the cache/);
    expect(secondLog).toMatch(/Running command cat deps\/marker 2>\/dev\/null \|\| echo cold\nwarm\n/);
    expect(secondLog).toContain('Cache not saved: the build failed');

    const shown = await pipe(['execution', secondId], env);
    expect(shown.stdout).toContain('    report unit-tests (JUNITXML): FAILED  2 tests: 1 passed, 1 failed, 0 skipped  120ms\n');
    expect(shown.stdout).toContain('      FAILED com.example.CartTest.totals: expected: <100> but was: <90>\n');
    const detail = JSON.parse((await pipe(['execution', secondId, '--json'], env)).stdout) as {
      actions: Array<{ action: string; status: string; extra: { reports?: unknown[] } }>;
    };
    const build = detail.actions.find((a) => a.action === 'Build');
    expect(build?.status).toBe('Failed');
    expect(build?.extra.reports).toEqual([
      {
        group: 'unit-tests',
        type: 'TEST',
        fileFormat: 'JUNITXML',
        status: 'FAILED',
        files: ['TEST-CartTest.xml'],
        warnings: [],
        total: 2,
        passed: 1,
        failed: 1,
        errors: 0,
        skipped: 0,
        durationMs: 120,
        failedCases: [
          {
            name: 'totals',
            className: 'com.example.CartTest',
            status: 'FAILED',
            message: 'expected: <100> but was: <90>',
            details: 'org.opentest4j.AssertionFailedError: expected: <100> but was: <90>\n\tat com.example.CartTest.totals(CartTest.java:21)',
            durationMs: 100,
            file: 'TEST-CartTest.xml',
          },
        ],
        omittedFailedCases: 0,
        passedCases: [{ name: 'adds', className: 'com.example.CartTest', status: 'SUCCEEDED', durationMs: 20, file: 'TEST-CartTest.xml' }],
        omittedPassedCases: 0,
      },
    ]);

    const clearOther = await pipe(['cache', 'clear', '--scope', 'other/Build.Build'], env);
    expect(clearOther.stdout).toBe('removed 0 cache entries (0 B) of other/Build.Build');
    const clear = await pipe(['cache', 'clear', '--scope', 'fixture/Build.Build'], env);
    expect(clear.exitCode).toBe(0);
    expect(clear.stdout).toMatch(/^removed 1 cache entry \(\d+ B\) of fixture\/Build\.Build$/);
    expect((await pipe(['cache', 'ls'], env)).stdout).toBe('no cache entries');
  });

  it("puts every batch build's reports into the batch action's extra, named by build identifier", async () => {
    const repo = makeRepo({
      'buildspec.yml': `version: 0.2
reports:
  unit-tests:
    files: ['TEST-*.xml']
    base-directory: target/surefire-reports
phases:
  build:
    commands:
      - mkdir -p target/surefire-reports && cp fixtures/TEST-CartTest.xml target/surefire-reports/
batch:
  build-list:
    - identifier: linux
    - identifier: arm
`,
      'fixtures/TEST-CartTest.xml': JUNIT,
    });
    writeFileSync(
      join(repo, 'pipeline.yml'),
      twoStagePipeline({ repository: '.' }).replace('          image: pipe/standard:1\n', '          image: pipe/standard:1\n          batchEnabled: "true"\n          combineArtifacts: "true"\n'),
    );
    const env = makePipeEnv();
    const run = await pipe(['run', join(repo, 'pipeline.yml')], env);
    expect(run.exitCode).toBe(0);
    const id = executionId(run.stdout);
    const shown = await pipe(['execution', id], env);
    expect(shown.stdout).toContain('    report [linux] unit-tests (JUNITXML): FAILED  2 tests: 1 passed, 1 failed, 0 skipped  120ms\n');
    expect(shown.stdout).toContain('    report [arm] unit-tests (JUNITXML): FAILED  2 tests: 1 passed, 1 failed, 0 skipped  120ms\n');
    const detail = JSON.parse((await pipe(['execution', id, '--json'], env)).stdout) as {
      actions: Array<{ action: string; extra: { reports?: Array<{ group: string; batchIdentifier: string; failed: number }> } }>;
    };
    const reports = detail.actions.find((a) => a.action === 'Build')?.extra.reports ?? [];
    expect(reports.map((r) => [r.group, r.batchIdentifier, r.failed])).toEqual([['[linux] unit-tests', 'linux', 1], ['[arm] unit-tests', 'arm', 1]]);
  });
});
