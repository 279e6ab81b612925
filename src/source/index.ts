// Git sources: resolve a branch or commit of a local repository, its output variables, its zip.
export {
  GIT_OUTPUT_VARIABLE_NAMES,
  gitOutputVariables,
  resolveGitSource,
  type GitOutputVariables,
  type GitSourceRequest,
  type ResolvedGitSource,
} from './resolve-git-source.js';
export { archiveGitSource, readGitFile, readSourceFile } from './archive-git-source.js';
export { openGitRepository, listBranches, workTreeCommit, type GitRepository } from './git-repository.js';
export { createSourceExecutor } from './source-executor.js';
export { criteriaMatch, isTriggeringUpdate, matchTriggers, type RefUpdateContext, type TriggerMatch } from './trigger-match.js';
export { changedFiles, gitCommonDir, gitHooksDir, headBranchOf, peelCommit, peelCommits, workTreeTop } from './hook-git.js';
export { HOOK_NAME, HOOK_MARKER, CHAINED_SUFFIX, hookScript } from './hook-script.js';
export {
  hookFileState,
  hooksStateDir,
  installHook,
  readInstallations,
  uninstallHook,
  type HookFileState,
  type HookInstallation,
  type InstallOptions,
} from './hook-install.js';
export {
  acquireSpoolLock,
  countSpoolEntries,
  hasSpoolEntries,
  parseSpoolEntry,
  recordHookProblem,
  releaseSpoolLock,
  rotateHookLog,
  takeSpoolEntry,
  type SpoolEntry,
} from './hook-spool.js';
