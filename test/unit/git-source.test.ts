// Source/Git against real repositories: resolution, output variables, the committed-only zip, errors.
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extract } from 'tar-stream';
import { sha256File, unzipToTar } from '../../src/artifacts/index.js';
import { archiveGitSource, gitOutputVariables, readGitFile, readSourceFile, resolveGitSource } from '../../src/source/index.js';

const AUTHORED = '2024-05-01T12:00:00Z';
const COMMITTED = '2024-05-02T08:30:00Z';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Pipe Test', '-c', 'user.email=pipe@example.com', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_DATE: AUTHORED, GIT_COMMITTER_DATE: COMMITTED, GIT_CONFIG_NOSYSTEM: '1' },
  }).trim();
}

async function commitFile(repo: string, file: string, content: string, message: string): Promise<string> {
  await mkdir(path.dirname(path.join(repo, file)), { recursive: true });
  await writeFile(path.join(repo, file), content);
  git(repo, 'add', file);
  git(repo, 'commit', '-q', '-m', message);
  return git(repo, 'rev-parse', 'HEAD');
}

async function readZip(file: string): Promise<Record<string, string>> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true });
  const out: Record<string, string> = {};
  for await (const entry of zip.eachEntry()) {
    if (entry.fileName.endsWith('/')) continue;
    const chunks: Buffer[] = [];
    for await (const c of await zip.openReadStreamPromise(entry)) chunks.push(c as Buffer);
    out[entry.fileName] = Buffer.concat(chunks).toString('utf8');
  }
  zip.close();
  return out;
}

let tmp: string;
let repo: string;
let first: string;
let second: string;
let featureTip: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'pipe-git-test-'));
  repo = path.join(tmp, 'hello-repo');
  await mkdir(repo);
  git(repo, 'init', '-q', '-b', 'main');
  first = await commitFile(repo, 'README.md', 'hello\n', 'Initial commit');
  second = await commitFile(repo, 'src/app.js', 'console.log(1);\n', 'Add the app\n\nWith a body line.');
  git(repo, 'checkout', '-q', '-b', 'feature');
  featureTip = await commitFile(repo, 'src/feature.js', 'feature\n', 'Feature work');
  git(repo, 'checkout', '-q', 'main');
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('resolveGitSource', () => {
  it('defaults to the branch HEAD points at', async () => {
    const resolved = await resolveGitSource({ repository: repo });
    expect(resolved).toMatchObject({ commitId: second, branchName: 'main', repositoryName: 'hello-repo' });
  });

  it("accepts the path as a pipeline file gives it (`..` from a subdirectory)", async () => {
    expect((await resolveGitSource({ repository: `${repo}/src/..` })).commitId).toBe(second);
  });

  it('on a detached HEAD takes HEAD and names a branch holding it', async () => {
    git(repo, 'checkout', '-q', '--detach', featureTip);
    try {
      expect(await resolveGitSource({ repository: repo })).toMatchObject({ commitId: featureTip, branchName: 'feature' });
    } finally {
      git(repo, 'checkout', '-q', 'main');
    }
  });

  it('resolves a branch to its tip', async () => {
    const resolved = await resolveGitSource({ repository: repo, branch: 'feature' });
    expect(resolved).toMatchObject({ commitId: featureTip, branchName: 'feature', commitMessage: 'Feature work' });
  });

  it('resolves a commit (abbreviated too) and names the HEAD branch that holds it', async () => {
    const resolved = await resolveGitSource({ repository: repo, commit: first.slice(0, 8) });
    expect(resolved).toMatchObject({ commitId: first, branchName: 'main', commitMessage: 'Initial commit' });
  });

  it('names another branch holding the commit when HEAD does not', async () => {
    expect(await resolveGitSource({ repository: repo, commit: featureTip })).toMatchObject({ branchName: 'feature' });
  });

  it('accepts a commit on the given branch and refuses one that is not', async () => {
    expect(await resolveGitSource({ repository: repo, branch: 'feature', commit: second })).toMatchObject({
      commitId: second,
      branchName: 'feature',
    });
    await expect(resolveGitSource({ repository: repo, branch: 'main', commit: featureTip })).rejects.toMatchObject({
      code: 'SOURCE_ERROR',
      message: `Commit ${featureTip} is not on branch main in repository ${repo}`,
    });
  });

  it("yields CodePipeline's output variables", async () => {
    expect(gitOutputVariables(await resolveGitSource({ repository: repo, branch: 'main' }))).toEqual({
      CommitId: second,
      BranchName: 'main',
      CommitMessage: 'Add the app\n\nWith a body line.',
      AuthorDate: AUTHORED,
      CommitterDate: COMMITTED,
      RepositoryName: 'hello-repo',
    });
  });

  it('ignores GIT_DIR and friends inherited from a git hook', async () => {
    const other = path.join(tmp, 'other');
    await mkdir(other);
    git(other, 'init', '-q', '-b', 'main');
    process.env.GIT_DIR = path.join(other, '.git');
    try {
      expect((await resolveGitSource({ repository: repo })).commitId).toBe(second);
    } finally {
      delete process.env.GIT_DIR;
    }
  });
});

