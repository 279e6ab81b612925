// State follows the project: with no PIPE_HOME or PIPE_ARTIFACTS, `.pipe/` and `artifacts/` are kept at the project's
// root (the nearest folder above holding .pipe or .git), whichever folder pipe runs from.
import { execa } from 'execa';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findWorkspaceRoot } from '../../src/infra/workspace.js';
import { PIPE_BIN } from '../support/cli.js';
import { describeDocker } from '../support/docker.js';
import { makeRepo, twoStagePipeline } from '../support/git-fixture.js';

/** The environment less any PIPE_HOME / PIPE_ARTIFACTS of the caller's. */
function envWithoutState(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'PIPE_HOME' && k !== 'PIPE_ARTIFACTS') env[k] = v;
  return { ...env, NO_COLOR: '1' };
}

const runPipe = (cwd: string, args: string[]) => execa('node', [PIPE_BIN, ...args], { cwd, env: envWithoutState(), extendEnv: false, reject: false });

describe('the project root', () => {
  it('is the nearest folder holding .git or .pipe, else the folder itself', () => {
    const repo = makeRepo({ 'a/b/c.txt': 'x' });
    expect(findWorkspaceRoot(join(repo, 'a', 'b'))).toBe(repo);
    mkdirSync(join(repo, 'a', '.pipe'));
    expect(findWorkspaceRoot(join(repo, 'a', 'b'))).toBe(join(repo, 'a'));
    expect(findWorkspaceRoot('/')).toBe('/');
  });

  it('`pipe parameters` from two subfolders read and write one store at the root', async () => {
    const repo = makeRepo({ 'a/b/keep.txt': '', 'c/keep.txt': '' });
    const set = await runPipe(join(repo, 'a', 'b'), ['parameters', 'set', '/app/db-host', 'db.local']);
    expect(set.stderr).toBe('');
    expect(set.exitCode).toBe(0);
    const got = await runPipe(join(repo, 'c'), ['parameters', 'get', '/app/db-host']);
    expect(got.stdout).toContain('db.local');
    expect(existsSync(join(repo, '.pipe', 'state.db'))).toBe(true);
    expect(existsSync(join(repo, 'a', 'b', '.pipe'))).toBe(false);
    expect(existsSync(join(repo, 'c', '.pipe'))).toBe(false);
  });
});

describeDocker('pipe run from a subfolder', () => {
  it('keeps .pipe/ and artifacts/ at the root of the pipeline file\'s project; pipe executions shows it from anywhere in it', async () => {
    const repo = makeRepo({
      'buildspec.yml': 'version: 0.2\nphases:\n  build:\n    commands:\n      - echo built\n',
      'pipelines/p.yml': twoStagePipeline({ repository: '..' }),
      'deep/er/keep.txt': '',
    });
    const cwd = join(repo, 'deep', 'er');
    const run = await runPipe(cwd, ['run', '../../pipelines/p.yml']);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(readdirSync(cwd)).toEqual(['keep.txt']); // nothing written where pipe ran
    expect(readdirSync(join(repo, 'artifacts', 'fixture'))).toHaveLength(1);
    const list = await runPipe(join(repo, 'pipelines'), ['executions', '--json']);
    const executions = JSON.parse(list.stdout) as { pipeline: string; status: string }[];
    expect(executions.map((e) => [e.pipeline, e.status])).toEqual([['fixture', 'Succeeded']]);
  });
});
