// Batch builds in real containers through `pipe build`'s orchestration: build-list, build-matrix and build-graph,
// per-task buildspecs, images and variables, fast-fail, ignore-failure, and the combined artifact.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openPipeContext, runSingleBuild } from '../../src/app/index.js';
import type { PipeContext } from '../../src/app/index.js';
import type { SingleBuildResult } from '../../src/app/index.js';
import { describeDocker, TEST_IMAGE } from '../support/docker.js';
import { readZip } from '../support/zip-read.js';

const contexts: PipeContext[] = [];
afterAll(() => {
  for (const c of contexts) c.db.close();
});

async function batch(files: Record<string, string>, concurrency = 2): Promise<{ r: SingleBuildResult; lines: string[]; out: string; seconds: number }> {
  const root = mkdtempSync(join(tmpdir(), 'pipe-batch-'));
  const dir = join(root, 'src');
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), content);
  }
  const ctx = openPipeContext({ home: join(root, 'home'), artifactRoot: join(root, 'artifacts') });
  contexts.push(ctx);
  const lines: string[] = [];
  const out = join(root, 'out');
  const t0 = Date.now();
  const r = await runSingleBuild(ctx, { dir, image: TEST_IMAGE, artifactsDir: out, batchConcurrency: concurrency, onLine: (_s, l) => lines.push(l) });
  return { r, lines, out, seconds: (Date.now() - t0) / 1000 };
}

const statuses = (r: SingleBuildResult) => Object.fromEntries((r.batch?.builds ?? []).map((b) => [b.identifier, b.status]));

/** The batch agent's own lines, without their timestamps. */
const batchLines = (lines: string[]) => lines.filter((l) => /\] [0-9/]+ [0-9:.]+ Batch build /.test(l)).map((l) => l.replace(/^\[Container\] \S+ \S+ /, ''));

