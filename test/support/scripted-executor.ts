// A scriptable fake executor implementing the real ActionExecutor port (like woodpecker's dummy backend):
// each action succeeds, fails or hangs as the script says, and records what it was given.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ActionContext, ActionExecutor, ActionOutcome } from '../../src/execute/index.js';

export interface ScriptStep {
  fail?: string;
  variables?: Record<string, string>;
  delayMs?: number;
  /** Wait until aborted. */
  hang?: boolean;
  /** Do not write the declared outputs. */
  skipOutputs?: boolean;
}

export interface ScriptedExecutor extends ActionExecutor {
  calls: ActionContext[];
}

export function createScriptedExecutor(script: Record<string, ScriptStep> = {}): ScriptedExecutor {
  const calls: ActionContext[] = [];
  return {
    calls,
    async run(ctx): Promise<ActionOutcome> {
      calls.push(ctx);
      const step = script[ctx.action.id] ?? {};
      ctx.log('stdout', `running ${ctx.action.id}`);
      if (step.delayMs) await new Promise((r) => setTimeout(r, step.delayMs));
      if (step.hang) {
        if (!ctx.signal.aborted) await new Promise<void>((r) => ctx.signal.addEventListener('abort', () => r(), { once: true }));
        return { status: 'Failed', message: 'aborted' };
      }
      if (step.fail) return { status: 'Failed', message: step.fail };
      const artifacts = step.skipOutputs
        ? []
        : ctx.outputs.map((o) => {
            mkdirSync(dirname(o.path), { recursive: true });
            writeFileSync(o.path, `artifact ${o.name}`);
            return { name: o.name, path: o.path };
          });
      return { status: 'Succeeded', outputVariables: step.variables ?? {}, artifacts };
    },
  };
}
