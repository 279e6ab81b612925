// Every status set, once: `as const` tuples, their union types and the transition tables that guard them.

export const EXECUTION_STATUSES = [
  'InProgress', 'Stopping', 'Stopped', 'Succeeded', 'Superseded', 'Failed', 'Cancelled',
] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export const STAGE_STATUSES = ['InProgress', 'Stopping', 'Stopped', 'Succeeded', 'Failed', 'Cancelled'] as const;
export type StageStatus = (typeof STAGE_STATUSES)[number];

/** CodePipeline's action execution statuses; an action cut short by a stop is `Abandoned`. */
export const ACTION_STATUSES = ['InProgress', 'Abandoned', 'Succeeded', 'Failed'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

/** CodeBuild's build and phase statuses. */
export const BUILD_STATUSES = ['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'FAULT', 'TIMED_OUT', 'STOPPED'] as const;
export type BuildStatus = (typeof BUILD_STATUSES)[number];

/** CodeBuild's phase types, in the order a build goes through them. */
export const BUILD_PHASE_TYPES = [
  'SUBMITTED', 'QUEUED', 'PROVISIONING', 'DOWNLOAD_SOURCE', 'INSTALL', 'PRE_BUILD', 'BUILD', 'POST_BUILD',
  'UPLOAD_ARTIFACTS', 'FINALIZING', 'COMPLETED',
] as const;
export type BuildPhaseType = (typeof BUILD_PHASE_TYPES)[number];

/** The buildspec phases, keyed as the file names them, in the order they always run. */
export const BUILDSPEC_PHASES = ['install', 'pre_build', 'build', 'post_build'] as const;
export type BuildspecPhase = (typeof BUILDSPEC_PHASES)[number];

export const PHASE_TYPE_OF: Record<BuildspecPhase, BuildPhaseType> = {
  install: 'INSTALL',
  pre_build: 'PRE_BUILD',
  build: 'BUILD',
  post_build: 'POST_BUILD',
};

type Table<S extends string> = Readonly<Record<S, readonly S[]>>;

/** A Failed or Stopped execution goes back InProgress when a stage of it is retried, as on CodePipeline. */
const EXECUTION_TRANSITIONS: Table<ExecutionStatus> = {
  InProgress: ['Stopping', 'Succeeded', 'Failed', 'Superseded', 'Stopped', 'Cancelled'],
  Stopping: ['Stopped', 'Failed', 'Succeeded'],
  Stopped: ['InProgress'],
  Succeeded: [],
  Superseded: [],
  Failed: ['InProgress'],
  Cancelled: [],
};

/** Where an execution ends (until a retry takes it up again). */
const TERMINAL_EXECUTION_STATUSES: readonly ExecutionStatus[] = ['Stopped', 'Succeeded', 'Superseded', 'Failed', 'Cancelled'];

/** A rollback execution runs one stage again with an earlier execution's artifacts and variables. */
export const EXECUTION_TYPES = ['STANDARD', 'ROLLBACK'] as const;
export type ExecutionType = (typeof EXECUTION_TYPES)[number];

/** A manual approval's life: waiting for an answer, then approved, rejected, expired, or abandoned by a stop. */
export const APPROVAL_STATUSES = ['Waiting', 'Approved', 'Rejected', 'Expired', 'Abandoned'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

const APPROVAL_TRANSITIONS: Table<ApprovalStatus> = {
  Waiting: ['Approved', 'Rejected', 'Expired', 'Abandoned'],
  Approved: [],
  Rejected: [],
  Expired: [],
  Abandoned: [],
};

const STAGE_TRANSITIONS: Table<StageStatus> = {
  InProgress: ['Stopping', 'Succeeded', 'Failed', 'Stopped'],
  Stopping: ['Stopped', 'Failed', 'Succeeded'],
  Stopped: [],
  Succeeded: [],
  Failed: [],
  Cancelled: [],
};

const ACTION_TRANSITIONS: Table<ActionStatus> = {
  InProgress: ['Succeeded', 'Failed', 'Abandoned'],
  Abandoned: [],
  Succeeded: [],
  Failed: [],
};

export class IllegalTransitionError extends Error {
  constructor(kind: string, from: string, to: string) {
    super(`illegal ${kind} status transition ${from} -> ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

function guard<S extends string>(kind: string, table: Table<S>) {
  return (from: S, to: S): S => {
    if (!table[from].includes(to)) throw new IllegalTransitionError(kind, from, to);
    return to;
  };
}

export const transitionExecution = guard('execution', EXECUTION_TRANSITIONS);
export const transitionStage = guard('stage', STAGE_TRANSITIONS);
export const transitionAction = guard('action', ACTION_TRANSITIONS);

export const transitionApproval = guard('approval', APPROVAL_TRANSITIONS);

export function isTerminalExecutionStatus(s: ExecutionStatus): boolean {
  return TERMINAL_EXECUTION_STATUSES.includes(s);
}


// The registry's status sets: Lambda's function State and LastUpdateStatus, and an execution environment's life.

/** Lambda's function states; `Inactive` is never entered locally but is part of the vocabulary. */
export const FUNCTION_STATES = ['Pending', 'Active', 'Inactive', 'Failed'] as const;
export type FunctionState = (typeof FUNCTION_STATES)[number];

export const LAST_UPDATE_STATUSES = ['InProgress', 'Successful', 'Failed'] as const;
export type LastUpdateStatus = (typeof LAST_UPDATE_STATUSES)[number];

const FUNCTION_STATE_TRANSITIONS: Table<FunctionState> = {
  Pending: ['Active', 'Failed'],
  Active: ['Inactive'],
  Inactive: ['Pending', 'Active'],
  Failed: [],
};

const LAST_UPDATE_TRANSITIONS: Table<LastUpdateStatus> = {
  InProgress: ['Successful', 'Failed'],
  Successful: ['InProgress'],
  Failed: ['InProgress'],
};

export const transitionFunctionState = guard('function state', FUNCTION_STATE_TRANSITIONS);

/** The first LastUpdateStatus may be anything; after that, moves are checked. */
export function transitionLastUpdateStatus(from: LastUpdateStatus | undefined, to: LastUpdateStatus): LastUpdateStatus {
  return from === undefined ? to : guard('LastUpdateStatus', LAST_UPDATE_TRANSITIONS)(from, to);
}

/**
 * An execution environment's life: `starting` (container created, runtime initialising until its first /next),
 * `ready` (idle in the warm pool), `busy` (one invocation in flight), `stopping` (being torn down: timeout, crash,
 * init error, idle, retired, closed), `stopped` (container removed; terminal).
 */
export const ENVIRONMENT_STATES = ['starting', 'ready', 'busy', 'stopping', 'stopped'] as const;
export type EnvironmentState = (typeof ENVIRONMENT_STATES)[number];

const ENVIRONMENT_TRANSITIONS: Table<EnvironmentState> = {
  starting: ['ready', 'stopping'],
  ready: ['busy', 'stopping'],
  busy: ['ready', 'stopping'],
  stopping: ['stopped'],
  stopped: [],
};

export const transitionEnvironment = guard('execution environment', ENVIRONMENT_TRANSITIONS);
