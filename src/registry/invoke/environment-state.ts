// The life of one execution environment as a guarded state machine: every move is checked against one table.
import { IllegalTransitionError } from '../../core/index.js';

/**
 * `starting`: container created, runtime initialising (until its first /next).
 * `ready`: idle in the warm pool, runtime waiting on /next.
 * `busy`: one invocation in flight.
 * `stopping`: being torn down (timeout, crash, init error, idle, retired, closed).
 * `stopped`: container removed; terminal.
 */
export const ENVIRONMENT_STATES = ['starting', 'ready', 'busy', 'stopping', 'stopped'] as const;
export type EnvironmentState = (typeof ENVIRONMENT_STATES)[number];

const TRANSITIONS: Readonly<Record<EnvironmentState, readonly EnvironmentState[]>> = {
  starting: ['ready', 'stopping'],
  ready: ['busy', 'stopping'],
  busy: ['ready', 'stopping'],
  stopping: ['stopped'],
  stopped: [],
};

/** Returns `to` when the move is legal; throws IllegalTransitionError otherwise. */
export function transitionEnvironment(from: EnvironmentState, to: EnvironmentState): EnvironmentState {
  if (!TRANSITIONS[from].includes(to)) throw new IllegalTransitionError('execution environment', from, to);
  return to;
}

export function isLiveEnvironmentState(state: EnvironmentState): boolean {
  return state !== 'stopping' && state !== 'stopped';
}
