// What one build asks of the Docker API, counted through a logging proxy: one image inspect (shared with the
// preflight's), create, attach, start, no exec (the container's main process runs every command item and the AWS
// CLI shim, and takes a small archive of the session's files and the source through its input; a large one is one
// putFiles), and the removal; a missing image is asked about again and still named.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { zipDirectory } from '../../src/artifacts/index.js';
import { runBuildspec } from '../support/build-harness.js';
import { describeDocker, TEST_IMAGE } from '../support/docker.js';
import { traceDocker } from '../support/docker-trace.js';
import type { DockerTrace } from '../support/docker-trace.js';

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

/** The requests by kind, container and exec ids left out. */
function kinds(requests: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of requests) {
    const kind = r.replace(/\/(containers|exec)\/[0-9a-f]{64}/, '/$1/ID');
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

describeDocker('a build\'s Docker round trips', () => {
  let trace: DockerTrace;
  beforeAll(async () => {
    trace = await traceDocker(mkdtempSync(join(tmpdir(), 'pipe-home-')));
  });
  afterAll(async () => trace.close());

  it('one inspect, no archive and no exec for a small source and all items, the source where the items see it', async () => {
    await trace.engine.ensureImage(TEST_IMAGE);
    const { result, output } = await runBuildspec(`version: 0.2
phases:
  install:
    commands:
      - cat src-file.txt
      - cd sub
  build:
    commands:
      - cat nested.txt
      - echo "$AWS_ENDPOINT_URL"
`, {
      engine: trace.engine,
      source: await sourceZip({ 'src-file.txt': 'from the source\n', 'sub/nested.txt': 'nested\n' }),
      aws: { mode: 'pipe', url: 'http://127.0.0.1:9', accessKeyId: 'AKIAPIPETEST' },
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(output).toEqual(['from the source', 'nested', 'http://127.0.0.1:9']);
    expect(kinds(trace.requests)).toEqual({
      [`GET /images/${TEST_IMAGE}/json`]: 1,
      'POST /containers/create': 1,
      'POST /containers/ID/start': 1,
      'POST /containers/ID/attach': 1,
      'DELETE /containers/ID': 1,
    });
  });

  it('a source too large for the agent\'s input goes in with one archive', async () => {
    trace.requests.length = 0;
    const big = randomBytes(5 * 1024 * 1024).toString('base64');
    const { result, output } = await runBuildspec(`version: 0.2
phases:
  build:
    commands:
      - wc -c < big.txt
      - cat small.txt
`, { engine: trace.engine, source: await sourceZip({ 'big.txt': big, 'small.txt': 'small\n' }) });
    expect(result.status).toBe('SUCCEEDED');
    expect(output).toEqual([String(big.length), 'small']);
    expect(kinds(trace.requests)).toMatchObject({ 'PUT /containers/ID/archive': 1 });
    expect(trace.requests.filter((r) => r.includes('/exec'))).toEqual([]);
  });

  it('asks again about a missing image, and names it each time', async () => {
    trace.requests.length = 0;
    for (let i = 0; i < 2; i++) {
      await expect(trace.engine.ensureImage('pipe/no-such-image:1')).rejects.toMatchObject({
        code: 'IMAGE_NOT_FOUND',
        message: 'image pipe/no-such-image:1 not found locally',
      });
    }
    expect(trace.requests).toEqual(['GET /images/pipe/no-such-image:1/json', 'GET /images/pipe/no-such-image:1/json']);
  });
});
