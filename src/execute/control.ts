// What any process may do to an execution it does not run, with CodePipeline's rules and reasons: stop it (and wait,
// or abandon), answer its approval, retry a failed or stopped stage, roll a stage back to an earlier execution,
// disable or enable a stage's inbound transition. Each leaves the store consistent; the caller then lets the
// execution's owner (or a new worker) carry on.
import { PipeError, isTerminalExecutionStatus } from '../core/index.js';
import type { ExecutionPlan, ExecutionTrigger } from '../core/index.js';
import { newExecutionId } from '../core/index.js';
import { ApprovalStore } from './approvals.js';
import { settingsOf } from './execution-driver.js';
import type { Engine } from './engine.js';
import type { ExecutionDetail, ExecutionStore } from './execution-store.js';
import { LeaseStore, isOwnerGone } from './lease.js';
import { StageGate } from './stage-gate.js';

export interface ControlDeps {
  store: ExecutionStore;
  isAlive: (pid: number) => boolean;
}

/** An execution by id or unique id prefix; NOT_FOUND, or INVALID_ARGUMENT for an ambiguous prefix. */
export function findExecution(store: ExecutionStore, id: string): ExecutionDetail {
  const found = store.getExecution(id);
  if (found) return found;
  const n = store.countPrefix(id);
  if (n > 1) throw new PipeError('INVALID_ARGUMENT', `execution id '${id}' is ambiguous: ${n} executions start with it`);
  throw new PipeError('NOT_FOUND', `no execution '${id}'`, { hint: "'pipe executions' lists them" });
}

/** Whether a live process runs the execution now (else it is parked, or its owner died). */
export function hasLiveOwner(deps: ControlDeps, executionId: string): boolean {
  const row = deps.store.db.prepare('SELECT owner_id, lease_expires FROM executions WHERE id = ?').get(executionId) as
    | { owner_id: string | null; lease_expires: number | null }
    | undefined;
  return Boolean(row?.owner_id && !isOwnerGone(row.owner_id, row.lease_expires ?? 0, deps.isAlive));
}

export interface ControlResult {
  executionId: string;
  /** Nobody runs the execution now: the caller continues it (a worker, or in this process). */
  needsDriver: boolean;
}

/** `pipe stop`: stop and wait lets running actions finish; abandon marks them Abandoned now. */
export function requestStop(deps: ControlDeps, id: string, options: { abandon: boolean; reason?: string }): ControlResult {
  const e = findExecution(deps.store, id);
  // Superseded while it waited, its driver not there yet to say so: it is Superseded already, as CodePipeline has
  // it (a superseded execution is no longer in progress), and a stop must not turn it into a Stopped one.
  const status = deps.store.stopRequestOf(e.executionId).request === 'superseded' ? 'Superseded' : e.status;
  if (isTerminalExecutionStatus(status)) {
    throw new PipeError('INVALID_ARGUMENT', `execution ${e.executionId} is ${status}; only an execution in progress can be stopped`);
  }
  if (e.status === 'Stopping' && !options.abandon) {
    throw new PipeError('INVALID_ARGUMENT', `execution ${e.executionId} is already stopping`, { hint: `'pipe stop ${e.executionId.slice(0, 8)} --abandon' abandons its running actions now` });
  }
  deps.store.requestStop(e.executionId, options.abandon ? 'abandon' : 'wait', options.reason ?? (options.abandon ? 'stopped and abandoned' : 'stopped'));
  return { executionId: e.executionId, needsDriver: !hasLiveOwner(deps, e.executionId) };
}

