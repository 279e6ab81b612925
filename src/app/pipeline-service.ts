// Starting a pipeline execution from a file: load and plan it, check what can be checked before anything runs,
// wire the store, the logs and the executors, run it. Used by the CLI, git hooks and the dashboard alike.
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { closeSync, openSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DEFAULT_ACCOUNT, DEFAULT_REGION, LABELS, PipeError, newExecutionId } from '../core/index.js';
import type { ActionCategory, ActionType, ExecutionPlan, ExecutionTrigger, RunEventListener } from '../core/index.js';
import type { ActionContext, ActionExecutor } from '../execute/index.js';
import { createArtifactIo, removeDeadOwnersTempDirs } from '../artifacts/index.js';
import { buildWorkDir, createDockerBuildContainers, openCacheStore } from '../codebuild/index.js';
import { DockerEngine } from '../infra/index.js';
import { PRIVATE_FILE_MODE, makePrivateDir, openDatabase } from '../infra/index.js';
import { projectRoot } from '../infra/index.js';
import { artifactRoot } from '../infra/index.js';
import type { Db } from '../infra/index.js';
import { buildExecutionPlan } from '../plan/index.js';
import { openLocalSecrets, openSecretCipher } from '../secrets/index.js';
import type { SecretCipher } from '../secrets/index.js';
import { loadPipelineSpec } from '../parse/index.js';
import type { ResolvedGitSource } from '../source/index.js';
import { createBuildExecutor } from '../codebuild/index.js';
import { ExecutionStore } from '../execute/index.js';
import { isProcessAlive } from '../infra/index.js';
import { removeLeftoverContainers } from '../infra/index.js';
import { parkedNeedingDriver, prepareRollback } from '../execute/index.js';
import { recoverDeadOwners } from '../execute/index.js';
import type { Recovered } from '../execute/index.js';
import { Engine, LeaseStore, newOwnerNonce, ownerId } from '../execute/index.js';
import type { Owner } from '../execute/index.js';
import type { PipelineExecutionResult } from '../execute/index.js';
import { preflight } from './preflight.js';
import { createAwsEndpointProvider } from './aws-endpoint.js';
import type { SourceRevisionRequest } from './preflight.js';
import { createSourceExecutor } from '../source/index.js';
import { createInvokeExecutor, deployTimeScale } from '../deploy/index.js';
import { openLambdaApi, openLambdaSession } from './lambda-api.js';
import { DeploymentStore, createLambdaDeployExecutor, recoverDeployments } from '../deploy/index.js';
import { byActionType } from './action-types.js';

/** The action categories this version has executors for. */
const RUNNABLE_CATEGORIES: readonly ActionCategory[] = ['Source', 'Build', 'Deploy', 'Invoke', 'Approval'];
import { createCloudFormationExecutor, hasOrphanedStacks } from '../deploy/index.js';
import { stackContextOf } from './stack-context.js';

export interface PipeContext {
  home: string;
  artifactRoot: string;
  db: Db;
  store: ExecutionStore;
  engine: DockerEngine;
  /** Seals secret values at rest with PIPE_HOME's key. */
  cipher: SecretCipher;
  /** What opening the context recovered from dead owners (settleRecovered removes their containers). */
  recovered: Recovered;
}

/** Opens the state under PIPE_HOME and marks executions a killed process left InProgress as Failed. */
export function openPipeContext(options: { home: string; artifactRoot?: string }): PipeContext {
  const home = resolve(options.home);
  const db = openDatabase(join(home, 'state.db'));
  const store = new ExecutionStore(db);
  store.recoverInterrupted();
  const ctx: PipeContext = {
    home,
    artifactRoot: options.artifactRoot ? resolve(options.artifactRoot) : artifactRoot(),
    db,
    store,
    engine: new DockerEngine(undefined, { home }),
    cipher: openSecretCipher(home),
    recovered: { finished: [], parked: [] },
  };
  // Executions whose process died are finished now, by whichever pipe command comes first.
  recover(ctx);
  return ctx;
}

/** Finishes the executions whose owner died, recording through the store and the logs; settleRecovered does the rest. */
function recover(ctx: PipeContext): void {
  const recorder = new Engine({ store: ctx.store, home: ctx.home, isAlive: isProcessAlive });
  try {
    ctx.recovered = recoverDeadOwners(ctx.store, isProcessAlive, (e) => recorder.emit(e));
  } finally {
    recorder.close();
  }
}

/**
 * What recovery leaves to a process that can reach Docker: the containers and temporary files of the executions it
 * finished, the temporary folders of pipe processes that died; and a worker for each parked execution that needs one (its approval expired, or a stop was asked).
 */
