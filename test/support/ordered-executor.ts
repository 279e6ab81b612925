// A fake executor for scenario tests, after woodpecker's dummy backend: it implements the real ActionExecutor port,
// each call blocks until the scenario completes it (or the engine aborts it), and it fails the scenario as soon as
// it is called out of the expected order or with more actions of one execution in flight than allowed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ActionContext, ActionExecutor, ActionOutcome } from '../../src/execute/index.js';

/** How a scenario ends a call. */
export type CallOutcome = { status: 'Succeeded'; variables: Record<string, string> } | { status: 'Failed'; message: string };

export interface Call {
  /** `X Build.Compile`: the execution's scenario label and the action's id. */
  key: string;
  /** 1 for an action's first call in an execution, 2 for the next (a retry), ... */
  nth: number;
  ctx: ActionContext;
  state: 'running' | 'succeeded' | 'failed' | 'aborted';
  finish(outcome: CallOutcome): void;
}

export interface OrderedExecutorOptions {
  /** The calls the scenario expects, in order. */
  expected: readonly string[];
  /** The scenario label of an execution id. */
  labelOf(executionId: string): string;
  /** At most this many calls of one execution may run at once. */
  maxInFlight?: number;
  /** Calls of these actions (by action id) succeed as soon as they are made, publishing these variables. */
  instant?: Readonly<Record<string, Record<string, string>>>;
}

export class OrderedExecutor implements ActionExecutor {
  readonly calls: Call[] = [];
  readonly violations: string[] = [];
  /** The most calls of one execution that ran at once. */
  peakInFlight = 0;
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly options: OrderedExecutorOptions) {}

  run(ctx: ActionContext): Promise<ActionOutcome> {
    const label = this.options.labelOf(ctx.executionId);
    const key = `${label} ${ctx.action.id}`;
    const nth = this.calls.filter((c) => c.key === key).length + 1;
    const index = this.calls.length;
    const expected = this.options.expected[index];
    const running = this.calls.filter((c) => c.state === 'running').map((c) => c.key);
    if (expected !== key) {
      this.violations.push(
        `call ${index + 1} was ${key}, expected ${expected ?? 'no more calls'} (calls so far: ${this.calls.map((c) => c.key).join(', ') || 'none'}; running: ${running.join(', ') || 'none'})`,
      );
    }
    const count = (this.inFlight.get(label) ?? 0) + 1;
    this.inFlight.set(label, count);
    this.peakInFlight = Math.max(this.peakInFlight, count);
    const limit = this.options.maxInFlight;
    if (limit !== undefined && count > limit) {
      this.violations.push(`${key} started while ${count - 1} actions of ${label} ran (${running.filter((k) => k.startsWith(`${label} `)).join(', ')}): at most ${limit} may run at once`);
    }
    return new Promise<ActionOutcome>((resolve) => {
      const call: Call = {
        key,
        nth,
        ctx,
        state: 'running',
        finish: (outcome) => {
          if (call.state !== 'running') throw new Error(`${key} (call ${nth}) was already ${call.state}`);
          call.state = outcome.status === 'Succeeded' ? 'succeeded' : 'failed';
          this.inFlight.set(label, (this.inFlight.get(label) ?? 1) - 1);
          ctx.signal.removeEventListener('abort', onAbort);
          resolve(this.outcome(call, outcome));
        },
      };
      // The port's contract: an aborted action stops its work and returns promptly; its outcome is ignored.
      const onAbort = () => {
        if (call.state !== 'running') return;
        call.state = 'aborted';
        this.inFlight.set(label, (this.inFlight.get(label) ?? 1) - 1);
        resolve({ status: 'Failed', message: 'aborted' });
      };
      this.calls.push(call);
      if (ctx.signal.aborted) return onAbort();
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      if (expected !== key) return call.finish({ status: 'Failed', message: `called out of order: ${key}` });
      const instant = this.options.instant?.[ctx.action.id];
      if (instant) call.finish({ status: 'Succeeded', variables: instant });
    });
  }

  /** Each declared output artifact is written, holding the name of the call that made it. */
  private outcome(call: Call, outcome: CallOutcome): ActionOutcome {
    if (outcome.status === 'Failed') return { status: 'Failed', message: outcome.message };
    const made = `${call.key}#${call.nth}`;
    const artifacts = call.ctx.outputs.map((o) => {
      mkdirSync(dirname(o.path), { recursive: true });
      writeFileSync(o.path, made);
      return { name: o.name, path: o.path };
    });
    return { status: 'Succeeded', outputVariables: outcome.variables, artifacts };
  }

  /** The running call of `key`, if the engine has made it. */
  running(key: string): Call | undefined {
    return this.calls.find((c) => c.key === key && c.state === 'running');
  }

  /** Ends every call still running (the scenario is over or broken), so the engine can finish. */
  releaseAll(): void {
    for (const c of this.calls) if (c.state === 'running') c.finish({ status: 'Failed', message: 'the scenario ended' });
  }
}
