// Any Docker engine: with DOCKER_HOST naming a second dockerd (its own socket and data root), `pipe run` builds
// there and `pipe registry serve` runs function environments there, through the API alone (nothing bind-mounted).
// The image they use exists only on the second engine, so their success says where they ran.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makePipeEnv, pipe } from '../support/cli.js';
import { TEST_IMAGE } from '../support/docker.js';
import { makeRepo, twoStagePipeline } from '../support/git-fixture.js';
import { startPipe, waitUntil } from '../support/pipe-process.js';
import { describeSecondEngine, startSecondEngine } from '../support/second-dockerd.js';
import type { SecondEngine } from '../support/second-dockerd.js';
import { ROLE, handlerZip } from '../registry/support.js';

const run = promisify(execFile);
const ONLY_THERE = 'pipe/second-engine:1';
let engine: SecondEngine;

describeSecondEngine('pipe on a second Docker engine named by DOCKER_HOST', () => {
  beforeAll(async () => {
    engine = await startSecondEngine({ [TEST_IMAGE]: ONLY_THERE });
  }, 180_000);
  afterAll(async () => engine?.stop());

  it('pipe run: the pipeline builds there and leaves no container behind', async () => {
    await expect(run('docker', ['image', 'inspect', ONLY_THERE])).rejects.toThrow();
    const repo = makeRepo({ 'buildspec.yml': 'version: 0.2\nphases:\n  build:\n    commands:\n      - echo "built on $COMMIT"\n' });
    const file = join(repo, 'pipeline.yml');
    writeFileSync(file, twoStagePipeline({ repository: repo, image: ONLY_THERE }));
    const r = await pipe(['run', file], makePipeEnv(), { DOCKER_HOST: engine.host });
    expect(r.stdout).toMatch(/^\[Build\.Build\] built on [0-9a-f]{40}$/m);
    expect(r.exitCode).toBe(0);
    expect((await engine.docker('ps', '-aq')).trim()).toBe('');
  });

  it('pipe registry serve: a function environment runs there and answers an invoke', async () => {
    const p = makePipeEnv();
    const server = startPipe(['registry', 'serve', '--port', '0', '--json', '--image', `nodejs18.x=${ONLY_THERE}`], p, { extraEnv: { DOCKER_HOST: engine.host } });
    try {
      const url = (await server.waitForOutput(/"type":"listening","url":"([^"]+)"/))[1] ?? '';
      // Lambda's REST API straight (the AWS CLI's own use of it is tested elsewhere; here the engine is the point).
      const lambda = (path: string, init?: RequestInit) => fetch(`${url}/2015-03-31/functions${path}`, init);
      const zip = handlerZip('exports.handler = async (e) => ({ doubled: e.n * 2 });').toString('base64');
      const created = await lambda('', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ FunctionName: 'twice', Runtime: 'nodejs18.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: zip } }) });
      expect(created.status).toBe(201);
      await waitUntil('the function to be Active', async () => ((await (await lambda('/twice')).json()) as { Configuration: { State: string } }).Configuration.State === 'Active');
      const invoked = await lambda('/twice/invocations', { method: 'POST', body: '{"n":21}' });
      expect(await invoked.text()).toBe('{"doubled":42}');
      expect((await engine.docker('ps', '-q', '--filter', `ancestor=${ONLY_THERE}`)).trim()).not.toBe('');
    } finally {
      server.kill('SIGTERM');
      await server.exited;
    }
    expect((await engine.docker('ps', '-aq')).trim()).toBe('');
  });
});