/** `pipe approve`: answers the approval an action waits for. */
export function answerApproval(
  deps: ControlDeps,
  id: string,
  stageAction: string,
  answer: { approve: boolean; summary?: string },
): ControlResult & { stage: string; action: string } {
  const e = findExecution(deps.store, id);
  const [stage, action] = splitStageAction(e, stageAction);
  const approvals = new ApprovalStore(deps.store.db);
  const key = approvals.waiting(e.executionId, stage, action);
  if (!key) {
    const any = e.approvals.filter((a) => a.stage === stage && a.action === action).at(-1);
    if (any) throw new PipeError('INVALID_ARGUMENT', `${stage}.${action} is no longer waiting for approval: it was ${any.status.toLowerCase()}${any.respondedAt ? ` at ${any.respondedAt}` : ''}`);
    throw new PipeError('INVALID_ARGUMENT', `${stage}.${action} of execution ${e.executionId} is not waiting for approval`, {
      hint: e.approvals.some((a) => a.status === 'Waiting') ? `waiting: ${e.approvals.filter((a) => a.status === 'Waiting').map((a) => `${a.stage}.${a.action}`).join(', ')}` : 'no approval of this execution is waiting',
    });
  }
  if (isTerminalExecutionStatus(e.status)) throw new PipeError('INVALID_ARGUMENT', `execution ${e.executionId} is ${e.status}`);
  // Past its timeout a request can no longer be answered, though it still says Waiting until its driver (a worker
  // this command starts for a parked execution) fails the action.
  const expiresAt = approvals.get(key)?.expiresAt ?? '';
  if (Date.parse(expiresAt) <= Date.now()) {
    throw new PipeError('INVALID_ARGUMENT', `${stage}.${action} is no longer waiting for approval: its request expired at ${expiresAt}`);
  }
  approvals.respond(key, answer.approve ? 'Approved' : 'Rejected', answer.summary);
  return { executionId: e.executionId, stage, action, needsDriver: !hasLiveOwner(deps, e.executionId) };
}

function splitStageAction(e: ExecutionDetail, stageAction: string): [string, string] {
  const dot = stageAction.indexOf('.');
  if (dot > 0) return [stageAction.slice(0, dot), stageAction.slice(dot + 1)];
  const matches = e.actions.filter((a) => a.action === stageAction);
  if (matches.length === 1 && matches[0]) return [matches[0].stage, matches[0].action];
  throw new PipeError('INVALID_ARGUMENT', `name the action as Stage.Action, e.g. ${e.actions[0] ? `${e.actions[0].stage}.${e.actions[0].action}` : 'Deploy.Approve'}`);
}

/**
 * `pipe retry`: a failed or stopped stage runs again as a new attempt (its failed actions, or all), with the same
 * inputs, and the execution goes on from there. Refused where CodePipeline refuses.
 */