describe('archiveGitSource', () => {
  it('zips the committed tree only, ignoring staged, modified and untracked files', async () => {
    await writeFile(path.join(repo, 'README.md'), 'changed, not committed\n');
    await writeFile(path.join(repo, 'untracked.txt'), 'nope\n');
    await writeFile(path.join(repo, 'staged.txt'), 'staged\n');
    git(repo, 'add', 'staged.txt');
    try {
      const out = path.join(tmp, 'store', 'hello', 'e-1');
      const zipPath = path.join(out, 'SourceOutput.zip');
      const written = await archiveGitSource(await resolveGitSource({ repository: repo }), zipPath);
      expect(await readZip(zipPath)).toEqual({ 'README.md': 'hello\n', 'src/app.js': 'console.log(1);\n' });
      expect(written).toEqual({ path: zipPath, sha256: await sha256File(zipPath), size: written.size });
      expect(written.size).toBeGreaterThan(0);
      expect(await readdir(out)).toEqual(['SourceOutput.zip']);
    } finally {
      git(repo, 'reset', '-q', '--hard');
      await rm(path.join(repo, 'untracked.txt'));
    }
  });

  it('unpacks for a container with execute bits and symlinks kept', async () => {
    const tools = path.join(tmp, 'tools');
    await mkdir(tools);
    git(tools, 'init', '-q', '-b', 'main');
    await writeFile(path.join(tools, 'run.sh'), '#!/bin/sh\n');
    await chmod(path.join(tools, 'run.sh'), 0o755);
    await symlink('run.sh', path.join(tools, 'start'));
    await commitFile(tools, 'lib/a.txt', 'a\n', 'Tools');
    git(tools, 'add', '.');
    git(tools, 'commit', '-q', '-m', 'Scripts');
    const zipPath = path.join(tmp, 'Tools.zip');
    await archiveGitSource(await resolveGitSource({ repository: tools }), zipPath);
    const entries: string[] = [];
    const tar = extract();
    (await unzipToTar(zipPath)).pipe(tar);
    for await (const entry of tar) {
      const { name, type, mode, linkname } = entry.header;
      entries.push(`${type ?? ''} ${name} ${(mode ?? 0).toString(8)}${linkname ? ` -> ${linkname}` : ''}`);
      entry.resume();
    }
    expect(entries).toEqual([
      'directory lib/ 755',
      'file lib/a.txt 644',
      'file run.sh 755',
      'symlink start 777 -> run.sh',
    ]);
  });

  it('reads one committed file, or undefined when the commit lacks it', async () => {
    expect(await readGitFile(repo, featureTip, './src/feature.js')).toBe('feature\n');
    expect(await readGitFile(repo, second, 'src/feature.js')).toBeUndefined();
    expect(await readGitFile(repo, second, 'src')).toBeUndefined();
  });

  it('reads one committed file of a resolved source, with the same answers and refusals', async () => {
    const source = await resolveGitSource({ repository: repo, commit: featureTip });
    expect(await readSourceFile(source, './src/feature.js')).toBe('feature\n');
    expect(await readSourceFile(source, 'src')).toBeUndefined();
    expect(await readSourceFile(source, 'nope.yml')).toBeUndefined();
    await expect(readSourceFile(source, '../x.yml')).rejects.toThrow(`../x.yml must be a path inside repository ${source.repository}`);
  });
});

describe('resolveGitSource errors', () => {
  it('names a missing path', async () => {
    const missing = path.join(tmp, 'nowhere');
    await expect(resolveGitSource({ repository: missing })).rejects.toMatchObject({
      code: 'SOURCE_ERROR',
      message: `Repository ${missing} does not exist`,
    });
  });

  it('names a directory that is not a git repository', async () => {
    const plain = path.join(tmp, 'plain');
    await mkdir(plain);
    await expect(resolveGitSource({ repository: plain })).rejects.toMatchObject({
      code: 'SOURCE_ERROR',
      message: `${plain} is not a git repository`,
    });
  });

  it('refuses a subdirectory of a repository, naming its top level', async () => {
    await expect(resolveGitSource({ repository: path.join(repo, 'src') })).rejects.toMatchObject({
      message: `${path.join(repo, 'src')} is inside the git repository ${repo} but is not its top level`,
    });
  });

  it('lists the known branches for an unknown branch', async () => {
    await expect(resolveGitSource({ repository: repo, branch: 'develop' })).rejects.toMatchObject({
      code: 'SOURCE_ERROR',
      message: `Branch develop not found in repository ${repo}; known branches: feature, main`,
    });
  });

  it('names an unknown commit', async () => {
    await expect(resolveGitSource({ repository: repo, commit: 'deadbeef' })).rejects.toMatchObject({
      code: 'SOURCE_ERROR',
      message: `Commit deadbeef not found in repository ${repo}`,
    });
  });

  it('says an empty repository has no commits, whatever was asked', async () => {
    const empty = path.join(tmp, 'empty');
    await mkdir(empty);
    git(empty, 'init', '-q', '-b', 'main');
    const message = `Repository ${empty} is empty: it has no commits`;
    await expect(resolveGitSource({ repository: empty })).rejects.toMatchObject({ code: 'SOURCE_ERROR', message });
    await expect(resolveGitSource({ repository: empty, branch: 'main' })).rejects.toMatchObject({ message });
    await expect(resolveGitSource({ repository: empty, commit: 'HEAD' })).rejects.toMatchObject({ message });
  });
});