describeDocker('batch builds', () => {
  it('build-list: tasks in parallel, each with its identifier and variables; ignore-failure keeps the batch green; artifacts combined by identifier', async () => {
    const { r, out } = await batch({
      'buildspec.yml': `version: 0.2
env:
  variables:
    COLOUR: from-buildspec
phases:
  pre_build:
    commands:
      - if [ "$SHOULD_FAIL" = yes ]; then exit 3; fi
  build:
    commands:
      - mkdir -p out && echo "$CODEBUILD_BATCH_BUILD_IDENTIFIER $COLOUR" > out/who.txt
artifacts:
  files: ['**/*']
  base-directory: out
batch:
  fast-fail: false
  build-list:
    - identifier: red
      env:
        variables:
          COLOUR: red
    - identifier: plain
    - identifier: broken
      ignore-failure: true
      env:
        variables:
          SHOULD_FAIL: 'yes'
`,
    });
    expect(r.status).toBe('SUCCEEDED');
    expect(statuses(r)).toEqual({ red: 'SUCCEEDED', plain: 'SUCCEEDED', broken: 'FAILED' });
    expect(r.batch?.builds.find((b) => b.identifier === 'broken')?.message).toBe('Error while executing command: if [ "$SHOULD_FAIL" = yes ]; then exit 3; fi. Reason: exit status 3');
    expect(await readZip(join(out, 'red', 'artifacts.zip'))).toEqual({ 'who.txt': 'red red\n' });
    expect(await readZip(join(out, 'artifacts.zip'))).toEqual({ 'plain/who.txt': 'plain from-buildspec\n', 'red/who.txt': 'red red\n' });
  });

  it('build-matrix: one build per combination of buildspec and variable values, each with its own buildspec', async () => {
    const task = (name: string) => `version: 0.2
phases:
  build:
    commands:
      - mkdir -p out && echo "${name} $SIZE" > out/result.txt
artifacts:
  files: ['out/result.txt']
  discard-paths: yes
`;
    const { r, out } = await batch(
      {
        'buildspec.yml': `version: 0.2
batch:
  build-matrix:
    dynamic:
      buildspec: [specs/one.yml, specs/two.yml]
      env:
        variables:
          SIZE: [s, m]
`,
        'specs/one.yml': task('one'),
        'specs/two.yml': task('two'),
      },
      4,
    );
    expect(r.status).toBe('SUCCEEDED');
    expect(statuses(r)).toEqual({ build1: 'SUCCEEDED', build2: 'SUCCEEDED', build3: 'SUCCEEDED', build4: 'SUCCEEDED' });
    expect(await readZip(join(out, 'artifacts.zip'))).toEqual({
      'build1/result.txt': 'one s\n',
      'build2/result.txt': 'one m\n',
      'build3/result.txt': 'two s\n',
      'build4/result.txt': 'two m\n',
    });
  });

  it('build-graph: a task starts only after its dependencies; a failed dependency keeps its dependents from starting', async () => {
    const spec = (failIn: string) => `version: 0.2
phases:
  build:
    commands:
      - echo "$CODEBUILD_BATCH_BUILD_IDENTIFIER ran"
      - if [ "$CODEBUILD_BATCH_BUILD_IDENTIFIER" = "${failIn}" ]; then exit 1; fi
batch:
  build-graph:
    - identifier: compile
    - identifier: test
      depend-on: [compile]
    - identifier: lint
    - identifier: package
      depend-on: [test, lint]
`;
    const ok = await batch({ 'buildspec.yml': spec('none') }, 3);
    expect(ok.r.status).toBe('SUCCEEDED');
    const order = batchLines(ok.lines);
    const at = (text: string) => order.findIndex((l) => l.startsWith(text));
    for (const id of ['compile', 'test', 'lint', 'package']) expect(at(`Batch build ${id}: SUCCEEDED`)).toBeGreaterThan(at(`Batch build ${id}: starting`));
    expect(at('Batch build compile: starting')).toBeGreaterThanOrEqual(0);
    expect(at('Batch build test: starting')).toBeGreaterThan(at('Batch build compile: SUCCEEDED'));
    expect(at('Batch build package: starting')).toBeGreaterThan(at('Batch build test: SUCCEEDED'));
    expect(at('Batch build package: starting')).toBeGreaterThan(at('Batch build lint: SUCCEEDED'));

    const failed = await batch({ 'buildspec.yml': spec('compile') }, 3);
    expect(failed.r.status).toBe('FAILED');
    expect(statuses(failed.r)).toEqual({ compile: 'FAILED', test: 'STOPPED', lint: 'SUCCEEDED', package: 'STOPPED' });
    expect(failed.r.batch?.builds.find((b) => b.identifier === 'test')?.message).toBe('not started: it depends on compile, which ended FAILED');
    expect(failed.r.message).toBe('build compile FAILED: Error while executing command: if [ "$CODEBUILD_BATCH_BUILD_IDENTIFIER" = "compile" ]; then exit 1; fi. Reason: exit status 1');
    expect(failed.lines.some((l) => l === '[test] ' || l.startsWith('[test] '))).toBe(false);
  });

  it('fast-fail: the first failure stops the running builds and the queued ones never start', async () => {
    const { r, seconds } = await batch(
      {
        'buildspec.yml': `version: 0.2
phases:
  build:
    commands:
      - if [ "$CODEBUILD_BATCH_BUILD_IDENTIFIER" = bad ]; then sleep 1; exit 1; fi
      - sleep 60
batch:
  fast-fail: true
  build-list:
    - identifier: slow
    - identifier: bad
    - identifier: queued
`,
      },
      2,
    );
    expect(r.status).toBe('FAILED');
    expect(statuses(r)).toEqual({ slow: 'STOPPED', bad: 'FAILED', queued: 'STOPPED' });
    expect(r.batch?.builds.find((b) => b.identifier === 'queued')?.message).toBe('not started: fast-fail stopped the batch');
    expect(r.message).toMatch(/^build bad FAILED: /);
    expect(seconds).toBeLessThan(40);
  });

  it('without fast-fail a failure lets the other builds finish, and the batch fails', async () => {
    const { r } = await batch({
      'buildspec.yml': `version: 0.2
phases:
  build:
    commands:
      - if [ "$CODEBUILD_BATCH_BUILD_IDENTIFIER" = bad ]; then exit 1; fi
      - sleep 2
batch:
  build-list:
    - identifier: good
    - identifier: bad
`,
    });
    expect(r.status).toBe('FAILED');
    expect(statuses(r)).toEqual({ good: 'SUCCEEDED', bad: 'FAILED' });
  });

  it('a batch-only buildspec whose task names a missing buildspec fails before any build starts', async () => {
    await expect(
      batch({ 'buildspec.yml': 'version: 0.2\nbatch:\n  build-list:\n    - identifier: a\n      buildspec: nope.yml\n' }),
    ).rejects.toThrow(/buildspec nope.yml not found in /);
  });
});
