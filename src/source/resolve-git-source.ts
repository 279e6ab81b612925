// Source/Git: which commit a branch or commit names, its metadata, and CodePipeline's output variables.
import { PipeError } from '../core/index.js';
import { runGit } from '../infra/index.js';
import {
  branchesContaining,
  emptyRepositoryError,
  headBranch,
  listBranches,
  openGitRepository,
  resolveCommit,
  type GitRepository,
} from './git-repository.js';

export interface GitSourceRequest {
  /** Absolute path of the repository's top level (or of a bare repository). */
  repository: string;
  branch?: string;
  commit?: string;
  /**
   * With `commit`: the branch a git hook saw it pushed to, taken as BranchName without checking that the branch still
   * holds it (it may have been amended, rebased or deleted since).
   */
  pushedBranch?: string;
}

/** A Source/Git action's resolved revision. */
export interface ResolvedGitSource {
  /** The directory git runs in (the repository's real top level). */
  repository: string;
  commitId: string;
  /** The branch asked for; else HEAD's branch, or a branch containing the commit; `''` when none does. */
  branchName: string;
  commitMessage: string;
  authorDate: string;
  committerDate: string;
  repositoryName: string;
}

export const GIT_OUTPUT_VARIABLE_NAMES = [
  'CommitId', 'BranchName', 'CommitMessage', 'AuthorDate', 'CommitterDate', 'RepositoryName',
] as const;
export type GitOutputVariables = Record<(typeof GIT_OUTPUT_VARIABLE_NAMES)[number], string>;

/** CodePipeline keeps at most 100 KB of a commit message in `CommitMessage`. */
const MAX_COMMIT_MESSAGE = 100 * 1024;

/** The source action's output variables, named as CodePipeline names them. */
export function gitOutputVariables(source: ResolvedGitSource): GitOutputVariables {
  return {
    CommitId: source.commitId,
    BranchName: source.branchName,
    CommitMessage: source.commitMessage,
    AuthorDate: source.authorDate,
    CommitterDate: source.committerDate,
    RepositoryName: source.repositoryName,
  };
}

/** Epoch seconds as CodePipeline writes dates: ISO 8601 in UTC, to the second (`2024-05-01T12:00:00Z`). */
function isoSeconds(epoch: string): string {
  return new Date(Number(epoch) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

async function describeCommit(repo: GitRepository, commitId: string, branchName: string): Promise<ResolvedGitSource> {
  const out = await runGit(repo.dir, ['show', '-s', '--format=%at%x00%ct%x00%B', commitId]);
  const [authored = '0', committed = '0', message = ''] = out.stdout.split('\0');
  return {
    repository: repo.dir,
    commitId,
    branchName,
    commitMessage: message.trimEnd().slice(0, MAX_COMMIT_MESSAGE),
    authorDate: isoSeconds(authored),
    committerDate: isoSeconds(committed),
    repositoryName: repo.name,
  };
}

async function branchTip(repo: GitRepository, branch: string, known: readonly string[]): Promise<string> {
  const commitId = known.includes(branch) ? await resolveCommit(repo, `refs/heads/${branch}`) : undefined;
  if (commitId !== undefined) return commitId;
  if (known.length === 0) throw emptyRepositoryError(repo);
  throw new PipeError('SOURCE_ERROR', `Branch ${branch} not found in repository ${repo.path}; known branches: ${known.join(', ')}`);
}

/** HEAD's branch when it holds the commit, else the first branch (by name) that does, else none. */
async function branchFor(repo: GitRepository, commitId: string): Promise<string> {
  const holding = await branchesContaining(repo, commitId);
  const head = await headBranch(repo);
  if (head !== undefined && holding.includes(head)) return head;
  return holding[0] ?? '';
}

async function resolveExplicitCommit(repo: GitRepository, commit: string, branch: string | undefined, known: readonly string[]): Promise<ResolvedGitSource> {
  const commitId = commit.startsWith('-') ? undefined : await resolveCommit(repo, commit);
  if (commitId === undefined) {
    if (known.length === 0) throw emptyRepositoryError(repo);
    throw new PipeError('SOURCE_ERROR', `Commit ${commit} not found in repository ${repo.path}`);
  }
  if (branch === undefined) return describeCommit(repo, commitId, await branchFor(repo, commitId));
  await branchTip(repo, branch, known);
  const onBranch = await runGit(repo.dir, ['merge-base', '--is-ancestor', commitId, `refs/heads/${branch}`], { allowFailure: true });
  if (onBranch.exitCode !== 0) {
    throw new PipeError('SOURCE_ERROR', `Commit ${commit} is not on branch ${branch} in repository ${repo.path}`);
  }
  return describeCommit(repo, commitId, branch);
}

/**
 * Resolves what a Source/Git action checks out: the commit if given (checked to be on the branch when
 * both are), else the branch's tip, else HEAD's branch. Only commits count: the work tree is ignored.
 */
export async function resolveGitSource(request: GitSourceRequest): Promise<ResolvedGitSource> {
  const repo = await openGitRepository(request.repository);
  // HEAD's branch, when it is what counts, is asked at the same time as the branches: two gits at once, not in turn.
  const followsHead = request.commit === undefined && request.branch === undefined;
  const [known, headOf] = await Promise.all([listBranches(repo), followsHead ? headBranch(repo) : undefined]);
  if (request.commit !== undefined && request.pushedBranch !== undefined) {
    const commitId = request.commit.startsWith('-') ? undefined : await resolveCommit(repo, request.commit);
    if (commitId === undefined) throw new PipeError('SOURCE_ERROR', `Commit ${request.commit} not found in repository ${repo.path}`);
    return describeCommit(repo, commitId, request.pushedBranch);
  }
  if (request.commit !== undefined) return resolveExplicitCommit(repo, request.commit, request.branch, known);
  if (request.branch !== undefined) {
    return describeCommit(repo, await branchTip(repo, request.branch, known), request.branch);
  }
  const head = headOf;
  if (known.length === 0) throw emptyRepositoryError(repo);
  if (head === undefined) {
    const commitId = await resolveCommit(repo, 'HEAD');
    if (commitId === undefined) throw emptyRepositoryError(repo);
    return describeCommit(repo, commitId, await branchFor(repo, commitId));
  }
  const commitId = await resolveCommit(repo, `refs/heads/${head}`);
  if (commitId === undefined) {
    throw new PipeError('SOURCE_ERROR', `HEAD of repository ${repo.path} is branch ${head}, which has no commits; known branches: ${known.join(', ')}`);
  }
  return describeCommit(repo, commitId, head);
}
