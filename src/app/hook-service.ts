// What `pipe hooks run` does after git's hook returned: empties the spool in the order git made the updates and,
// for each branch or tag update, starts (detached) every installed pipeline whose triggers match, at the exact commit.
import type { GitRefUpdate } from '../core/index.js';
import { ValidationError, isPipeError, isTerminalExecutionStatus } from '../core/index.js';
import type { ExecutionPlan } from '../core/index.js';
import { isProcessAlive } from '../infra/index.js';
import {
  acquireSpoolLock,
  changedFiles,
  gitCommonDir,
  hasSpoolEntries,
  headBranchOf,
  isTriggeringUpdate,
  matchTriggers,
  peelCommits,
  readInstallations,
  recordHookProblem,
  releaseSpoolLock,
  rotateHookLog,
  takeSpoolEntry,
} from '../source/index.js';
import type { HookInstallation, SpoolEntry, TriggerMatch } from '../source/index.js';
import { loadPlan, startPipeline } from './pipeline-service.js';
import type { PipeContext } from './pipeline-service.js';

/** Where `pipe hooks run` says what it did: one line per update and pipeline (the hook log). */
export type HookLog = (line: string) => void;

/** Empties the spool unless another live `pipe hooks run` is at it (it looks again after letting go, so nothing waits). */
export async function runHookSpool(ctx: PipeContext, log: HookLog): Promise<void> {
  rotateHookLog(ctx.home);
  while (acquireSpoolLock(ctx.home, isProcessAlive)) {
    try {
      for (let entry = takeSpoolEntry(ctx.home); entry; entry = takeSpoolEntry(ctx.home)) await handleEntry(ctx, entry, log);
    } finally {
      releaseSpoolLock(ctx.home);
    }
    if (!hasSpoolEntries(ctx.home)) return;
  }
}

/** What one spool entry's updates share: the pipelines as their files say now, and what git said once. */
interface EntryContext {
  ctx: PipeContext;
  installation: HookInstallation;
  entry: SpoolEntry;
  /** Each pipeline file's plan, or why it cannot start. */
  plans: Array<{ file: string; plan: ExecutionPlan } | { file: string; error: unknown }>;
  peeled: Map<string, string>;
  isThisRepository: (repo: string) => Promise<boolean>;
  headBranchOf: (repo: string) => Promise<string | undefined>;
  together: readonly GitRefUpdate[];
  log: HookLog;
}

async function handleEntry(ctx: PipeContext, entry: SpoolEntry, log: HookLog): Promise<void> {
  let repository: string;
  try {
    repository = await gitCommonDir(entry.directory);
  } catch (e) {
    log(`${entry.hook} in ${entry.directory}: ${describe(e)}; nothing started`);
    return;
  }
  const installation = readInstallations(ctx.home).find((i) => i.repository === repository);
  if (!installation) {
    log(`${entry.hook} in ${entry.directory}: no pipelines are installed for ${repository} in ${ctx.home}; nothing started`);
    return;
  }
  const updates = entry.updates.filter(isTriggeringUpdate);
  if (updates.length === 0) return;
  const plans: EntryContext['plans'] = [];
  for (const file of installation.pipelines) plans.push(await loadPlan(file).then((plan) => ({ file, plan }), (error: unknown) => ({ file, error })));
  const same = new Map<string, Promise<boolean>>();
  const heads = new Map<string, Promise<string | undefined>>();
  const shared: EntryContext = {
    ctx,
    installation,
    entry,
    plans,
    peeled: await peelCommits(entry.directory, updates.map((u) => u.newCommit)),
    isThisRepository: (repo) => cached(same, repo, () => gitCommonDir(repo).then((d) => d === installation.repository, () => false)),
    headBranchOf: (repo) => cached(heads, repo, () => headBranchOf(repo).catch(() => undefined)),
    together: updates,
    log,
  };
  for (const update of updates) await handleUpdate(shared, update);
}

function cached<T>(map: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let known = map.get(key);
  if (!known) {
    known = make();
    map.set(key, known);
  }
  return known;
}

