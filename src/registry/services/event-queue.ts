// The in-process queue of `Event` invocations: run later, retried twice on a function error or a throttle.
import { isRegistryError } from '../errors.js';
import type { InvokeRequest, Invoker } from '../invoke-port.js';

export interface EventOutcome {
  functionArn: string;
  version: string;
  attempts: number;
  status: 'Succeeded' | 'Failed';
  /** Why the last attempt failed: the function error type or the service error. */
  error?: string;
}

export interface EventQueueOptions {
  /** Delay before the first retry; the second waits twice as long (AWS: about 1 and 2 minutes). */
  retryDelayMs: number;
  onOutcome?: (outcome: EventOutcome) => void;
}

const MAX_ATTEMPTS = 3;

export class EventQueue {
  private readonly pending = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly invoker: Invoker,
    private readonly options: EventQueueOptions,
  ) {}

  enqueue(request: InvokeRequest): void {
    const run = this.runWithRetries(request).finally(() => this.pending.delete(run));
    this.pending.add(run);
  }

  /** Resolves once every queued event has finished (with all its retries). */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Drops what is still waiting for a retry. */
  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  get size(): number {
    return this.pending.size;
  }

  private async runWithRetries(request: InvokeRequest): Promise<void> {
    await Promise.resolve();
    let error: string | undefined;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS && !this.closed; attempt += 1) {
      if (attempt > 1) await this.sleep(this.options.retryDelayMs * (attempt - 1));
      if (this.closed) break;
      error = await this.attempt(request);
      if (error === undefined) return this.report(request, attempt, 'Succeeded');
      if (attempt === MAX_ATTEMPTS) return this.report(request, attempt, 'Failed', error);
    }
  }

  /** One invocation; undefined on success, else why it failed (function errors and throttles are retried). */
  private async attempt(request: InvokeRequest): Promise<string | undefined> {
    try {
      const result = await this.invoker.invoke(request);
      if (result.functionError === undefined) return undefined;
      return `${result.functionError}: ${errorTypeOf(result.payload)}`;
    } catch (e) {
      return isRegistryError(e) ? `${e.errorName}: ${e.message}` : String(e);
    }
  }

  private report(request: InvokeRequest, attempts: number, status: EventOutcome['status'], error?: string): void {
    const outcome: EventOutcome = { functionArn: request.target.functionArn, version: request.target.version, attempts, status };
    if (error !== undefined) outcome.error = error;
    this.options.onOutcome?.(outcome);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }
}

function errorTypeOf(payload: Buffer): string {
  try {
    const body = JSON.parse(payload.toString('utf8')) as { errorType?: unknown };
    return typeof body.errorType === 'string' ? body.errorType : 'function error';
  } catch {
    return 'function error';
  }
}
