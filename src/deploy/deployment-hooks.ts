// A lifecycle hook (PreTraffic / PostTraffic): the function is invoked with `{ DeploymentId,
// LifecycleEventHookExecutionId }` and the event waits for its report through PutLifecycleEventHookExecutionStatus
// (recorded in the store by whichever process serves the CodeDeploy API), for CodeDeploy's hour divided by the
// time scale. The hook is invoked RequestResponse in the background, not Event: the payload and the reporting are
// the same, and a hook that throws fails the deployment at once with its error instead of after the hour of
// Lambda's async retries (deploy-actions.md §7.5, "fail fast").
import { randomUUID } from 'node:crypto';
import type { LambdaApi } from '../registry/index.js';
import type { DeploymentStore } from './deployment-store.js';
import { DeploymentHalt } from './deployment-halt.js';

/** CodeDeploy's wait for a hook's report. */
export const HOOK_TIMEOUT_MINUTES = 60;
const POLL_MS = 50;

export interface HookRun {
  store: DeploymentStore;
  lambda: LambdaApi;
  deploymentId: string;
  event: 'BeforeAllowTraffic' | 'AfterAllowTraffic';
  functionName: string | undefined;
  timeScale: number;
  emit: (type: string, message: string) => void;
  /** Called while waiting: throws to end the deployment (a stop, an alarm). */
  tick: () => Promise<void>;
}

export async function runHook(h: HookRun): Promise<void> {
  const { store, deploymentId: id, event, functionName: fn } = h;
  if (fn === undefined) {
    store.setEvent(id, event, 'Skipped');
    return;
  }
  const hookExecutionId = `${Buffer.from(`${id}:${event}`).toString('base64url')}.${randomUUID()}`;
  store.setEvent(id, event, 'InProgress', { hookFunction: fn, hookExecutionId });
  h.emit('hook-invoked', `${event}: invoking hook ${fn}`);
  let failure: string | undefined;
  const payload = Buffer.from(JSON.stringify({ DeploymentId: id, LifecycleEventHookExecutionId: hookExecutionId }));
  void h.lambda.invoke({ FunctionName: fn, InvocationType: 'RequestResponse', Payload: payload }).then(
    (r) => {
      if (r.FunctionError !== undefined) failure = `hook ${fn} failed: ${errorMessageOf(r.Payload)}`;
    },
    (e: unknown) => {
      failure = `hook ${fn} could not be invoked: ${e instanceof Error ? e.message : String(e)}`;
    },
  );
  const timeoutMs = (HOOK_TIMEOUT_MINUTES * 60_000) / h.timeScale;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = store.event(id, event)?.status;
    if (status === 'Succeeded') {
      h.emit('hook-succeeded', `${event}: hook ${fn} reported Succeeded`);
      return;
    }
    if (status === 'Failed') throw new DeploymentHalt('Failed', 'HOOK_EXECUTION_FAILURE', `${event} hook ${fn} reported Failed`);
    if (failure !== undefined) {
      store.setEvent(id, event, 'Failed', { message: failure });
      throw new DeploymentHalt('Failed', 'HOOK_EXECUTION_FAILURE', `${event} ${failure}`);
    }
    if (Date.now() >= deadline) {
      const scaled = h.timeScale === 1 ? '' : ` (${formatMs(timeoutMs)} at ${h.timeScale}x time)`;
      const message = `hook ${fn} did not report its status within ${HOOK_TIMEOUT_MINUTES} minutes${scaled}`;
      store.setEvent(id, event, 'Failed', { message });
      throw new DeploymentHalt('Failed', 'HOOK_EXECUTION_FAILURE', `${event} ${message}`);
    }
    await h.tick();
    await new Promise((r) => setTimeout(r, Math.min(POLL_MS, Math.max(1, deadline - Date.now()))));
  }
}

function errorMessageOf(payload: Buffer | undefined): string {
  try {
    const body = JSON.parse(payload?.toString('utf8') ?? '') as { errorMessage?: unknown; errorType?: unknown };
    return [body.errorType, body.errorMessage].filter((x) => typeof x === 'string').join(': ') || 'function error';
  } catch {
    return 'function error';
  }
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms)} ms`;
}
