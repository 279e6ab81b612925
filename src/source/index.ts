// Git sources: resolve a branch or commit of a local repository, its output variables, its zip.
export {
  GIT_OUTPUT_VARIABLE_NAMES,
  gitOutputVariables,
  resolveGitSource,
  type GitOutputVariables,
  type GitSourceRequest,
  type ResolvedGitSource,
} from './resolve-git-source.js';
export { archiveGitSource, readGitFile } from './archive-git-source.js';
export { openGitRepository, listBranches, workTreeCommit, type GitRepository } from './git-repository.js';
export { createSourceExecutor } from './source-executor.js';
