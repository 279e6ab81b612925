// The Invoker every registry hands its invocations to, wrapped so that each one (sync, or an Event attempt) is
// counted in the metrics: how it ended and how long it took, under the qualifier it was called with.
import { isRegistryError } from '../errors.js';
import type { InvokeTarget, Invoker } from '../invoke-port.js';
import type { InvocationSample, MetricsStore } from './metrics-store.js';

export function recordingInvoker(inner: Invoker, metrics: MetricsStore, now: () => number = Date.now): Invoker {
  const wrapped: Invoker = {
    async invoke(request) {
      const started = performance.now();
      try {
        const result = await inner.invoke(request);
        metrics.record(sampleOf(request.target, result.executedVersion, result.functionError ? 'error' : 'ok', performance.now() - started, now()));
        return result;
      } catch (e) {
        const throttled = isRegistryError(e) && e.errorName === 'TooManyRequestsException';
        metrics.record(sampleOf(request.target, request.target.version, throttled ? 'throttled' : 'error', performance.now() - started, now()));
        throw e;
      }
    },
    retire: (functionArn, version) => inner.retire(functionArn, version),
    close: () => inner.close(),
  };
  if (inner.runtimeSupport) wrapped.runtimeSupport = (runtime) => inner.runtimeSupport?.(runtime) ?? { supported: true };
  return wrapped;
}

export function sampleOf(target: InvokeTarget, executedVersion: string, outcome: InvocationSample['outcome'], durationMs: number, at: number): InvocationSample {
  return { region: target.region, functionName: target.functionName, qualifier: qualifierOf(target.invokedFunctionArn), executedVersion, outcome, durationMs, at };
}

/** The qualifier of `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`. */
function qualifierOf(invokedArn: string): string | undefined {
  const parts = invokedArn.split(':');
  return parts.length > 7 ? parts.slice(7).join(':') : undefined;
}