export async function settleRecovered(ctx: PipeContext): Promise<void> {
  // A killed process's function environments (its in-process registry's, for a deploy's hooks or an Invoke action)
  // carry no execution id: every container of this PIPE_HOME whose owner died goes with the executions it left.
  if (ctx.recovered.finished.length > 0) {
    try {
      await removeLeftoverContainers(ctx.engine);
    } catch (e) {
      if (!(e instanceof PipeError && e.code === 'DOCKER_UNAVAILABLE')) throw e; // no engine: no container to remove
    }
  }
  for (const id of ctx.recovered.finished) {
    const state = ctx.store.runState(id);
    const plan = state?.plan as ExecutionPlan | undefined;
    if (state && plan) await removeTempFiles(join(state.artifactRoot, plan.pipeline, id));
    await rm(buildWorkDir(ctx.home, id), { recursive: true, force: true }); // a `pipe build`'s zipped source
    try {
      const containers = await ctx.engine.listContainerLabels({ [LABELS.managed]: 'true', [LABELS.home]: ctx.engine.home, [LABELS.executionId]: id });
      await Promise.all(containers.map((c) => ctx.engine.removeContainer(String(c['id']))));
    } catch (e) {
      if (!(e instanceof PipeError && e.code === 'DOCKER_UNAVAILABLE')) throw e; // no engine: no container to remove
    }
  }
  ctx.recovered.finished = [];
  await removeDeadOwnersTempDirs(isProcessAlive); // a killed process's tar blobs, zips being combined
  await settleDeploys(ctx);
  for (const id of parkedNeedingDriver({ store: ctx.store, isAlive: isProcessAlive })) spawnWorker(ctx, id);
}

/**
 * Deployments and stacks a killed process left half-done: the alias back on its version, the stack rolled back (or
 * its cleanup finished) through the registry. Cheap when there are none; the registry commands run it too.
 */
export async function settleDeploys(ctx: Pick<PipeContext, 'db' | 'home'>): Promise<void> {
  await recoverDeadDeployments(ctx);
  if (hasOrphanedStacks(ctx.db, isProcessAlive)) await (await stackContextOf(ctx)).close();
}

/** Before the registry is read or invoked (`pipe functions`, `pipe invoke`): what settleDeploys finishes. */
export async function settleDeploysOf(home: string): Promise<void> {
  const ctx = openPipeContext({ home });
  try {
    await settleDeploys(ctx);
  } finally {
    ctx.db.close();
  }
}

/** Deployments of aliases whose process died: the alias back on its version (moving an alias invokes nothing). */
async function recoverDeadDeployments(ctx: Pick<PipeContext, 'db' | 'home'>): Promise<void> {
  if (!new DeploymentStore(ctx.db).hasOrphans()) return;
  // Through the PIPE_HOME's registry server when one runs (moving an alias starts no container in-process).
  const lambda = await openLambdaApi({ home: ctx.home });
  try {
    await recoverDeployments(ctx.db, lambda.api);
  } finally {
    await lambda.close();
  }
}

/** The half-written zips (`.<name>.<pid>.<nonce>.tmp`) a killed action left in its execution's artifact folder. */
async function removeTempFiles(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  await Promise.all(names.filter((n) => n.endsWith('.tmp')).map((n) => rm(join(dir, n), { force: true })));
}

export interface StartPipelineOptions {
  file: string;
  trigger: ExecutionTrigger;
  variables?: Record<string, string>;
  signal?: AbortSignal;
  /** Subscribed before the execution starts, so they see every event. */
  listeners?: RunEventListener[];
  /** Called once the plan is ready and checked, before the execution starts. */
  onPlan?: (plan: ExecutionPlan, executionId: string) => void;
  /** Record the execution and hand it to a background worker (`pipe run --detach`) instead of running it here. */
  detach?: boolean;
  /** Source actions to run at a given commit (StartPipelineExecution's `sourceRevisions`), by action name. */
  sourceRevisions?: ReadonlyMap<string, SourceRevisionRequest>;
}

export async function loadPlan(file: string): Promise<ExecutionPlan> {
  return buildExecutionPlan(loadPipelineSpec(resolve(file)));
}

