// One category, several providers (Deploy/Lambda, Deploy/CloudFormation): the engine holds one executor per
// category; this one hands each action to its type's.
import { PipeError } from '../core/index.js';
import type { ActionType } from '../core/index.js';
import type { ActionExecutor } from '../execute/index.js';

export function byActionType(executors: Partial<Record<ActionType, ActionExecutor>>): ActionExecutor {
  return {
    run(ctx) {
      const executor = executors[ctx.action.type];
      if (!executor) throw new PipeError('INVALID_SPEC', `${ctx.action.id}: pipe cannot run ${ctx.action.type} actions yet`);
      return executor.run(ctx);
    },
  };
}
