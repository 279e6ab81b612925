// Artifacts zipped from a real container with exact contents and layout; containers removed after success,
// failure and abort.
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { LABELS } from '../../src/core/index.js';
import { DockerEngine } from '../../src/infra/docker.js';
import { describeDocker } from '../support/docker.js';
import { runBuildspec, TEST_LABEL } from '../support/build-harness.js';
import { readZip } from '../support/zip-read.js';

const MAKE_TREE = `
      - mkdir -p out/com/a out/docs
      - echo one > out/com/a/B.class
      - echo two > out/docs/readme.txt
      - echo top > out/top.txt
      - echo skip > out/skip.log`;

describeDocker('build artifacts from a container', () => {
  // This file's PIPE_HOME: the same tests run elsewhere on the machine (other checkouts) label theirs alike.
  const engine = new DockerEngine();
  afterAll(async () => {
    expect(await engine.listContainers({ [LABELS.home]: engine.home, [TEST_LABEL]: 'artifacts' })).toEqual([]);
  });

  it('zips files relative to base-directory, keeping their paths', async () => {
    const { result, outDir } = await runBuildspec(
      `version: 0.2
phases:
  build:
    commands:${MAKE_TREE}
artifacts:
  base-directory: out
  files:
    - 'com/**/*'
    - docs/readme.txt
    - top.txt
`,
      { outputs: ['Out'], labels: { [TEST_LABEL]: 'artifacts' } },
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(await readZip(join(outDir, 'Out.zip'))).toEqual({
      'com/a/B.class': 'one\n',
      'docs/readme.txt': 'two\n',
      'top.txt': 'top\n',
    });
    expect(result.artifacts[0]?.files.sort()).toEqual(['com/a/B.class', 'docs/readme.txt', 'top.txt']);
    expect(result.artifacts[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('discard-paths flattens every file to the zip root; without base-directory paths start at the source root', async () => {
    const { result, outDir } = await runBuildspec(
      `version: 0.2
phases:
  build:
    commands:${MAKE_TREE}
artifacts:
  discard-paths: yes
  files:
    - 'out/**/*.class'
    - 'out/docs/*'
`,
      { outputs: ['Flat'], labels: { [TEST_LABEL]: 'artifacts' } },
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(await readZip(join(outDir, 'Flat.zip'))).toEqual({ 'B.class': 'one\n', 'readme.txt': 'two\n' });
  });

  it('several outputs take secondary-artifacts by name', async () => {
    const { result, outDir } = await runBuildspec(
      `version: 0.2
phases:
  build:
    commands:${MAKE_TREE}
artifacts:
  files: ['**/*']
  secondary-artifacts:
    Docs:
      base-directory: out/docs
      files: ['**/*']
    Top:
      base-directory: out
      files: [top.txt]
`,
      { outputs: ['Docs', 'Top'], labels: { [TEST_LABEL]: 'artifacts' } },
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(await readZip(join(outDir, 'Docs.zip'))).toEqual({ 'readme.txt': 'two\n' });
    expect(await readZip(join(outDir, 'Top.zip'))).toEqual({ 'top.txt': 'top\n' });
  });

  it('removes the container after a failed build', async () => {
    const { result } = await runBuildspec('version: 0.2\nphases:\n  install:\n    commands:\n      - exit 1\n', {
      labels: { [TEST_LABEL]: 'artifacts' },
    });
    expect(result.status).toBe('FAILED');
    expect(await engine.listContainers({ [LABELS.home]: engine.home, [TEST_LABEL]: 'artifacts' })).toEqual([]);
  });

  it('abort stops the running command, reports STOPPED and removes the container', async () => {
    const controller = new AbortController();
    let abortedAt = 0;
    // Aborted once the BUILD phase's first command has run, whatever the machine's speed.
    const { result, output } = await runBuildspec('version: 0.2\nphases:\n  build:\n    commands:\n      - echo started\n      - sleep 60\n      - echo never\n', {
      signal: controller.signal,
      labels: { [TEST_LABEL]: 'abort' },
      onLine: (stream, line) => {
        if (stream !== 'system' && line === 'started' && abortedAt === 0) {
          abortedAt = Date.now();
          controller.abort();
        }
      },
    });
    expect(result.status).toBe('STOPPED');
    expect(output).toContain('started');
    expect(output).not.toContain('never');
    // The sleep is killed, not waited for: far less than its 60 s.
    expect(Date.now() - abortedAt).toBeLessThan(30_000);
    expect(result.phases.find((p) => p.phase === 'BUILD')?.status).toBe('STOPPED');
    expect(await engine.listContainers({ [LABELS.home]: engine.home, [TEST_LABEL]: 'abort' })).toEqual([]);
  });

  it('a build that times out is TIMED_OUT and its container removed', async () => {
    const { result } = await runBuildspec('version: 0.2\nphases:\n  build:\n    commands:\n      - sleep 60\n', {
      timeoutMinutes: 0.03,
      labels: { [TEST_LABEL]: 'timeout' },
    });
    expect(result.status).toBe('TIMED_OUT');
    expect(await engine.listContainers({ [LABELS.home]: engine.home, [TEST_LABEL]: 'timeout' })).toEqual([]);
  });
});
