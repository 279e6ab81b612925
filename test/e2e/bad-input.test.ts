// Bad input through the real CLI: each gets its message and exit code, and leaves no execution and no container.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { LABELS } from '../../src/core/index.js';
import { DockerEngine } from '../../src/infra/docker.js';
import { makePipeEnv, pipe } from '../support/cli.js';
import type { PipeEnv } from '../support/cli.js';
import { describeDocker } from '../support/docker.js';
import { makeRepo, twoStagePipeline } from '../support/git-fixture.js';

const BUILDSPEC = 'version: 0.2\nphases:\n  build:\n    commands:\n      - echo hi\n';

let env: PipeEnv;
afterEach(async () => {
  // Nothing recorded, nothing left running.
  const list = await pipe(['executions', '--json'], env);
  expect(JSON.parse(list.stdout)).toEqual([]);
});

function fixture(pipeline: (repo: string) => string, files: Record<string, string> = { 'buildspec.yml': BUILDSPEC }) {
  env = makePipeEnv();
  const repo = makeRepo(files);
  const file = join(repo, 'pipeline.yml');
  writeFileSync(file, pipeline(repo));
  return file;
}

it('malformed YAML: exit 2, file:line:column and the line', async () => {
  const file = fixture(() => 'name: x\nstages:\n  - name: [unclosed\n');
  const r = await pipe(['run', file], env);
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toContain(`error: ${file}: 1 problem found`);
  expect(r.stderr).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:4:1 YAML syntax error`));
});

it('unknown keys: exit 2, every one reported, with did-you-mean', async () => {
  const file = fixture((repo) => twoStagePipeline({ repository: repo }).replace('outputArtifacts: [Src]', 'outputArtifact: [Src]').replace('name: fixture', 'name: fixture\nstagez: []'));
  const r = await pipe(['run', file], env);
  expect(r.exitCode).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.split('\n').filter((l) => l.startsWith(`  ${file}:`))).toEqual([
    `  ${file}:2:1 stagez: unknown key 'stagez'; did you mean 'stages'?`,
    `  ${file}:6:9 stages[0].actions[0].outputArtifacts: action 'Source.Checkout' (Source/Git) takes 1 output artifact, got 0`,
    `  ${file}:10:9 stages[0].actions[0].outputArtifact: unknown key 'outputArtifact'; did you mean 'outputArtifacts'?`,
    `  ${file}:21:26 stages[1].actions[0].inputArtifacts[0]: input artifact 'Src' is not produced by any action`,
  ]);
  expect(r.stderr.split('\n')[0]).toBe(`error: ${file}: 4 problems found`);
});

// A pipeline with a Build action pings Docker and sweeps its home's leftovers before checking sources,
// images and buildspecs: these need an engine, and leave no container of their PIPE_HOME behind.
describeDocker('bad input needing Docker', () => {
  const engine = new DockerEngine();
  afterEach(async () => {
    expect(await engine.listContainers({ [LABELS.managed]: 'true', [LABELS.home]: env.home })).toEqual([]);
  });

  it('missing buildspec: exit 2 naming it and the source', async () => {
    const file = fixture((repo) => twoStagePipeline({ repository: repo, buildspec: 'ci/nope.yml' }));
    const r = await pipe(['run', file], env);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error: Build\.Build: buildspec ci\/nope\.yml not found in Src \(.* at [0-9a-f]{12}\)\nhint: the path is relative to the root of the source repository; is ci\/nope\.yml committed\?$/);
  });

  it('an invalid buildspec: exit 2 with its problems, before anything runs', async () => {
    const file = fixture((repo) => twoStagePipeline({ repository: repo }), { 'buildspec.yml': 'version: 0.2\nphases:\n  test:\n    commands: [x]\n' });
    const r = await pipe(['run', file], env);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      "error: buildspec.yml: 1 problem found\n  buildspec.yml:3:3 phases.test: unknown phase 'test'; phases are install, pre_build, build, post_build\n    3 |   test:\n      |   ^",
    );
  });

  it('a repository that is not git: exit 2', async () => {
    const file = fixture(() => twoStagePipeline({ repository: '/tmp' }));
    const r = await pipe(['run', file], env);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe(
      'error: Source.Checkout: /tmp is not a git repository\nhint: git says: not a git repository (or any of the parent directories): .git',
    );
  });

  it('an unknown branch: exit 2, listing the known ones', async () => {
    const file = fixture((repo) => twoStagePipeline({ repository: repo, branch: 'develop' }));
    const r = await pipe(['run', file], env);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error: Source\.Checkout: Branch develop not found in repository \/\S+; known branches: main$/);
  });

  it('a missing image: exit 2, naming the image and the command that builds local ones', async () => {
    const file = fixture((repo) => twoStagePipeline({ repository: repo, image: 'pipe/missing:9' }));
    const r = await pipe(['run', file], env);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe("error: Build.Build: image pipe/missing:9 not found locally\nhint: build it with 'bash scripts/setup.sh'");
  });
});

it('no Docker engine: exit 1, saying so and how to start one', async () => {
  const file = fixture((repo) => twoStagePipeline({ repository: repo }));
  const r = await pipe(['run', file], env, { DOCKER_HOST: 'unix:///tmp/pipe-no-such-docker.sock' });
  expect(r.exitCode).toBe(1);
  expect(r.stderr).toBe(
    "error: no Docker engine answers (ENOENT unix:///tmp/pipe-no-such-docker.sock)\nhint: start one, or run 'bash scripts/setup.sh' which installs and starts it",
  );
});

it('bad flags: exit 2', async () => {
  env = makePipeEnv();
  const r = await pipe(['run'], env);
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toBe("error: missing required argument 'file'");
  const v = await pipe(['run', 'x.yml', '--variable', 'novalue'], env);
  expect(v.exitCode).toBe(2);
  expect(v.stderr.split('\n')[0]).toBe("error: option '--variable <NAME=VALUE>' argument 'novalue' is invalid. --variable takes NAME=VALUE");
});

it('a Deploy/Lambda key it does not take (CodePipeline spells FunctionName so): exit 2 before anything starts', async () => {
  const file = fixture((repo) => `${twoStagePipeline({ repository: repo })}  - name: Deploy
    actions:
      - name: Push
        type: Deploy/Lambda
        configuration: { functionName: hello }
        inputArtifacts: [Src]
`);
  const r = await pipe(['run', file], env);
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toContain("stages[2].actions[0].configuration.functionName: unknown key 'functionName'; did you mean 'FunctionName'?");
  expect(r.stderr).toContain("stages[2].actions[0].configuration.FunctionName: missing required configuration key 'FunctionName' for Deploy/Lambda");
});
