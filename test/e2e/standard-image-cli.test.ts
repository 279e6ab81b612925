// Through the real binary: a pipeline naming CodeBuild's image passes preflight and builds in pipe/standard:7.0,
// saying which local image stands in; runtime-versions switches Node.js there; privilegedMode gives it docker.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { makePipeEnv, pipe } from '../support/cli.js';
import { describeStandardImage } from '../support/docker.js';
import { makeRepo, twoStagePipeline } from '../support/git-fixture.js';

describeStandardImage('pipe run with aws/codebuild/standard:7.0', () => {
  it('resolves the image to pipe/standard:7.0, runs runtime-versions nodejs 22 there, and privilegedMode gives it docker', async () => {
    const repo = makeRepo({
      'buildspec.yml':
        'version: 0.2\nphases:\n  install:\n    runtime-versions:\n      nodejs: 22\n  build:\n    commands:\n      - node --version | cut -d. -f1\n      - docker run --rm pipe/standard:1 echo inner-docker\n',
    });
    const file = join(repo, 'pipeline.yml');
    const pipeline = twoStagePipeline({ repository: repo, image: 'aws/codebuild/standard:7.0' });
    writeFileSync(file, pipeline.replace('image: aws/codebuild/standard:7.0', 'image: aws/codebuild/standard:7.0\n          privilegedMode: "true"'));
    const r = await pipe(['run', file], makePipeEnv());
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/^warning: Build\.Build: image aws\/codebuild\/standard:7\.0 runs locally as pipe\/standard:7\.0: Debian 12 instead of Ubuntu 22\.04; .*eksctl$/m);
    expect(r.stdout).toMatch(/^\[Build\.Build\] v22$/m);
    expect(r.stdout).toMatch(/^\[Build\.Build\] inner-docker$/m);
  });
});
