// A CodeBuild batch build: one build per task of build-list, build-matrix or build-graph, run with runBuild in parallel
// (a p-queue with a set concurrency), a graph's tasks after their dependencies; fast-fail and ignore-failure as CodeBuild has them.
import PQueue from 'p-queue';
import { PipeError, describeError } from '../core/index.js';
import type { BatchTaskSpec, BuildSpec, BuildStatus } from '../core/index.js';
import { agentLine } from './build-log.js';
import { runBuild } from './build-runner.js';
import type { BuildDeps, BuildExecution, BuildOutput, BuildRequest } from './build-runner.js';

export { DEFAULT_BATCH_CONCURRENCY } from '../core/index.js';

export interface BatchTaskPlan {
  buildId: string;
  buildNumber: number;
  outputs: BuildOutput[];
}

export interface BatchRequest {
  /** The buildspec that holds `batch`. */
  spec: BuildSpec;
  /** What every build shares; each task sets its own image, variables, identifier, build id and outputs. */
  base: Omit<BuildRequest, 'spec' | 'outputs' | 'signal' | 'phase'>;
  concurrency: number;
  signal?: AbortSignal;
  /** Reads a task's own buildspec, a path relative to the source root (CodeBuild's rule). */
  loadBuildspec(path: string): Promise<BuildSpec>;
  /** The task's build id and where its artifacts go. */
  prepareTask(task: BatchTaskSpec, spec: BuildSpec): BatchTaskPlan;
  /**
   * Resolves the parameter-store and secrets-manager references of a task's own buildspec (and masks the values),
   * as each CodeBuild child build resolves its buildspec's; a task without its own buildspec keeps `base.secrets`.
   * Without it, such a task gets no values at all rather than the top-level buildspec's.
   */
  resolveSecrets?(spec: BuildSpec): { ok: true; secrets: Record<string, string> } | { ok: false; message: string };
}

export interface BatchBuildRecord {
  identifier: string;
  ignoreFailure: boolean;
  status: BuildStatus;
  /** Absent when the build never started (stopped by fast-fail, or a dependency failed). */
  build?: BuildExecution;
  message?: string;
}

export interface BatchExecution {
  status: BuildStatus;
  builds: BatchBuildRecord[];
  message?: string;
}

/** Loads every task's buildspec first, so a missing or invalid one fails the batch before any build starts. */
async function loadTaskSpecs(req: BatchRequest, tasks: readonly BatchTaskSpec[]): Promise<Map<string, BuildSpec>> {
  const specs = new Map<string, BuildSpec>();
  for (const task of tasks) {
    if (!task.buildspec) {
      specs.set(task.identifier, req.spec);
      continue;
    }
    try {
      specs.set(task.identifier, await req.loadBuildspec(task.buildspec));
    } catch (e) {
      if (e instanceof PipeError) throw e;
      throw new PipeError('INVALID_SPEC', `batch task ${task.identifier}: cannot read buildspec ${task.buildspec}: ${describeError(e)}`, { cause: e });
    }
  }
  return specs;
}

function taskRequest(
  req: BatchRequest,
  task: BatchTaskSpec,
  spec: BuildSpec,
  plan: BatchTaskPlan,
  secrets: Record<string, string> | undefined,
  signal: AbortSignal,
): BuildRequest {
  const prefix = `[${task.identifier}] `;
  // A caller may hand over a whole BuildRequest: its one-build fields (phase events, outputs) are not the task's.
  const { phase: _phase, outputs: _outputs, signal: _signal, spec: _spec, secrets: _secrets, ...base } = req.base as BuildRequest;
  return {
    ...base,
    identity: {
      ...base.identity,
      buildId: plan.buildId,
      buildNumber: plan.buildNumber,
      image: task.env.image ?? base.identity.image,
      batchIdentifier: task.identifier,
    },
    spec,
    ...(secrets !== undefined ? { secrets } : {}),
    // A task's variables are start-build overrides: they win over the buildspec's and the action's.
    environment: { ...base.environment, ...task.env.variables },
    outputs: plan.outputs,
    signal,
    line: (stream, text) => base.line(stream, `${prefix}${text}`),
    warn: (message) => (base.warn ?? ((m: string) => base.line('system', agentLine(`Warning: ${m}`))))(`${prefix}${message}`),
  };
}

