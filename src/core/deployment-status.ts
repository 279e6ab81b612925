// CodeDeploy's status sets for a Lambda deployment: the deployment's own, and each lifecycle event's, with the
// transition tables that guard them. `Queued`, `Baking` and `Ready` are in CodeDeploy's vocabulary but never
// entered by a Lambda deployment.
import { IllegalTransitionError } from './status.js';

export const DEPLOYMENT_STATUSES = ['Created', 'Queued', 'InProgress', 'Baking', 'Succeeded', 'Failed', 'Stopped', 'Ready'] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

export const LIFECYCLE_EVENT_STATUSES = ['Pending', 'InProgress', 'Succeeded', 'Failed', 'Skipped', 'Unknown'] as const;
export type LifecycleEventStatus = (typeof LIFECYCLE_EVENT_STATUSES)[number];

/** A Lambda deployment's lifecycle events, in the order they run; only the two hooks run code. */
export const LIFECYCLE_EVENTS = ['Start', 'BeforeAllowTraffic', 'AllowTraffic', 'AfterAllowTraffic', 'End'] as const;
export type LifecycleEventName = (typeof LIFECYCLE_EVENTS)[number];

/** CodeDeploy's `errorInformation.code` values a local deployment can end with. */
export const DEPLOYMENT_ERROR_CODES = ['HOOK_EXECUTION_FAILURE', 'ALARM_ACTIVE', 'MANUAL_STOP', 'TIMEOUT', 'INVALID_LAMBDA_CONFIGURATION', 'INTERNAL_ERROR'] as const;
export type DeploymentErrorCode = (typeof DEPLOYMENT_ERROR_CODES)[number];

type Table<S extends string> = Readonly<Record<S, readonly S[]>>;

const DEPLOYMENT_TRANSITIONS: Table<DeploymentStatus> = {
  Created: ['InProgress', 'Failed', 'Stopped'],
  Queued: ['InProgress', 'Failed', 'Stopped'],
  InProgress: ['Baking', 'Succeeded', 'Failed', 'Stopped'],
  Baking: ['Succeeded', 'Failed', 'Stopped'],
  Ready: ['Succeeded', 'Failed', 'Stopped'],
  Succeeded: [],
  Failed: [],
  Stopped: [],
};

/** A hook's event is InProgress from its invocation until the hook reports; one that never started is Skipped. */
const LIFECYCLE_EVENT_TRANSITIONS: Table<LifecycleEventStatus> = {
  Pending: ['InProgress', 'Skipped', 'Unknown'],
  InProgress: ['Succeeded', 'Failed', 'Unknown'],
  Succeeded: [],
  Failed: [],
  Skipped: [],
  Unknown: [],
};

export function transitionDeployment(from: DeploymentStatus, to: DeploymentStatus): DeploymentStatus {
  if (!DEPLOYMENT_TRANSITIONS[from].includes(to)) throw new IllegalTransitionError('deployment', from, to);
  return to;
}

export function transitionLifecycleEvent(from: LifecycleEventStatus, to: LifecycleEventStatus): LifecycleEventStatus {
  if (!LIFECYCLE_EVENT_TRANSITIONS[from].includes(to)) throw new IllegalTransitionError('lifecycle event', from, to);
  return to;
}

export function isTerminalDeploymentStatus(s: DeploymentStatus): boolean {
  return DEPLOYMENT_TRANSITIONS[s].length === 0;
}

export function isTerminalLifecycleEventStatus(s: LifecycleEventStatus): boolean {
  return LIFECYCLE_EVENT_TRANSITIONS[s].length === 0;
}
