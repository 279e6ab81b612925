// Synthetic buildspecs, in real containers, for what no corpus file covers: YAML anchors, exclude-paths, enable-symlinks,
// base-directory globs, artifact name expansion, no matching artifact, exit 0 in a block, run-as, RETRY with a regex, 0.1.
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { zipDirectory } from '../../src/artifacts/index.js';
import { openPipeContext, runSingleBuild } from '../../src/app/index.js';
import type { PipeContext } from '../../src/app/index.js';
import { phaseStatuses, runBuildspec } from '../support/build-harness.js';
import { describeDocker, TEST_IMAGE } from '../support/docker.js';
import { readZip } from '../support/zip-read.js';

/** Entry name -> 'link' or 'file', from the zip's Unix mode bits. */
function entryKinds(path: string): Promise<Record<string, 'link' | 'file'>> {
  return new Promise((resolve, reject) => {
    const out: Record<string, 'link' | 'file'> = {};
    yauzl.open(path, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      zip.on('entry', (e: yauzl.Entry) => {
        out[e.fileName] = ((e.externalFileAttributes >>> 16) & 0o170000) === 0o120000 ? 'link' : 'file';
        zip.readEntry();
      });
      zip.on('end', () => resolve(out));
      zip.readEntry();
    });
  });
}

/** A source zip of these files, as a Source action would hand it over. */
async function sourceZip(files: Record<string, string>): Promise<{ name: string; path: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-src-'));
  for (const [p, content] of Object.entries(files)) {
    await mkdir(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), content);
  }
  const zip = join(mkdtempSync(join(tmpdir(), 'pipe-srczip-')), 'source.zip');
  await zipDirectory(dir, zip);
  return { name: 'Src', path: zip };
}

const contexts: PipeContext[] = [];
afterAll(() => {
  for (const c of contexts) c.db.close();
});

