// The Source/Git output artifact: a zip of the tree at the resolved commit, and single committed files.
import { PipeError } from '../core/index.js';
import { digestFile, writeFileAtomically, type FileDigest } from '../artifacts/index.js';
import { runGit } from '../infra/index.js';
import { openGitRepository } from './git-repository.js';
import type { ResolvedGitSource } from './resolve-git-source.js';

/**
 * Writes `git archive --format=zip` of the commit to `zipPath`, atomically: committed content only,
 * whatever the work tree holds. Submodules are not included (git archive leaves them out). Aborting `signal` ends
 * git and leaves nothing at `zipPath`.
 */
export async function archiveGitSource(source: ResolvedGitSource, zipPath: string, signal?: AbortSignal): Promise<FileDigest> {
  await writeFileAtomically(zipPath, async (temp) => {
    await runGit(source.repository, ['archive', '--format=zip', `--output=${temp}`, source.commitId], signal ? { signal } : {});
  });
  return digestFile(zipPath);
}

/**
 * The committed text of `file` (relative to the repository's root) at `commitId`, or undefined when
 * the commit has no such file. Used to read a buildspec before any container starts.
 */
export async function readGitFile(repository: string, commitId: string, file: string): Promise<string | undefined> {
  const repo = await openGitRepository(repository);
  return readCommittedFile(repo.dir, repository, commitId, file);
}

/** readGitFile of a source resolveGitSource resolved: its repository was opened (and checked) then, not again. */
export async function readSourceFile(source: ResolvedGitSource, file: string): Promise<string | undefined> {
  return readCommittedFile(source.repository, source.repository, source.commitId, file);
}

/** One git: `cat-file blob` fails alike for a path the commit lacks and for one that is no file (a directory). */
async function readCommittedFile(dir: string, repository: string, commitId: string, file: string): Promise<string | undefined> {
  const relative = file.replace(/^(\.\/)+/, '');
  if (commitId.startsWith('-')) throw new PipeError('SOURCE_ERROR', `Invalid commit ${commitId}`);
  if (relative.startsWith('/') || relative.split('/').includes('..')) {
    throw new PipeError('SOURCE_ERROR', `${file} must be a path inside repository ${repository}`);
  }
  const out = await runGit(dir, ['cat-file', 'blob', `${commitId}:${relative}`], { keepFinalNewline: true, allowFailure: true });
  return out.exitCode === 0 ? out.stdout : undefined;
}
