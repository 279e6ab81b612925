// The benches' one-build pipeline: a git repository whose buildspec runs `true`, and a two-stage pipeline (its git
// source, a build on pipe/standard:1) with its own PIPE_HOME. Shared by bench/pipeline.mjs and bench/startup.mjs.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A git repository in `dir` with `files` committed. */
export function commitRepo(dir, files) {
  const git = (...a) => execFileSync('git', a, { cwd: dir, env: { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' } });
  git('init', '-q', '-b', 'main');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  git('add', '-A');
  git('commit', '-qm', 'bench');
}

/** The one-build pipeline in `dir`: its file and the environment of a `pipe run` of it. */
export function oneBuildPipeline(dir, name) {
  commitRepo(dir, { 'buildspec.yml': 'version: 0.2\nphases:\n  build:\n    commands:\n      - "true"\n' });
  const file = join(dir, 'pipeline.yml');
  writeFileSync(file, `name: ${name}
stages:
  - name: Source
    actions:
      - name: Checkout
        type: Source/Git
        configuration: { repository: . }
        outputArtifacts: [Src]
  - name: Build
    actions:
      - name: Build
        type: Build/CodeBuild
        configuration: { image: pipe/standard:1 }
        inputArtifacts: [Src]
`);
  return { file, env: { PIPE_HOME: join(dir, 'home'), PIPE_ARTIFACTS: join(dir, 'artifacts'), NO_COLOR: '1' } };
}
