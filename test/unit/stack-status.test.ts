// CloudFormation's stack statuses: the transition table refuses what AWS refuses (a rolled-back first create can
// only be deleted), and says which statuses a new operation may start from.
import { expect, it } from 'vitest';
import { STACK_STATUSES, canUpdateStack, isStableStackStatus, transitionStack } from '../../src/core/index.js';

it('moves a stack through create, update, rollback and delete, and refuses the rest', () => {
  expect(transitionStack('CREATE_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS')).toBe('ROLLBACK_IN_PROGRESS');
  expect(transitionStack('UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')).toBe('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
  expect(() => transitionStack('ROLLBACK_COMPLETE', 'UPDATE_IN_PROGRESS')).toThrow('illegal stack status transition ROLLBACK_COMPLETE -> UPDATE_IN_PROGRESS');
  expect(() => transitionStack('DELETE_COMPLETE', 'CREATE_IN_PROGRESS')).toThrow('illegal stack status transition DELETE_COMPLETE -> CREATE_IN_PROGRESS');
  expect(STACK_STATUSES.filter(canUpdateStack)).toEqual(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE']);
  expect(STACK_STATUSES.filter((s) => !isStableStackStatus(s))).toEqual([
    'CREATE_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS', 'DELETE_IN_PROGRESS', 'UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
    'UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'REVIEW_IN_PROGRESS',
  ]);
});