/** Runs the batch. Never throws for a failing build; throws a PipeError when a task's buildspec cannot be read. */
export async function runBatch(req: BatchRequest, deps: BuildDeps): Promise<BatchExecution> {
  const batch = req.spec.batch;
  if (!batch) throw new PipeError('INVALID_SPEC', `${req.spec.file}: batch builds need a batch section in the buildspec`);
  const specs = await loadTaskSpecs(req, batch.tasks);
  const say = (m: string) => req.base.line('system', agentLine(m));
  const records = new Map<string, BatchBuildRecord>(
    batch.tasks.map((t) => [t.identifier, { identifier: t.identifier, ignoreFailure: t.ignoreFailure, status: 'IN_PROGRESS' as BuildStatus }]),
  );
  const running = new Map<string, AbortController>();
  const queue = new PQueue({ concurrency: Math.max(1, req.concurrency) });
  let stopping: 'fast-fail' | 'stopped' | undefined;
  const stopAll = (why: 'fast-fail' | 'stopped') => {
    if (stopping) return;
    stopping = why;
    queue.clear();
    for (const c of running.values()) c.abort();
  };
  const onAbort = () => stopAll('stopped');
  req.signal?.addEventListener('abort', onAbort, { once: true });

  const isDone = (id: string) => records.get(id)?.status !== 'IN_PROGRESS';
  const started = new Set<string>();
  const schedule = (): void => {
    for (const task of batch.tasks) {
      if (started.has(task.identifier) || stopping) continue;
      if (!task.dependOn.every(isDone)) continue;
      started.add(task.identifier);
      const blocker = task.dependOn.map((d) => records.get(d) as BatchBuildRecord).find((d) => d.status !== 'SUCCEEDED' && !d.ignoreFailure);
      if (blocker) {
        finish(task, { status: 'STOPPED', message: `not started: it depends on ${blocker.identifier}, which ended ${blocker.status}` });
        continue;
      }
      void queue.add(() => runTask(task));
    }
  };
  const finish = (task: BatchTaskSpec, outcome: Omit<BatchBuildRecord, 'identifier' | 'ignoreFailure'>): void => {
    records.set(task.identifier, { identifier: task.identifier, ignoreFailure: task.ignoreFailure, ...outcome });
    say(`Batch build ${task.identifier}: ${outcome.status}${outcome.message ? ` (${outcome.message})` : ''}${outcome.status !== 'SUCCEEDED' && task.ignoreFailure ? ', failure ignored' : ''}`);
    if (outcome.status !== 'SUCCEEDED' && !task.ignoreFailure && batch.fastFail) stopAll('fast-fail');
    schedule();
  };
  const runTask = async (task: BatchTaskSpec): Promise<void> => {
    if (stopping) return;
    const spec = specs.get(task.identifier) as BuildSpec;
    const plan = req.prepareTask(task, spec);
    const controller = new AbortController();
    running.set(task.identifier, controller);
    say(`Batch build ${task.identifier}: starting ${plan.buildId} (${task.buildspec ?? 'this buildspec'}, image ${task.env.image ?? req.base.identity.image})`);
    try {
      let secrets = req.base.secrets;
      if (spec !== req.spec) {
        const resolved = req.resolveSecrets?.(spec) ?? { ok: true as const, secrets: {} };
        if (!resolved.ok) {
          finish(task, { status: 'FAILED', message: resolved.message });
          return;
        }
        secrets = resolved.secrets;
      }
      const build = await runBuild(taskRequest(req, task, spec, plan, secrets, controller.signal), deps);
      finish(task, { status: build.status, build, ...(build.message !== undefined ? { message: build.message } : {}) });
    } catch (e) {
      finish(task, { status: 'FAILED', message: describeError(e) });
    } finally {
      running.delete(task.identifier);
    }
  };

  try {
    say(`Batch: ${batch.kind}, ${batch.tasks.length} builds, ${Math.max(1, req.concurrency)} at a time, fast-fail ${batch.fastFail ? 'yes' : 'no'}`);
    schedule();
    await queue.onIdle();
  } finally {
    req.signal?.removeEventListener('abort', onAbort);
  }
  const builds = batch.tasks.map((t) => {
    const r = records.get(t.identifier) as BatchBuildRecord;
    if (r.status !== 'IN_PROGRESS') return r;
    const message = stopping === 'fast-fail' ? 'not started: fast-fail stopped the batch' : 'not started: the batch was stopped';
    return { ...r, status: 'STOPPED' as BuildStatus, message };
  });
  if (stopping === 'stopped') return { status: 'STOPPED', builds, message: 'batch stopped' };
  const counted = builds.filter((b) => b.status !== 'SUCCEEDED' && !b.ignoreFailure);
  // Name the build that failed, not one that fast-fail stopped because of it.
  const failed = counted.find((b) => b.status !== 'STOPPED') ?? counted[0];
  if (failed) return { status: 'FAILED', builds, message: `build ${failed.identifier} ${failed.status}${failed.message ? `: ${failed.message}` : ''}` };
  return { status: 'SUCCEEDED', builds };
}
