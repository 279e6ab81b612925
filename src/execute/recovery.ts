// When the process running an execution dies, the first pipe process that notices finishes it as CodePipeline would:
// the actions it was running fail ("interrupted"), the stage and the execution fail, its locks and waits go; an
// execution that was only waiting for approvals is kept waiting, parked, for `pipe approve` to continue. Which
// containers and files to remove is the caller's (it knows Docker); this returns the executions it finished.
import { now } from '../core/index.js';
import type { ExecutionPlan } from '../core/index.js';
import { isApprovalAction } from './execution-driver.js';
import type { ExecutionStore } from './execution-store.js';
import { LeaseStore, newOwner } from './lease.js';
import type { UntimedEvent } from './engine.js';
import { StageGate } from './stage-gate.js';

export const INTERRUPTED_ACTION = 'interrupted: the process running it died';
export const INTERRUPTED_EXECUTION = 'interrupted: the process running this execution ended without finishing it';

export interface Recovered {
  /** Executions finished Failed (or Superseded) because their owner died. */
  finished: string[];
  /** Executions whose owner died while they only waited for approvals: kept waiting, without an owner. */
  parked: string[];
}

/** Finishes (or parks) every execution whose owner is gone. `emit` records through the store and the logs. */
export function recoverDeadOwners(store: ExecutionStore, isAlive: (pid: number) => boolean, emit: (e: UntimedEvent) => void): Recovered {
  const leases = new LeaseStore(store.db, isAlive);
  const gate = new StageGate(store.db);
  const owner = newOwner();
  const out: Recovered = { finished: [], parked: [] };
  for (const { executionId, parked } of leases.unowned()) {
    if (parked) continue;
    if (!leases.acquire(executionId, owner)) continue; // another process got there first
    try {
      const state = store.runState(executionId);
      const detail = store.getExecution(executionId);
      if (!state || !detail) continue;
      const plan = state.plan as ExecutionPlan;
      const pipeline = plan.pipeline;
      if (state.stopRequest === 'superseded') {
        emit({ type: 'execution', executionId, pipeline, status: 'Superseded', message: 'a newer execution took its place while it waited' });
        gate.releaseAll(executionId);
        store.clearStopRequest(executionId);
        out.finished.push(executionId);
        continue;
      }
      const actions = new Map(plan.stages.flatMap((s) => s.groups.flat()).map((a) => [`${a.stage}.${a.name}`, a]));
      const running = detail.actions.filter((a) => a.status === 'InProgress');
      const work = running.filter((a) => {
        const p = actions.get(`${a.stage}.${a.action}`);
        return !p || !isApprovalAction(p);
      });
      if (running.length > 0 && work.length === 0) {
        out.parked.push(executionId); // only approvals were waiting: they still can be answered
        continue;
      }
      for (const a of work) emit({ type: 'action', executionId, stage: a.stage, action: a.action, attempt: a.attempt, status: 'Failed', message: INTERRUPTED_ACTION });
      for (const a of running.filter((x) => !work.includes(x))) emit({ type: 'action', executionId, stage: a.stage, action: a.action, attempt: a.attempt, status: 'Abandoned', message: 'the execution failed while this approval waited' });
      for (const s of detail.stages.filter((x) => x.status === 'InProgress' || x.status === 'Stopping')) {
        emit({ type: 'stage', executionId, stage: s.stage, attempt: s.attempt, status: 'Failed' });
      }
      emit({ type: 'execution', executionId, pipeline, status: 'Failed', message: INTERRUPTED_EXECUTION });
      gate.releaseAll(executionId);
      store.clearStopRequest(executionId);
      out.finished.push(executionId);
    } finally {
      leases.release(executionId, owner);
    }
  }
  return out;
}