/** The engine of a context: the store, the logs, and executors for every category this version runs. */
export function createEngine(ctx: PipeContext, options: { sources?: ReadonlyMap<string, ResolvedGitSource>; parkOnApproval?: boolean; owner?: Owner } = {}): Engine {
  return new Engine({
    store: ctx.store,
    home: ctx.home,
    cipher: ctx.cipher,
    isAlive: isProcessAlive,
    ...(options.parkOnApproval ? { parkOnApproval: true } : {}),
    ...(options.owner ? { owner: options.owner } : {}),
    recoverDeadOwners: async () => {
      recover(ctx);
      await settleRecovered(ctx);
    },
    executors: {
      Source: createSourceExecutor(options.sources ?? new Map()),
      Build: createBuildExecutor({
        containers: createDockerBuildContainers(ctx.engine),
        artifacts: createArtifactIo(),
        nextBuildNumber: (p) => ctx.store.nextBuildNumber(p),
        region: DEFAULT_REGION,
        account: DEFAULT_ACCOUNT,
        secrets: openLocalSecrets(ctx.db, ctx.cipher),
        cache: openCacheStore(ctx.home),
        awsEndpoints: createAwsEndpointProvider(ctx),
      }),
      Invoke: createInvokeExecutor({
        db: ctx.db,
        timeScale: pipelineTimeScale(ctx),
        openLambda: () => openLambdaSession({ home: ctx.home, invoker: { engine: ctx.engine } }),
        region: DEFAULT_REGION,
        account: DEFAULT_ACCOUNT,
      }),
      Deploy: byActionType({
        'Deploy/Lambda': createLambdaDeployExecutor({
          // Through the PIPE_HOME's registry server when one runs, else in-process with a loopback server for hooks.
          openRegistry: async () => {
            const session = await openLambdaSession({ home: ctx.home, invoker: { engine: ctx.engine } });
            return { lambda: session.api, db: ctx.db, close: () => session.close() };
          },
          timeScale: pipelineTimeScale(ctx),
        }),
        'Deploy/CloudFormation': createCloudFormationExecutor({ open: () => stackContextOf(ctx), timeScale: pipelineTimeScale(ctx) }),
      }),
    },
  });
}

/** The deploy actions' time scale: PIPE_DEPLOY_TIME_SCALE, else the `deployTimeScale` of the plan the execution runs. */
function pipelineTimeScale(ctx: PipeContext): (actx: ActionContext) => number {
  return (actx) => {
    const plan = ctx.store.runState(actx.executionId)?.plan as Partial<ExecutionPlan> | undefined;
    return deployTimeScale({ pipeline: typeof plan?.deployTimeScale === 'number' ? plan.deployTimeScale : undefined });
  };
}

function checkRunnable(plan: ExecutionPlan): void {
  const unrunnable = plan.stages.flatMap((s) => s.groups.flat()).find((a) => !RUNNABLE_CATEGORIES.includes(a.category));
  if (unrunnable) {
    throw new PipeError('INVALID_SPEC', `${unrunnable.id}: pipe cannot run ${unrunnable.type} actions yet`, {
      hint: `this version runs ${RUNNABLE_CATEGORIES.slice(0, -1).join(', ')} and ${RUNNABLE_CATEGORIES.at(-1) ?? ''} actions; 'pipe validate' checks the file`,
    });
  }
}

/** Each source revision names a Source/Git action of the pipeline, as StartPipelineExecution checks `actionName`. */
function checkSourceRevisions(plan: ExecutionPlan, revisions: ReadonlyMap<string, SourceRevisionRequest> | undefined): void {
  const sources = plan.stages.flatMap((s) => s.groups.flat()).filter((a) => a.type === 'Source/Git').map((a) => a.name);
  for (const name of revisions?.keys() ?? []) {
    if (sources.includes(name)) continue;
    throw new PipeError('INVALID_ARGUMENT', `pipeline ${plan.pipeline} has no Source/Git action '${name}'`, {
      hint: `source actions: ${sources.join(', ') || 'none'}; --source-revision takes ACTION=COMMIT`,
    });
  }
}

async function checkDocker(ctx: PipeContext, plan: ExecutionPlan): Promise<void> {
  const needsDocker = plan.stages.some((s) => s.groups.some((g) => g.some((a) => a.category === 'Build')));
  if (needsDocker) {
    await ctx.engine.ping();
    await removeLeftoverContainers(ctx.engine);
  }
}

/**
 * Starts an execution of a pipeline file: checks it (nothing is recorded for bad input), records it, then runs it
 * here until it ends (the CLI's live view), or hands it to a background worker (`detach`).
 */
