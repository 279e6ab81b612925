// Real git repositories for tests: files committed in a temp directory, plus a pipeline file pointing at them.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' },
  }).trim();
}

/** A repository with these files committed on `main`; returns its path. */
export function makeRepo(files: Record<string, string>, message = 'initial'): string {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-repo-'));
  git(dir, 'init', '-q', '-b', 'main');
  writeFiles(dir, files);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
  return dir;
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

/** A two-stage pipeline (Source/Git of `repository`, one Build/CodeBuild) as YAML text. */
export function twoStagePipeline(options: { repository: string; buildspec?: string; image?: string; branch?: string; outputs?: string[] }): string {
  return `name: fixture
stages:
  - name: Source
    actions:
      - name: Checkout
        type: Source/Git
        configuration:
          repository: ${options.repository}
${options.branch ? `          branch: ${options.branch}\n` : ''}        outputArtifacts: [Src]
        namespace: SourceVariables
  - name: Build
    actions:
      - name: Build
        type: Build/CodeBuild
        configuration:
          buildspec: ${options.buildspec ?? 'buildspec.yml'}
          image: ${options.image ?? 'pipe/standard:1'}
          environmentVariables:
            COMMIT: "#{SourceVariables.CommitId}"
        inputArtifacts: [Src]
${options.outputs ? `        outputArtifacts: [${options.outputs.join(', ')}]\n` : ''}`;
}
