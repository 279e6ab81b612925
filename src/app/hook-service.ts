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
  peelCommit,
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
  for (const update of updates) await handleUpdate(ctx, installation, entry, update, updates, log);
}

async function handleUpdate(
  ctx: PipeContext,
  installation: HookInstallation,
  entry: SpoolEntry,
  update: GitRefUpdate,
  together: readonly GitRefUpdate[],
  log: HookLog,
): Promise<void> {
  const dir = entry.directory;
  const commit = await peelCommit(dir, update.newCommit);
  if (!commit) {
    log(`${update.ref} ${short(update.oldCommit)}..${short(update.newCommit)}: names no commit; nothing started`);
    return;
  }
  // An annotated tag is named by the commit it tags: the one the execution runs.
  const what = `${update.ref} ${short(update.oldCommit)}..${short(commit)}`;
  let files: Promise<string[]> | undefined;
  const sameRepository = new Map<string, Promise<boolean>>();
  const context = {
    update,
    isThisRepository: (repo: string) => {
      let known = sameRepository.get(repo);
      if (!known) {
        known = gitCommonDir(repo).then((d) => d === installation.repository, () => false);
        sameRepository.set(repo, known);
      }
      return known;
    },
    headBranchOf: (repo: string) => headBranchOf(repo).catch(() => undefined),
    changedFiles: () => (files ??= changedFiles(dir, update, commit, together)),
  };
  for (const file of installation.pipelines) {
    let plan: ExecutionPlan;
    try {
      plan = await loadPlan(file);
    } catch (e) {
      const line = `${what}: ${file} not started: ${describe(e)}`;
      log(line);
      recordHookProblem(ctx.home, line);
      continue;
    }
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
    } catch (e) {
      const line = `${what}: pipeline ${plan.pipeline} not started: ${describe(e)}`;
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