export function prepareRetry(
  engine: Engine,
  deps: ControlDeps,
  id: string,
  stage: string,
  options: { allActions: boolean; currentStructureDigest?: string },
): ControlResult & { attempt: number } {
  const e = findExecution(deps.store, id);
  if (deps.store.kindOf(e.executionId) === 'build') {
    throw new PipeError('INVALID_ARGUMENT', `execution ${e.executionId} is a build pipe build ran: it cannot be retried`, { hint: 'run pipe build again' });
  }
  const state = deps.store.runState(e.executionId);
  if (!state) throw new PipeError('INVALID_ARGUMENT', `execution ${e.executionId} was recorded by an older pipe and cannot be retried`);
  const plan = state.plan as ExecutionPlan;
  if (!plan.stages.some((s) => s.name === stage)) {
    throw new PipeError('INVALID_ARGUMENT', `pipeline ${plan.pipeline} has no stage ${stage}`, { hint: `stages: ${plan.stages.map((s) => s.name).join(', ')}` });
  }
  if (e.status === 'Superseded') throw new PipeError('INVALID_ARGUMENT', `execution ${e.executionId} was superseded: a superseded execution cannot be retried`);
  if (e.status !== 'Failed' && e.status !== 'Stopped') {
    throw new PipeError('INVALID_ARGUMENT', `execution ${e.executionId} is ${e.status}: only a failed or stopped execution's stage can be retried`);
  }
  const latest = deps.store.latestStageAttempt(e.executionId, stage);
  if (!latest) throw new PipeError('INVALID_ARGUMENT', `stage ${stage} did not run in execution ${e.executionId}: there are no failed actions to retry`);
  if (latest.status !== 'Failed' && latest.status !== 'Stopped') {
    throw new PipeError('INVALID_ARGUMENT', `stage ${stage} of execution ${e.executionId} is ${latest.status}: only a failed or stopped stage can be retried`);
  }
  if (options.currentStructureDigest && plan.structureDigest && options.currentStructureDigest !== plan.structureDigest) {
    throw new PipeError('INVALID_ARGUMENT', `the structure of pipeline ${plan.pipeline} changed since execution ${e.executionId} ran: it cannot be retried`, {
      hint: "start a new execution with 'pipe run'",
    });
  }
  const newer = deps.store.newerInStage(plan.pipeline, e.executionId, stage);
  if (newer.length > 0) {
    throw new PipeError('INVALID_ARGUMENT', `stage ${stage} has been taken by a newer execution (${newer[0]}): execution ${e.executionId} cannot retry it`);
  }
  const gate = new StageGate(deps.store.db);
  if (settingsOf(plan).mode !== 'PARALLEL' && !gate.retake(plan.pipeline, stage, e.executionId)) {
    throw new PipeError('INVALID_ARGUMENT', `stage ${stage} is locked by execution ${gate.holder(plan.pipeline, stage)}: retry it when that execution has left the stage`);
  }
  const attempt = latest.attempt + 1;
  const statuses = deps.store.actionStatuses(e.executionId, stage, latest.attempt);
  const keep = options.allActions ? [] : [...statuses].filter(([, st]) => st === 'Succeeded').map(([a]) => a);
  deps.store.clearStopRequest(e.executionId);
  deps.store.carryActions(e.executionId, stage, latest.attempt, attempt, keep);
  engine.emit({ type: 'execution', executionId: e.executionId, pipeline: plan.pipeline, status: 'InProgress', message: `retrying stage ${stage} (attempt ${attempt}, ${options.allActions ? 'all actions' : 'failed actions'})` });
  engine.emit({ type: 'stage', executionId: e.executionId, stage, status: 'InProgress', attempt, retryTrigger: 'ManualStageRetry' });
  return { executionId: e.executionId, attempt, needsDriver: true };
}

/**
 * `pipe rollback`: a new execution of type ROLLBACK runs one stage again with the artifacts and variables of an
 * earlier execution that succeeded in it (by default the most recent). Refused where CodePipeline refuses.
 */
