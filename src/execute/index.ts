// The engine: executions in the store (leases, stage locks, approvals, retries, rollbacks, the event log), one executor per action category.
export { runExecution } from './orchestrator.js';
export type { OrchestratorDeps, PipelineExecutionResult, StartOptions } from './orchestrator.js';
export type { ActionContext, ActionExecutor, ActionOutcome, ArtifactLocation } from './action-executor.js';
export { ExecutionStore } from './execution-store.js';
export type { ActionExecutionRecord, ApprovalRecord, ExecutionDetail, ExecutionKind, ExecutionSummary, RunState, StageExecutionRecord } from './execution-store.js';
export { Engine, pipelineVariables } from './engine.js';
export type { DriveResult, UntimedEvent } from './engine.js';
export { answerApproval, findExecution, hasLiveOwner, parkedNeedingDriver, prepareRetry, prepareRollback, requestStop, setTransition } from './control.js';
export type { ControlDeps, ControlResult } from './control.js';
export { StageGate } from './stage-gate.js';
export { LeaseStore, newOwner, newOwnerNonce, ownerId } from './lease.js';
export type { Owner } from './lease.js';
export { INTERRUPTED_ACTION, INTERRUPTED_EXECUTION, recoverDeadOwners } from './recovery.js';
export type { Recovered } from './recovery.js';
export { DEFAULT_MAX_PARALLEL_ACTIONS } from './execution-driver.js';
export { LogStore, actionLogPath } from './log-store.js';
export { followEvents } from './event-follow.js';
export type { FollowOptions } from './event-follow.js';
