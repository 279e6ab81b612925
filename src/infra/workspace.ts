// Where a project's state lives: `.pipe/` (PIPE_HOME) and `artifacts/` (PIPE_ARTIFACTS) at the project's root, found
// as git finds `.git`: the nearest folder, from where pipe starts looking upwards, that holds `.pipe/` or `.git`.
// So `pipe executions` shows the same list from anywhere in the project, and a run from a subfolder writes no
// stray state there.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The nearest folder at or above `start` holding `.pipe` or `.git` (a folder, or a worktree's file); else `start`. */
export function findWorkspaceRoot(start: string = process.cwd()): string {
  const from = resolve(start);
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.pipe')) || existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return from;
  }
}

export interface WorkspaceOptions {
  env?: NodeJS.ProcessEnv;
  /** Where to start looking for the project's root: a pipeline file's folder, or the working directory. */
  from?: string;
}

/** PIPE_HOME, else `<project root>/.pipe`: state, logs and the cache. */
export function pipeHome(options: WorkspaceOptions = {}): string {
  const env = options.env ?? process.env;
  return resolve(env['PIPE_HOME'] ?? join(findWorkspaceRoot(options.from), '.pipe'));
}

/** PIPE_ARTIFACTS, else `<project root>/artifacts`: the artifact store. */
export function artifactRoot(options: WorkspaceOptions = {}): string {
  const env = options.env ?? process.env;
  return resolve(env['PIPE_ARTIFACTS'] ?? join(findWorkspaceRoot(options.from), 'artifacts'));
}
