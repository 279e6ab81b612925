// Opens a local git repository for a Source/Git action: checks the path and says plainly what is wrong.
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { PipeError } from '../core/index.js';
import { firstErrorLine, probeGit, runGit } from '../infra/index.js';

export interface GitRepository {
  /** The path as given (absolute): used in every message. */
  path: string;
  /** The directory git commands run in: the work tree's top level, or the bare repository. */
  dir: string;
  /** The top-level directory's name (a bare repository's without `.git`). */
  name: string;
}

async function checkDirectory(repository: string): Promise<void> {
  if (!path.isAbsolute(repository)) {
    throw new PipeError('SOURCE_ERROR', `Repository path ${repository} must be absolute`);
  }
  const info = await stat(repository).catch(() => undefined);
  if (info === undefined) throw new PipeError('SOURCE_ERROR', `Repository ${repository} does not exist`);
  if (!info.isDirectory()) throw new PipeError('SOURCE_ERROR', `Repository ${repository} is not a directory`);
}

/** Checks that `repository` is the top level of a git repository (or a bare one) and opens it. */
export async function openGitRepository(repository: string): Promise<GitRepository> {
  await checkDirectory(repository);
  const probe = await runGit(repository, ['rev-parse', '--is-bare-repository', '--absolute-git-dir'], { allowFailure: true });
  if (probe.exitCode !== 0) {
    throw new PipeError('SOURCE_ERROR', `${repository} is not a git repository`, {
      hint: `git says: ${firstErrorLine(probe.stderr)}`,
    });
  }
  const [bare, gitDir = ''] = probe.stdout.split('\n');
  const here = await realpath(repository);
  if (bare === 'true') {
    if (here !== (await realpath(gitDir))) {
      throw new PipeError('SOURCE_ERROR', `${repository} is inside the bare git repository ${gitDir} but is not it`);
    }
    return { path: repository, dir: here, name: path.basename(here).replace(/\.git$/, '') };
  }
  const top = (await probeGit(repository, ['rev-parse', '--show-toplevel'])) ?? here;
  if (here !== (await realpath(top))) {
    throw new PipeError('SOURCE_ERROR', `${repository} is inside the git repository ${top} but is not its top level`, {
      hint: `use ${top} as the repository`,
    });
  }
  return { path: repository, dir: here, name: path.basename(here) };
}

/** The commit HEAD names in the work tree holding `dir`; undefined outside a git work tree, before a first commit, or without git. */
export async function workTreeCommit(dir: string): Promise<string | undefined> {
  try {
    return await probeGit(dir, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  } catch {
    return undefined;
  }
}

/** Local branch names, sorted. */
export async function listBranches(repo: GitRepository): Promise<string[]> {
  const out = await runGit(repo.dir, ['for-each-ref', '--format=%(refname:short)', 'refs/heads']);
  return out.stdout.split('\n').filter((b) => b !== '').sort();
}

/** The full commit id a revision names, or undefined when it names no commit. */
export async function resolveCommit(repo: GitRepository, revision: string): Promise<string | undefined> {
  return probeGit(repo.dir, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`]);
}

/** The branch HEAD points at (even an unborn one), or undefined when HEAD is detached. */
export async function headBranch(repo: GitRepository): Promise<string | undefined> {
  return probeGit(repo.dir, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
}

/** Local branches whose tip contains `commitId`, sorted. */
export async function branchesContaining(repo: GitRepository, commitId: string): Promise<string[]> {
  const out = await runGit(repo.dir, ['for-each-ref', '--format=%(refname:short)', '--contains', commitId, 'refs/heads']);
  return out.stdout.split('\n').filter((b) => b !== '').sort();
}

/** The empty-repository error: no branch has a commit yet. */
export function emptyRepositoryError(repo: GitRepository): PipeError {
  return new PipeError('SOURCE_ERROR', `Repository ${repo.path} is empty: it has no commits`, {
    hint: 'commit something first (git commit), then run the pipeline again',
  });
}
