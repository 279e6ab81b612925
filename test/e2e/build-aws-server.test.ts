// A running `pipe registry serve` or `pipe serve` (the same server) is the server builds of its PIPE_HOME reach: `pipe build` and a pipeline's build
// get its address as AWS_ENDPOINT_URL, and the calls it could not serve (counted there, in another process) are
// listed at the end of the build that made them, not of another build.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makePipeEnv, pipe } from '../support/cli.js';
import type { PipeEnv } from '../support/cli.js';
import { describeDocker } from '../support/docker.js';
import { makeRepo, twoStagePipeline } from '../support/git-fixture.js';
import { startPipe } from '../support/pipe-process.js';
import type { PipeProcess } from '../support/pipe-process.js';

/** An S3 PutObject as an SDK signs it (pipe/standard:1 has no AWS CLI): path-style, SigV4 scope naming s3. */
const PUT_OBJECT = `import os, urllib.request as u
cred = os.environ['AWS_ACCESS_KEY_ID'] + '/20260101/us-east-1/s3/aws4_request'
r = u.Request(os.environ['AWS_ENDPOINT_URL'] + '/bucket/some/key', data=b'x', method='PUT',
              headers={'Authorization': 'AWS4-HMAC-SHA256 Credential=' + cred + ', SignedHeaders=host, Signature=0'})
try:
    u.urlopen(r)
except Exception as e:
    print('refused', getattr(e, 'code', e))
`;

const BUILDSPEC = 'version: 0.2\nphases:\n  build:\n    commands:\n      - echo "endpoint=$AWS_ENDPOINT_URL lambda=$AWS_ENDPOINT_URL_LAMBDA"\n      - python3 put.py\n';

for (const command of [['registry', 'serve'], ['serve']]) {
  describeDocker(`builds use the running pipe ${command.join(' ')} of their PIPE_HOME`, () => {
    let p: PipeEnv;
    let server: PipeProcess;
    let url: string;

    beforeAll(async () => {
      p = makePipeEnv();
      server = startPipe([...command, '--port', '0', '--json'], p);
      url = (await server.waitForOutput(/"type":"listening","url":"([^"]+)"/))[1] ?? '';
    });
    afterAll(async () => {
      server.kill('SIGTERM');
      await server.exited;
    });

    it('pipe build: its endpoint is the server, and the S3 call the server refused is this build\'s to report', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pipe-aws-server-'));
      writeFileSync(join(dir, 'buildspec.yml'), BUILDSPEC);
      writeFileSync(join(dir, 'put.py'), PUT_OBJECT);
      const r = await pipe(['build', dir], p);
      expect(r.stdout).toContain(`endpoint=${url} lambda=${url}\n`);
      expect(r.stdout).toMatch(/^refused 404$/m);
      expect(r.stdout).toMatch(/^this build called 1 AWS API pipe does not serve: s3 PutObject \(once\)$/m);
      expect(r.exitCode).toBe(0);
      // A second build's report counts its own calls only.
      const again = await pipe(['build', dir], p);
      expect(again.stdout).toMatch(/^this build called 1 AWS API pipe does not serve: s3 PutObject \(once\)$/m);
    });

    it('pipe run: a pipeline\'s build gets the same endpoint and reports in the run\'s warnings', async () => {
      const repo = makeRepo({ 'buildspec.yml': BUILDSPEC, 'put.py': PUT_OBJECT });
      const file = join(repo, 'pipeline.yml');
      writeFileSync(file, twoStagePipeline({ repository: repo }));
      const r = await pipe(['run', file], p);
      expect(r.stdout).toContain(`[Build.Build] endpoint=${url} lambda=${url}\n`);
      expect(r.stderr).toMatch(/^warning: Build\.Build: this build called 1 AWS API pipe does not serve: s3 PutObject \(once\)$/m);
      expect(r.exitCode).toBe(0);
    });

    it('pipe run: a batch build\'s builds share its endpoint, and the batch reports the calls of all of them', async () => {
      const batch = `${BUILDSPEC}batch:\n  build-list:\n    - identifier: one\n    - identifier: two\n`;
      const repo = makeRepo({ 'buildspec.yml': batch, 'put.py': PUT_OBJECT });
      const file = join(repo, 'pipeline.yml');
      writeFileSync(file, twoStagePipeline({ repository: repo }).replace('          image: pipe/standard:1\n', '          image: pipe/standard:1\n          batchEnabled: "true"\n'));
      const r = await pipe(['run', file], p);
      expect(r.stdout).toContain(`[Build.Build] [one] endpoint=${url} lambda=${url}\n`);
      expect(r.stdout).toContain(`[Build.Build] [two] endpoint=${url} lambda=${url}\n`);
      expect(r.stderr).toMatch(/^warning: Build\.Build: this build called 1 AWS API pipe does not serve: s3 PutObject \(2 times\)$/m);
      expect(r.exitCode).toBe(0);
    });
  });
}