describeDocker('synthetic buildspecs', () => {
  it('resolves YAML anchors, aliases and merge keys before running', async () => {
    const { result, output, outDir } = await runBuildspec(
      `version: 0.2
env:
  variables: &vars
    GREETING: hello
    TARGET: world
phases:
  install:
    commands: &say
      - echo "$GREETING $TARGET from $PHASE_NAME"
  build:
    commands:
      - PHASE_NAME=build
      - mkdir -p out/a && echo one > out/a/one.txt && echo two > out/two.txt
  post_build:
    commands: *say
artifacts:
  files: ['**/*']
  secondary-artifacts:
    Flat: &flat
      files: ['a/*', 'two.txt']
      base-directory: out
      discard-paths: yes
    Kept:
      <<: *flat
      discard-paths: no
`,
      { outputs: ['Flat', 'Kept'] },
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(output).toEqual(['hello world from ', 'hello world from build']);
    expect(await readZip(join(outDir, 'Flat.zip'))).toEqual({ 'one.txt': 'one\n', 'two.txt': 'two\n' });
    expect(await readZip(join(outDir, 'Kept.zip'))).toEqual({ 'a/one.txt': 'one\n', 'two.txt': 'two\n' });
  });

  it('exclude-paths removes matches, relative to base-directory', async () => {
    const { result, outDir } = await runBuildspec(
      `version: 0.2
phases:
  build:
    commands:
      - mkdir -p out/logs out/tmp/deep out/src
      - echo a > out/src/a.js; echo l > out/logs/run.log; echo r > out/root.log; echo t > out/tmp/deep/t.txt; echo k > out/keep.txt
artifacts:
  files: ['**/*']
  base-directory: out
  exclude-paths: ['**/*.log', 'tmp/**/*']
`,
      { outputs: ['Out'] },
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(await readZip(join(outDir, 'Out.zip'))).toEqual({ 'keep.txt': 'k\n', 'src/a.js': 'a\n' });
  });

  it('enable-symlinks keeps links inside the artifact as links; without it the target content is stored', async () => {
    const spec = (on: boolean) => `version: 0.2
phases:
  build:
    commands:
      - mkdir -p out/dir && echo real > out/real.txt && ln -s real.txt out/link.txt && ln -s ../real.txt out/dir/up.txt
artifacts:
  files: ['**/*']
  base-directory: out
  enable-symlinks: ${on ? 'yes' : 'no'}
`;
    const on = await runBuildspec(spec(true), { outputs: ['Out'] });
    expect(on.result.status).toBe('SUCCEEDED');
    const onZip = join(on.outDir, 'Out.zip');
    expect(await entryKinds(onZip)).toEqual({ 'dir/up.txt': 'link', 'link.txt': 'link', 'real.txt': 'file' });
    expect(await readZip(onZip)).toEqual({ 'dir/up.txt': '../real.txt', 'link.txt': 'real.txt', 'real.txt': 'real\n' });

    const off = await runBuildspec(spec(false), { outputs: ['Out'] });
    const offZip = join(off.outDir, 'Out.zip');
    expect(await entryKinds(offZip)).toEqual({ 'dir/up.txt': 'file', 'link.txt': 'file', 'real.txt': 'file' });
    expect(await readZip(offZip)).toEqual({ 'dir/up.txt': 'real\n', 'link.txt': 'real\n', 'real.txt': 'real\n' });
  });

  it("base-directory as a glob: the docs' worked example (codebuild.md 5.1)", async () => {
    const { result, outDir } = await runBuildspec(
      `version: 0.2
phases:
  build:
    commands:
      - mkdir -p my-build1 my-build2/my-subdirectory
      - echo 1 > my-build1/my-file1.txt; echo 2 > my-build2/my-file2.txt; echo 3 > my-build2/my-subdirectory/my-file3.txt
artifacts:
  files: ['**/*']
  secondary-artifacts:
    Plain:
      files: ['*/my-file3.txt']
      base-directory: my-build2
    Globbed:
      files: ['**/*']
      base-directory: 'my-build*'
      discard-paths: yes
`,
      { outputs: ['Plain', 'Globbed'] },
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(await readZip(join(outDir, 'Plain.zip'))).toEqual({ 'my-subdirectory/my-file3.txt': '3\n' });
    expect(await readZip(join(outDir, 'Globbed.zip'))).toEqual({ 'my-file1.txt': '1\n', 'my-file2.txt': '2\n', 'my-file3.txt': '3\n' });
  });

  it('no match for the artifact globs: UPLOAD_ARTIFACTS fails with CLIENT_ERROR, the build FAILS, no zip is left', async () => {
    const { result, outDir, lines } = await runBuildspec(
      `version: 0.2
phases:
  build:
    commands:
      - echo built
artifacts:
  files: ['dist/**/*', 'missing.txt']
`,
      { outputs: ['Out'] },
    );
    expect(result.status).toBe('FAILED');
    expect(result.message).toBe('CLIENT_ERROR: no matching artifact paths found');
    expect(phaseStatuses(result).slice(-2)).toEqual(['UPLOAD_ARTIFACTS FAILED', 'FINALIZING SUCCEEDED']);
    expect(phaseStatuses(result)).toContain('BUILD SUCCEEDED');
    expect(lines.some((l) => l.endsWith('Phase context status code: CLIENT_ERROR Message: CLIENT_ERROR: no matching artifact paths found'))).toBe(true);
    expect(result.artifacts).toEqual([]);
    expect(existsSync(join(outDir, 'Out.zip'))).toBe(false);
    expect(readdirSync(outDir)).toEqual([]);
  });

  it('exit 0 inside a multi-line item ends only that item, successfully, and keeps what it set', async () => {
    const { result, output } = await runBuildspec(`version: 0.2
phases:
  build:
    commands:
      - |
        echo one
        KEPT=yes
        exit 0
        echo never
      - echo "after KEPT=$KEPT"
  post_build:
    commands:
      - echo "post_build succeeding=$CODEBUILD_BUILD_SUCCEEDING"
`);
    expect(result.status).toBe('SUCCEEDED');
    expect(output).toEqual(['one', 'after KEPT=yes', 'post_build succeeding=1']);
  });

  it('run-as: every command runs as codebuild-user, which can read the source; a phase can go back to root', async () => {
    const { result, output } = await runBuildspec(
      `version: 0.2
run-as: codebuild-user
phases:
  install:
    run-as: root
    commands:
      - whoami
  build:
    commands:
      - whoami
      - cat data/input.txt
      - echo made > made.txt && ls -n made.txt | awk '{print $3}'
`,
      { source: await sourceZip({ 'data/input.txt': 'from the source\n' }) },
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(output).toEqual(['root', 'codebuild-user', 'from the source', '1000']);
  });

  it('RETRY-<count>-<regex> retries only while the failing output matches', async () => {
    const spec = (message: string) => `version: 0.2
phases:
  build:
    on-failure: RETRY-2-timed out|throttl
    commands:
      - N=$(cat /tmp/n 2>/dev/null || echo 0); N=$((N+1)); echo $N > /tmp/n; echo "attempt $N - ${message}"; exit 1
`;
    const transient = await runBuildspec(spec('connection timed out'));
    expect(transient.result.status).toBe('FAILED');
    expect(transient.output).toEqual(['attempt 1 - connection timed out', 'attempt 2 - connection timed out', 'attempt 3 - connection timed out']);
    expect(transient.lines.filter((l) => l.includes('Retrying phase BUILD')).length).toBe(2);

    const fatal = await runBuildspec(spec('syntax error'));
    expect(fatal.result.status).toBe('FAILED');
    expect(fatal.output).toEqual(['attempt 1 - syntax error']);
  });

  it('version 0.1 runs every command in its own shell: no cd or variable carries over', async () => {
    const { result, output } = await runBuildspec(`version: 0.1
phases:
  build:
    commands:
      - cd /tmp && X=set && echo "in item $(pwd) $X"
      - pwd
      - echo "X=$X"
`);
    expect(result.status).toBe('SUCCEEDED');
    expect(output).toEqual(['in item /tmp set', '/codebuild/output/src1/src', 'X=']);
  });
});

describeDocker('artifact name expansion (pipe build)', () => {
  it('artifacts.name is shell-expanded in the build at upload time and names the zips; secondaries default to their identifier', async () => {
    const root = mkdtempSync(join(tmpdir(), 'pipe-name-'));
    const dir = join(root, 'src');
    await mkdir(dir);
    writeFileSync(
      join(dir, 'buildspec.yml'),
      `version: 0.2
env:
  variables:
    FLAVOUR: plain
phases:
  build:
    commands:
      - FLAVOUR=spicy
      - mkdir -p out && echo x > out/x.txt
artifacts:
  files: ['out/*']
  name: app-$FLAVOUR-$CODEBUILD_BUILD_NUMBER-$(echo 2024-01-02).zip
  secondary-artifacts:
    Nested:
      files: ['out/x.txt']
      discard-paths: yes
      name: builds/$CODEBUILD_BUILD_NUMBER/x.zip
    Plain:
      files: ['out/x.txt']
`,
    );
    const ctx = openPipeContext({ home: join(root, 'home'), artifactRoot: join(root, 'artifacts') });
    contexts.push(ctx);
    const out = join(root, 'out');
    const r = await runSingleBuild(ctx, { dir, image: TEST_IMAGE, artifactsDir: out });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.artifacts.map((a) => a.path)).toEqual([join(out, 'app-spicy-1-2024-01-02.zip'), join(out, 'builds/1/x.zip'), join(out, 'Plain.zip')]);
    expect(await readZip(join(out, 'app-spicy-1-2024-01-02.zip'))).toEqual({ 'out/x.txt': 'x\n' });
    expect(await readZip(join(out, 'builds/1/x.zip'))).toEqual({ 'x.txt': 'x\n' });
    expect(readdirSync(out).sort()).toEqual(['Plain.zip', 'app-spicy-1-2024-01-02.zip', 'builds']);
  });
});