async function handleUpdate(e: EntryContext, update: GitRefUpdate): Promise<void> {
  const { ctx, entry, installation, log } = e;
  const commit = e.peeled.get(update.newCommit);
  if (!commit) {
    log(`${update.ref} ${short(update.oldCommit)}..${short(update.newCommit)}: names no commit; nothing started`);
    return;
  }
  // An annotated tag is named by the commit it tags: the one the execution runs.
  const what = `${update.ref} ${short(update.oldCommit)}..${short(commit)}`;
  let files: Promise<string[]> | undefined;
  const context = {
    update,
    isThisRepository: e.isThisRepository,
    headBranchOf: e.headBranchOf,
    changedFiles: () => (files ??= changedFiles(entry.directory, update, commit, e.together)),
  };
  for (const loaded of e.plans) {
    if ('error' in loaded) {
      const line = `${what}: ${loaded.file} not started: ${describe(loaded.error)}`;
      log(line);
      recordHookProblem(ctx.home, line);
      continue;
    }
    const { file, plan } = loaded;
    try {
      const matches = await matchTriggers(plan, context);
      if (matches.length === 0) {
        log(`${what}: pipeline ${plan.pipeline}: no trigger matches`);
        continue;
      }
      const [first] = matches as [TriggerMatch, ...TriggerMatch[]];
      const r = await startPipeline(ctx, {
        file,
        detach: true,
        sourceRevisions: new Map(matches.map((m) => [m.actionName, { commit, ...(m.branch !== undefined ? { branch: m.branch } : {}) }])),
        trigger: {
          triggerType: 'GitHook',
          triggerDetail: `${entry.hook} ${what}`,
          gitHook: {
            hook: entry.hook,
            repository: installation.workTree ?? installation.repository,
            ref: update.ref,
            oldCommit: update.oldCommit,
            newCommit: commit,
            sourceActionName: first.actionName,
            filter: first.filter,
          },
          sourceRevisions: matches.map((m) => ({ actionName: m.actionName, revisionType: 'COMMIT_ID' as const, revisionValue: commit })),
        },
      });
      log(`${what}: pipeline ${plan.pipeline}: started execution ${r.executionId} at ${commit} (${matches.map((m) => m.filter).join('; ')})`);
      if (plan.executionMode !== 'PARALLEL' && !(await arrived(ctx, r.executionId))) log(`execution ${r.executionId}: its worker has not reached the first stage after ${ARRIVAL_DEADLINE_MS / 1000} s; starting the next one anyway`);
    } catch (err) {
      const line = `${what}: pipeline ${plan.pipeline} not started: ${describe(err)}`;
      log(line);
      recordHookProblem(ctx.home, line);
    }
  }
}

const ARRIVAL_DEADLINE_MS = 20_000;

/**
 * Waits until the execution's worker has entered its first stage or waits in front of it: the next update's execution
 * then arrives after it, so QUEUED runs them in the order git made them and SUPERSEDED keeps the newest.
 */
async function arrived(ctx: PipeContext, executionId: string): Promise<boolean> {
  const end = Date.now() + ARRIVAL_DEADLINE_MS;
  for (;;) {
    const e = ctx.store.getExecution(executionId);
    if (!e || e.stages.length > 0 || e.waitingFor || isTerminalExecutionStatus(e.status)) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}

function short(sha: string): string {
  return sha.slice(0, 12);
}

/** One line for the log: a validation error's first problem (and how many more), a PipeError's message and hint. */
function describe(e: unknown): string {
  if (e instanceof ValidationError) {
    const [first] = e.problems;
    const more = e.problems.length > 1 ? ` (and ${e.problems.length - 1} more; pipe validate shows them)` : '';
    return first ? `invalid: ${first.location.file}:${first.location.line}:${first.location.column} ${first.path}: ${first.message}${more}` : 'invalid';
  }
  if (isPipeError(e)) return `${e.message}${e.hint ? ` (${e.hint})` : ''}`;
  return e instanceof Error ? e.message : String(e);
}