export async function startPipeline(ctx: PipeContext, options: StartPipelineOptions): Promise<PipelineExecutionResult> {
  const plan = await loadPlan(options.file);
  checkRunnable(plan);
  // Stopped already (a signal at the first instant): recorded, and ended Stopped at once, with nothing checked.
  const stopped = () => options.signal?.aborted === true;
  if (!stopped()) await checkDocker(ctx, plan);
  checkSourceRevisions(plan, options.sourceRevisions);
  const resolvedSources = stopped() ? new Map<string, ResolvedGitSource>() : await preflight(plan, ctx.engine, options.sourceRevisions);
  const executionId = newExecutionId();
  options.onPlan?.(plan, executionId);
  const engine = createEngine(ctx, { sources: resolvedSources });
  for (const l of options.listeners ?? []) engine.subscribe(l);
  try {
    engine.create(plan, {
      executionId,
      trigger: options.trigger,
      artifactRoot: ctx.artifactRoot,
      sources: Object.fromEntries(resolvedSources),
      ...(options.variables ? { variables: options.variables } : {}),
    });
    if (options.detach) {
      // Held from its first moment, then handed to the worker: a kill in between leaves it with a dead owner.
      new LeaseStore(ctx.db, isProcessAlive).acquire(executionId, engine.owner);
      spawnWorker(ctx, executionId, engine.owner);
      return { executionId, status: 'InProgress' };
    }
    return await driveWithRollback(ctx, engine, executionId, options.signal);
  } finally {
    engine.close();
  }
}

/** Continues an execution recorded in the store (a worker's job: after `--detach`, an approval, a retry). */
export async function continueExecution(
  ctx: PipeContext,
  executionId: string,
  options: { signal?: AbortSignal; parkOnApproval?: boolean; listeners?: RunEventListener[]; owner?: Owner } = {},
): Promise<PipelineExecutionResult> {
  const state = ctx.store.runState(executionId);
  if (!state) throw new PipeError('NOT_FOUND', `execution ${executionId} has nothing to continue from`);
  const sources = new Map(Object.entries((state.sources ?? {}) as Record<string, ResolvedGitSource>));
  const engine = createEngine(ctx, { sources, ...(options.parkOnApproval ? { parkOnApproval: true } : {}), ...(options.owner ? { owner: options.owner } : {}) });
  for (const l of options.listeners ?? []) engine.subscribe(l);
  try {
    const plan = state.plan as ExecutionPlan;
    if (plan.stages.some((s) => s.groups.some((g) => g.some((a) => a.category === 'Build')))) await ctx.engine.ping();
    return await driveWithRollback(ctx, engine, executionId, options.signal);
  } finally {
    engine.close();
  }
}

/** Drives an execution; a stage that failed with onFailure ROLLBACK then rolls back, in this process. */
async function driveWithRollback(ctx: PipeContext, engine: Engine, executionId: string, signal: AbortSignal | undefined): Promise<PipelineExecutionResult> {
  const result = await engine.drive(executionId, signal ? { signal } : {});
  if (!result.rollbackStage || signal?.aborted) return result;
  const state = ctx.store.runState(executionId);
  if (!state) return result;
  const controlDeps = { store: ctx.store, isAlive: isProcessAlive };
  try {
    const rollback = prepareRollback(engine, controlDeps, state.plan as ExecutionPlan, result.rollbackStage, {
      trigger: { triggerType: 'AutomatedRollback', triggerDetail: `stage ${result.rollbackStage} of execution ${executionId} failed` },
      artifactRoot: state.artifactRoot,
    });
    const rolled = await engine.drive(rollback.executionId, signal ? { signal } : {});
    return { ...result, message: `${result.message ?? 'failed'}; rolled back by execution ${rollback.executionId}: ${rolled.status}` };
  } catch (e) {
    if (e instanceof PipeError) return { ...result, message: `${result.message ?? 'failed'}; no automatic rollback: ${e.message}` };
    throw e;
  }
}

/**
 * Runs `pipe worker ID` in the background, detached from this process and its terminal, to continue an execution;
 * the execution's lease goes to the worker (from `from`, its holder here, or from nobody) as soon as it is spawned.
 */
export function spawnWorker(ctx: PipeContext, executionId: string, from?: Owner): void {
  const logDir = join(ctx.home, 'logs', 'workers');
  makePrivateDir(logDir);
  const out = openSync(join(logDir, `${executionId}.log`), 'a', PRIVATE_FILE_MODE);
  const nonce = newOwnerNonce();
  try {
    const child = spawn(process.execPath, [join(projectRoot(), 'bin', 'pipe.js'), 'worker', executionId, '--owner', nonce], {
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, PIPE_HOME: ctx.home, PIPE_ARTIFACTS: ctx.artifactRoot },
    });
    child.unref();
    if (child.pid !== undefined) new LeaseStore(ctx.db, isProcessAlive).handOver(executionId, from, ownerId(hostname(), child.pid, nonce));
  } finally {
    closeSync(out);
  }
}
