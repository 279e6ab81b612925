// CodePipeline V2's git triggers (`triggers[].gitConfiguration.push[]`) and what a git hook hands to pipe.

/** `includes` / `excludes` glob lists of one criterion; excludes win. */
export interface GitFilterCriteria {
  includes: string[];
  excludes: string[];
}

/** One push filter: tags alone, branches alone, or branches with file paths (CodePipeline's valid combinations). */
export interface GitPushFilterSpec {
  branches?: GitFilterCriteria;
  tags?: GitFilterCriteria;
  filePaths?: GitFilterCriteria;
}

/** One trigger: the source action it starts from, and its push filters (any one matching starts the pipeline). */
export interface PipelineTriggerSpec {
  providerType: string;
  sourceActionName: string;
  push: GitPushFilterSpec[];
}

/** CodePipeline's limits: at most 3 push filters per trigger, 8 patterns per list, 255 characters per pattern. */
export const TRIGGER_LIMITS = { pushFilters: 3, patterns: 8, patternLength: 255 } as const;
export const TRIGGER_PROVIDER_TYPES = ['CodeStarSourceConnection'] as const;

/** One line of a ref update as git's `reference-transaction` hook reads it. */
export interface GitRefUpdate {
  ref: string;
  oldCommit: string;
  newCommit: string;
}

/** Why a git hook started an execution: recorded with it and shown by `pipe execution ID`. */
export interface GitHookTrigger {
  hook: string;
  repository: string;
  ref: string;
  oldCommit: string;
  newCommit: string;
  sourceActionName: string;
  /** Which filter matched: `triggers[0].gitConfiguration.push[1]`, or the source action's branch when there are none. */
  filter: string;
}

/** StartPipelineExecution's `sourceRevisions[]`: run a source action at this revision instead of its branch's tip. */
export interface SourceRevision {
  actionName: string;
  revisionType: 'COMMIT_ID';
  revisionValue: string;
}
