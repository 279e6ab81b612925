// CloudFormation's stack and resource statuses, their transition tables, and the change-set vocabulary.
import { IllegalTransitionError } from './status.js';

export const STACK_STATUSES = [
  'CREATE_IN_PROGRESS', 'CREATE_FAILED', 'CREATE_COMPLETE',
  'ROLLBACK_IN_PROGRESS', 'ROLLBACK_FAILED', 'ROLLBACK_COMPLETE',
  'DELETE_IN_PROGRESS', 'DELETE_FAILED', 'DELETE_COMPLETE',
  'UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_COMPLETE',
  'UPDATE_FAILED', 'UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_FAILED',
  'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE',
  'REVIEW_IN_PROGRESS',
] as const;
export type StackStatus = (typeof STACK_STATUSES)[number];

export const RESOURCE_STATUSES = [
  'CREATE_IN_PROGRESS', 'CREATE_FAILED', 'CREATE_COMPLETE', 'DELETE_IN_PROGRESS', 'DELETE_FAILED',
  'DELETE_COMPLETE', 'DELETE_SKIPPED', 'UPDATE_IN_PROGRESS', 'UPDATE_FAILED', 'UPDATE_COMPLETE',
  'ROLLBACK_IN_PROGRESS', 'ROLLBACK_COMPLETE', 'ROLLBACK_FAILED',
  'UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE', 'UPDATE_ROLLBACK_FAILED',
] as const;
export type ResourceStatus = (typeof RESOURCE_STATUSES)[number];

/** A change set's actions, and whether a Modify replaces the resource. */
export const CHANGE_ACTIONS = ['Add', 'Modify', 'Remove'] as const;
export type ChangeAction = (typeof CHANGE_ACTIONS)[number];
export const REPLACEMENTS = ['True', 'False', 'Conditional'] as const;
export type Replacement = (typeof REPLACEMENTS)[number];

type Table<S extends string> = Readonly<Record<S, readonly S[]>>;

const UPDATE_STARTS: readonly StackStatus[] = ['UPDATE_IN_PROGRESS', 'DELETE_IN_PROGRESS'];

const STACK_TRANSITIONS: Table<StackStatus> = {
  REVIEW_IN_PROGRESS: ['CREATE_IN_PROGRESS', 'DELETE_IN_PROGRESS'],
  CREATE_IN_PROGRESS: ['CREATE_COMPLETE', 'CREATE_FAILED', 'ROLLBACK_IN_PROGRESS'],
  CREATE_FAILED: ['ROLLBACK_IN_PROGRESS', 'DELETE_IN_PROGRESS'],
  CREATE_COMPLETE: UPDATE_STARTS,
  ROLLBACK_IN_PROGRESS: ['ROLLBACK_COMPLETE', 'ROLLBACK_FAILED'],
  ROLLBACK_FAILED: ['DELETE_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS'],
  // As on AWS, a stack whose first create rolled back can only be deleted.
  ROLLBACK_COMPLETE: ['DELETE_IN_PROGRESS'],
  DELETE_IN_PROGRESS: ['DELETE_COMPLETE', 'DELETE_FAILED'],
  DELETE_FAILED: ['DELETE_IN_PROGRESS'],
  DELETE_COMPLETE: [],
  UPDATE_IN_PROGRESS: ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_COMPLETE', 'UPDATE_FAILED', 'UPDATE_ROLLBACK_IN_PROGRESS'],
  UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: ['UPDATE_COMPLETE'],
  UPDATE_COMPLETE: UPDATE_STARTS,
  UPDATE_FAILED: ['UPDATE_ROLLBACK_IN_PROGRESS'],
  UPDATE_ROLLBACK_IN_PROGRESS: ['UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE', 'UPDATE_ROLLBACK_FAILED'],
  UPDATE_ROLLBACK_FAILED: ['UPDATE_ROLLBACK_IN_PROGRESS', 'DELETE_IN_PROGRESS'],
  UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: ['UPDATE_ROLLBACK_COMPLETE'],
  UPDATE_ROLLBACK_COMPLETE: UPDATE_STARTS,
};

export function transitionStack(from: StackStatus, to: StackStatus): StackStatus {
  if (!STACK_TRANSITIONS[from].includes(to)) throw new IllegalTransitionError('stack', from, to);
  return to;
}

/** A stack no operation is working on: a new operation may start (if the table allows it). */
export function isStableStackStatus(s: StackStatus): boolean {
  return !s.endsWith('_IN_PROGRESS');
}

/** A stack whose resources can be updated (not a rolled-back first create, not half-deleted). */
export function canUpdateStack(s: StackStatus): boolean {
  return STACK_TRANSITIONS[s].includes('UPDATE_IN_PROGRESS');
}
