// The deploy time scale, read in one place: PIPE_DEPLOY_TIME_SCALE, else the pipeline's `deployTimeScale`, else 1
// (real time). 60 makes an AWS minute last a second, for traffic shifts, hooks, alarms and CodePipeline job waits.
import { PipeError } from '../core/index.js';
import type { ActionContext } from '../execute/index.js';

/** A fixed scale, or one per action (the pipeline's setting, under the environment's). */
export type TimeScaleOption = number | ((ctx: ActionContext) => number);

/** PIPE_DEPLOY_TIME_SCALE when set (a positive number, else an error), else `pipeline`, else 1. */
export function deployTimeScale(options: { env?: NodeJS.ProcessEnv; pipeline?: number | undefined } = {}): number {
  const raw = (options.env ?? process.env)['PIPE_DEPLOY_TIME_SCALE'];
  if (raw === undefined || raw === '') return options.pipeline ?? 1;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new PipeError('INVALID_ARGUMENT', `PIPE_DEPLOY_TIME_SCALE=${raw} is not a positive number`, { hint: 'PIPE_DEPLOY_TIME_SCALE=60 makes a minute last a second' });
  return n;
}

/** The scale an action runs at: the executor's option (fixed or per action), else the environment's, else 1. */
export function actionTimeScale(option: TimeScaleOption | undefined, ctx: ActionContext): number {
  if (typeof option === 'function') return option(ctx);
  return option ?? deployTimeScale();
}
