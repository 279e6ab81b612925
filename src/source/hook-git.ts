// What the hooks need from git: the repository's common directory (shared by its worktrees), its hooks directory
// (core.hooksPath honoured), the commit a ref update names, and the files the update changed.
import { realpath } from 'node:fs/promises';
import { PipeError } from '../core/index.js';
import type { GitRefUpdate } from '../core/index.js';
import { firstErrorLine, probeGit, runGit } from '../infra/index.js';

/** Where git keeps the repository's refs and hooks, whichever worktree (or bare repository) `dir` is in. */
export async function gitCommonDir(dir: string): Promise<string> {
  const r = await runGit(dir, ['rev-parse', '--path-format=absolute', '--git-common-dir'], { allowFailure: true });
  if (r.exitCode !== 0) {
    throw new PipeError('SOURCE_ERROR', `${dir} is not in a git repository`, { hint: `git says: ${firstErrorLine(r.stderr)}` });
  }
  return realpath(r.stdout.trim());
}

/** The directory git runs hooks from: `core.hooksPath` when set, else the common directory's `hooks`. */
export async function gitHooksDir(dir: string): Promise<string> {
  const out = await runGit(dir, ['rev-parse', '--path-format=absolute', '--git-path', 'hooks']);
  return out.stdout.trim();
}

/** The top level of the worktree holding `dir`, or undefined in a bare repository. */
export async function workTreeTop(dir: string): Promise<string | undefined> {
  const bare = await probeGit(dir, ['rev-parse', '--is-bare-repository']);
  if (bare === 'true') return undefined;
  return probeGit(dir, ['rev-parse', '--show-toplevel']);
}

/** The commit a ref now names (an annotated tag peeled), or undefined when it names no commit. */
export async function peelCommit(dir: string, object: string): Promise<string | undefined> {
  return probeGit(dir, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${object}^{commit}`]);
}

/** The commit each object names (annotated tags peeled), in one git process; objects that name no commit are left out. */
export async function peelCommits(dir: string, objects: readonly string[]): Promise<Map<string, string>> {
  const wanted = objects.filter((o) => /^[0-9a-f]{4,64}$/.test(o));
  if (wanted.length === 0) return new Map();
  const out = await runGit(dir, ['cat-file', '--batch-check=%(objectname) %(objecttype)'], { input: wanted.map((o) => `${o}^{commit}\n`).join('') });
  const peeled = new Map<string, string>();
  out.stdout.split('\n').forEach((line, i) => {
    const [id, type] = line.split(' ');
    const object = wanted[i];
    if (object !== undefined && id && type === 'commit') peeled.set(object, id);
  });
  return peeled;
}

/**
 * The files a ref update changed: old to new; for a new ref, every commit it brings that no other branch or tag
 * (besides those updated with it, `together`) already held.
 */
export async function changedFiles(dir: string, update: GitRefUpdate, newCommit: string, together: readonly GitRefUpdate[]): Promise<string[]> {
  const created = !/[^0]/.test(update.oldCommit);
  let args: string[];
  if (!created) {
    const old = await peelCommit(dir, update.oldCommit);
    args = old ? ['diff', '--name-only', '--no-renames', '-z', old, newCommit] : ['show', '--format=', '--name-only', '--no-renames', '-z', newCommit];
  } else {
    const excludes = (prefix: string) => together.filter((u) => u.ref.startsWith(prefix)).map((u) => `--exclude=${u.ref.slice(prefix.length)}`);
    args = ['log', '--format=', '--name-only', '--no-renames', '-m', '-z', newCommit, '--not', ...excludes('refs/heads/'), '--branches', ...excludes('refs/tags/'), '--tags'];
  }
  const out = await runGit(dir, args);
  return [...new Set(out.stdout.split(/[\0\n]/).filter((f) => f !== ''))];
}

/** The branch HEAD names in the worktree at `dir` (even an unborn one), or undefined when detached. */
export async function headBranchOf(dir: string): Promise<string | undefined> {
  return probeGit(dir, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
}
