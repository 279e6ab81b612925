// A CodePipeline job (what an Invoke/Lambda action hands its function): CodePipeline's JobStatus names, the
// failure types PutJobFailureResult takes, and the transitions a job may make.
import { IllegalTransitionError } from './status.js';

export const JOB_STATUSES = ['InProgress', 'Succeeded', 'Failed', 'TimedOut'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** PutJobFailureResult's `failureDetails.type`. */
export const JOB_FAILURE_TYPES = [
  'JobFailed', 'ConfigurationError', 'PermissionError', 'RevisionOutOfSync', 'RevisionUnavailable', 'SystemUnavailable',
] as const;
export type JobFailureType = (typeof JOB_FAILURE_TYPES)[number];

/** A job is answered once: a second report finds it finished (InvalidJobStateException). */
const JOB_TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  InProgress: ['Succeeded', 'Failed', 'TimedOut'],
  Succeeded: [],
  Failed: [],
  TimedOut: [],
};

export function isJobFinished(status: JobStatus): boolean {
  return JOB_TRANSITIONS[status].length === 0;
}

export function transitionJob(from: JobStatus, to: JobStatus): JobStatus {
  if (!JOB_TRANSITIONS[from].includes(to)) throw new IllegalTransitionError('job', from, to);
  return to;
}
