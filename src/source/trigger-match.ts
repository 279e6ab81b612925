// Which pipelines a ref update starts: CodePipeline V2's push filters (branches, tags, file paths of the real diff),
// or, for a source action without a trigger, an update of the branch it names (HEAD's branch when it names none).
import { isAbsolute, resolve } from 'node:path';
import type { ExecutionPlan, GitFilterCriteria, GitPushFilterSpec, GitRefUpdate } from '../core/index.js';
import { matchesGlob } from '../parse/index.js';
import { readGitSourceConfiguration } from '../plan/index.js';

/** A source action the update starts, at the update's new commit. */
export interface TriggerMatch {
  /** The source action's id (`Stage.Action`) and name. */
  actionId: string;
  actionName: string;
  /** `triggers[0].gitConfiguration.push[1]`, or `branch main of Source.Checkout` without triggers. */
  filter: string;
  /** The branch the update moved (absent for a tag): the execution's BranchName. */
  branch?: string;
}

/** What the matcher needs to know about the repository the update happened in. */
export interface RefUpdateContext {
  update: GitRefUpdate;
  /** Whether a Source/Git action's repository (absolute) is the repository the update happened in. */
  isThisRepository: (repository: string) => Promise<boolean>;
  /** The branch HEAD names in a source action's repository (for a source action that names no branch). */
  headBranchOf: (repository: string) => Promise<string | undefined>;
  /** The files the update changed (old to new; every commit of a new ref); asked only when a filter needs them. */
  changedFiles: () => Promise<readonly string[]>;
}

const BRANCH_PREFIX = 'refs/heads/';
const TAG_PREFIX = 'refs/tags/';

/** Whether a ref update is one that can start anything: a branch or tag that now names a commit it did not name. */
export function isTriggeringUpdate(u: GitRefUpdate): boolean {
  return (u.ref.startsWith(BRANCH_PREFIX) || u.ref.startsWith(TAG_PREFIX)) && /[^0]/.test(u.newCommit) && u.oldCommit !== u.newCommit;
}

export function criteriaMatch(c: GitFilterCriteria, name: string): boolean {
  if (c.excludes.some((p) => matchesGlob(p, name))) return false;
  return c.includes.length === 0 || c.includes.some((p) => matchesGlob(p, name));
}

async function filterMatches(f: GitPushFilterSpec, ctx: RefUpdateContext): Promise<boolean> {
  const { ref } = ctx.update;
  if (f.tags) return ref.startsWith(TAG_PREFIX) && criteriaMatch(f.tags, ref.slice(TAG_PREFIX.length));
  if (!f.branches || !ref.startsWith(BRANCH_PREFIX) || !criteriaMatch(f.branches, ref.slice(BRANCH_PREFIX.length))) return false;
  if (!f.filePaths) return true;
  const criteria = f.filePaths;
  return (await ctx.changedFiles()).some((file) => criteriaMatch(criteria, file));
}

/** The source actions of `plan` that the update starts, each with the filter that matched; empty: it starts nothing. */
export async function matchTriggers(plan: ExecutionPlan, ctx: RefUpdateContext): Promise<TriggerMatch[]> {
  if (!isTriggeringUpdate(ctx.update)) return [];
  const { ref } = ctx.update;
  const branch = ref.startsWith(BRANCH_PREFIX) ? ref.slice(BRANCH_PREFIX.length) : undefined;
  const matches: TriggerMatch[] = [];
  const sources = plan.stages.flatMap((s) => s.groups.flat()).filter((a) => a.type === 'Source/Git');
  for (const action of sources) {
    if (action.references.length > 0) continue; // a repository or branch known only at run time
    const config = readGitSourceConfiguration(action.configuration);
    const repository = isAbsolute(config.repository) ? config.repository : resolve(plan.baseDir, config.repository);
    if (!(await ctx.isThisRepository(repository))) continue;
    const index = (plan.triggers ?? []).findIndex((t) => t.sourceActionName === action.name);
    const trigger = plan.triggers?.[index];
    const base = { actionId: action.id, actionName: action.name, ...(branch !== undefined ? { branch } : {}) };
    if (trigger) {
      for (const [i, f] of trigger.push.entries()) {
        if (await filterMatches(f, ctx)) {
          matches.push({ ...base, filter: `triggers[${index}].gitConfiguration.push[${i}]` });
          break;
        }
      }
      continue;
    }
    if (config.commit !== undefined) continue; // pinned to a commit: no update moves it
    const watched = config.branch ?? (await ctx.headBranchOf(repository));
    if (watched !== undefined && branch === watched) matches.push({ ...base, filter: `branch ${watched} of ${action.id}` });
  }
  return matches;
}
