// The warm pool: idle environments per (function ARN, version, RevisionId), reused most-recently-used first;
// new environments while a function is under its concurrency limit; TooManyRequestsError past it; idle
// environments stopped after a while; retirement on code or configuration change.
import type { InvokeTarget } from '../invoke-port.js';
import type { Environment } from './environment.js';
import { TooManyRequestsError } from './errors.js';

export interface WarmPoolOptions {
  /** Concurrency of a function without reserved concurrency. */
  defaultConcurrency: number;
  /** An environment idle this long is stopped. */
  idleTimeoutMs: number;
  /**
   * Environments alive at once, all functions together (the machine's budget, like Lambda's account-level
   * concurrency): past it the least recently used idle environment makes room, or the invocation is throttled.
   */
  maxEnvironments: number;
  createEnvironment: (target: InvokeTarget) => Environment;
}

/** What a caller holds while it invokes: the environment and whether it was just created (a cold start). */
export interface Lease {
  env: Environment;
  cold: boolean;
  release: () => void;
}

function poolKey(target: Pick<InvokeTarget, 'functionArn' | 'version' | 'revisionId'>): string {
  return `${target.functionArn}\n${target.version}\n${target.revisionId}`;
}

export class WarmPool {
  private readonly idle = new Map<string, Environment[]>();
  private readonly all = new Set<Environment>();
  private readonly inFlight = new Map<string, number>();
  private readonly idleTimers = new Map<Environment, NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly options: WarmPoolOptions) {}

  /** Takes an idle environment or makes a new one, counting the invocation against the function's limit. */
  acquire(target: InvokeTarget): Lease {
    const limit = target.reservedConcurrency ?? this.options.defaultConcurrency;
    const running = this.inFlight.get(target.functionArn) ?? 0;
    if (running >= limit) {
      throw new TooManyRequestsError(
        target.functionArn,
        limit,
        target.reservedConcurrency !== undefined ? 'ReservedFunctionConcurrentInvocationLimitExceeded' : 'ConcurrentInvocationLimitExceeded',
      );
    }
    this.inFlight.set(target.functionArn, running + 1);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      const n = (this.inFlight.get(target.functionArn) ?? 1) - 1;
      if (n <= 0) this.inFlight.delete(target.functionArn);
      else this.inFlight.set(target.functionArn, n);
    };
    this.retireStaleRevisions(target);
    const key = poolKey(target);
    const list = this.idle.get(key);
    let env = list?.pop();
    while (env && env.state !== 'ready') env = list?.pop();
    if (list && list.length === 0) this.idle.delete(key);
    if (env) {
      this.clearIdleTimer(env);
      return { env, cold: false, release };
    }
    if (!this.makeRoom()) {
      release();
      throw new TooManyRequestsError(target.functionArn, this.options.maxEnvironments, 'ConcurrentInvocationLimitExceeded');
    }
    const fresh = this.options.createEnvironment(target);
    this.all.add(fresh);
    fresh.onStopped = (e) => this.forget(e);
    return { env: fresh, cold: true, release };
  }

  /** Back to the pool after an invocation, if the environment is still good. */
  giveBack(env: Environment): void {
    if (env.state !== 'ready') return;
    if (env.retired || this.closed) {
      void env.stop();
      return;
    }
    const key = poolKey(env.target);
    const list = this.idle.get(key) ?? [];
    list.push(env);
    this.idle.set(key, list);
    const timer = setTimeout(() => {
      this.idleTimers.delete(env);
      this.removeIdle(env);
      void env.stop();
    }, this.options.idleTimeoutMs);
    timer.unref();
    this.idleTimers.set(env, timer);
  }

  /** Stops the environments of a function (one version, or all): idle ones now, busy ones after their invocation. */
  async retire(functionArn: string, version?: string): Promise<void> {
    const stops: Array<Promise<void>> = [];
    for (const env of this.all) {
      if (env.target.functionArn !== functionArn) continue;
      if (version !== undefined && env.target.version !== version) continue;
      stops.push(this.retireOne(env));
    }
    await Promise.all(stops);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.all].map((env) => this.retireOne(env, true)));
  }

  /** Live environments, for tests and diagnostics. */
  environments(): Environment[] {
    return [...this.all];
  }

  private retireOne(env: Environment, now = false): Promise<void> {
    env.retired = true;
    if (now || env.state === 'ready') {
      this.removeIdle(env);
      return env.stop();
    }
    // starting or busy: the invocation in flight finishes, then giveBack stops it.
    return Promise.resolve();
  }

  /** True when one more environment fits, after stopping the least recently used idle one if need be. */
  private makeRoom(): boolean {
    const live = [...this.all].filter((env) => env.state !== 'stopping' && env.state !== 'stopped');
    if (live.length < this.options.maxEnvironments) return true;
    const idle = live.filter((env) => env.state === 'ready').sort((a, b) => a.lastUsed - b.lastUsed)[0];
    if (!idle) return false;
    this.removeIdle(idle);
    void idle.stop();
    return true;
  }

  private retireStaleRevisions(target: InvokeTarget): void {
    for (const env of this.all) {
      const t = env.target;
      if (t.functionArn === target.functionArn && t.version === target.version && t.revisionId !== target.revisionId) {
        void this.retireOne(env);
      }
    }
  }

  private removeIdle(env: Environment): void {
    this.clearIdleTimer(env);
    const key = poolKey(env.target);
    const list = this.idle.get(key);
    if (!list) return;
    const i = list.indexOf(env);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.idle.delete(key);
  }

  private clearIdleTimer(env: Environment): void {
    const timer = this.idleTimers.get(env);
    if (timer) clearTimeout(timer);
    this.idleTimers.delete(env);
  }

  private forget(env: Environment): void {
    this.removeIdle(env);
    this.all.delete(env);
  }
}