export function prepareRollback(
  engine: Engine,
  deps: ControlDeps,
  plan: ExecutionPlan,
  stage: string,
  options: { to?: string; trigger: ExecutionTrigger; artifactRoot: string },
): ControlResult {
  const stagePlan = plan.stages.find((s) => s.name === stage);
  if (!stagePlan) throw new PipeError('INVALID_ARGUMENT', `pipeline ${plan.pipeline} has no stage ${stage}`, { hint: `stages: ${plan.stages.map((s) => s.name).join(', ')}` });
  if (settingsOf(plan).mode === 'PARALLEL') throw new PipeError('INVALID_ARGUMENT', `pipeline ${plan.pipeline} runs in PARALLEL mode: stage rollback is not available in it`);
  if (stagePlan.groups.flat().every((a) => a.category === 'Source')) {
    throw new PipeError('INVALID_ARGUMENT', `stage ${stage} is a source stage: source stages cannot be rolled back`);
  }
  let target: string;
  if (options.to) {
    const t = findExecution(deps.store, options.to);
    if (t.pipeline !== plan.pipeline) throw new PipeError('INVALID_ARGUMENT', `execution ${t.executionId} is of pipeline ${t.pipeline}, not ${plan.pipeline}`);
    if (t.executionType === 'ROLLBACK') throw new PipeError('INVALID_ARGUMENT', `execution ${t.executionId} is a rollback: a rollback execution cannot be a rollback target`);
    const st = deps.store.latestStageAttempt(t.executionId, stage);
    if (st?.status !== 'Succeeded') throw new PipeError('INVALID_ARGUMENT', `execution ${t.executionId} did not succeed in stage ${stage}: only such an execution can be the target`);
    checkSameStructure(deps, t.executionId, plan);
    target = t.executionId;
  } else {
    const candidates = deps.store.succeededInStage(plan.pipeline, stage).filter((c) => c.executionType === 'STANDARD' && sameStructure(deps, c.executionId, plan));
    const first = candidates[0];
    if (!first) throw new PipeError('INVALID_ARGUMENT', `no earlier execution of ${plan.pipeline} succeeded in stage ${stage} on the current pipeline structure: there is nothing to roll back to`);
    target = first.executionId;
  }
  const targetVariables = deps.store.getExecution(target)?.variables ?? {};
  const executionId = newExecutionId();
  engine.create(plan, {
    executionId,
    trigger: options.trigger,
    variables: targetVariables,
    artifactRoot: options.artifactRoot,
    sources: deps.store.runState(target)?.sources ?? {},
    executionType: 'ROLLBACK',
    rollbackTarget: target,
    rollbackStage: stage,
  });
  return { executionId, needsDriver: true };
}

function sameStructure(deps: ControlDeps, executionId: string, plan: ExecutionPlan): boolean {
  const stored = deps.store.runState(executionId)?.plan as ExecutionPlan | undefined;
  return Boolean(stored && stored.structureDigest === plan.structureDigest);
}

function checkSameStructure(deps: ControlDeps, executionId: string, plan: ExecutionPlan): void {
  if (!sameStructure(deps, executionId, plan)) {
    throw new PipeError('INVALID_ARGUMENT', `execution ${executionId} ran on another structure of pipeline ${plan.pipeline}: it cannot be a rollback target`);
  }
}

/** `pipe transition disable|enable`: executions wait in front of a disabled transition. */
export function setTransition(deps: ControlDeps, plan: ExecutionPlan, stage: string, change: { enable: true } | { enable: false; reason: string }): void {
  if (!plan.stages.some((s) => s.name === stage)) throw new PipeError('INVALID_ARGUMENT', `pipeline ${plan.pipeline} has no stage ${stage}`, { hint: `stages: ${plan.stages.map((s) => s.name).join(', ')}` });
  if (plan.stages[0]?.name === stage) throw new PipeError('INVALID_ARGUMENT', `stage ${stage} is the first stage: it has no inbound transition`);
  const gate = new StageGate(deps.store.db);
  if (change.enable) {
    if (!gate.enable(plan.pipeline, stage)) throw new PipeError('INVALID_ARGUMENT', `the transition into ${stage} is not disabled`);
    return;
  }
  if (!change.reason.trim()) throw new PipeError('INVALID_ARGUMENT', 'disabling a transition needs a --reason, as CodePipeline asks');
  gate.disable(plan.pipeline, stage, change.reason);
}

/**
 * Leases of executions nobody runs: for a sweep, the parked ones that need a driver: their approval expired, a stop
 * was asked, or an approval was answered and the worker started for it died before it took the answer.
 */
export function parkedNeedingDriver(deps: ControlDeps): string[] {
  const leases = new LeaseStore(deps.store.db, deps.isAlive);
  const approvals = new ApprovalStore(deps.store.db);
  const due = new Set([...approvals.expired().map((k) => k.executionId), ...approvals.answeredPending()]);
  const stopping = (id: string) => deps.store.stopRequestOf(id).request !== undefined;
  return leases.unowned().filter((u) => u.parked && (due.has(u.executionId) || stopping(u.executionId))).map((u) => u.executionId);
}
