// Invoke/Lambda: CodePipeline's Lambda invoke action. Each job is recorded, its function invoked with the
// `CodePipeline.job` event, and the action waits for the job's answer: PutJobSuccessResult (output variables, or a
// continuation token, which starts a new job for the same action), PutJobFailureResult, or none before the
// timeout (CodePipeline's 20 minutes per job, 24 hours in all, divided by the deploy time scale). A function that
// fails before reporting fails the action with its error at once (locally async retries are not waited for).
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { digestFile } from '../artifacts/index.js';
import type { ArtifactRef } from '../core/index.js';
import type { ActionContext, ActionExecutor, ActionOutcome } from '../execute/index.js';
import type { Db } from '../infra/index.js';
import type { LambdaApi } from '../registry/index.js';
import { artifactBucketName } from './job-api.js';
import { artifactKey, jobEvent } from './job-event.js';
import { JobStore } from './job-store.js';
import { actionTimeScale } from './time-scale.js';
import type { TimeScaleOption } from './time-scale.js';
import type { JobArtifact, JobRecord, JobResult } from './job-store.js';

/** CodePipeline's wait for one job's answer, and for all the jobs of one action execution. */
export const JOB_TIMEOUT_MS = 20 * 60 * 1000;
export const ACTION_TIMEOUT_MS = 24 * 60 * 60 * 1000;
/** How often the action looks for its job's answer (written by whichever process serves the API). */
const POLL_MS = 50;

/** The LambdaApi the action invokes through, with a CodePipeline endpoint its function can call back. */
export interface LambdaSession {
  api: LambdaApi;
  close(): Promise<void>;
}

export interface InvokeExecutorOptions {
  db: Db;
  /** Opened for each action execution, closed at its end. */
  openLambda: () => Promise<LambdaSession>;
  region: string;
  account: string;
  /** Divides CodePipeline's waits: fixed, or per action (the pipeline's); absent: PIPE_DEPLOY_TIME_SCALE, else 1. */
  timeScale?: TimeScaleOption;
}

export function createInvokeExecutor(options: InvokeExecutorOptions): ActionExecutor {
  const store = new JobStore(options.db);
  return {
    async run(ctx) {
      const session = await options.openLambda();
      try {
        return await runAction(ctx, session.api, store, options);
      } finally {
        await session.close();
      }
    },
  };
}

async function runAction(ctx: ActionContext, api: LambdaApi, store: JobStore, options: InvokeExecutorOptions): Promise<ActionOutcome> {
  const functionName = String(ctx.configuration['FunctionName'] ?? '');
  const userParameters = ctx.configuration['UserParameters'];
  const configuration = { FunctionName: functionName, ...(typeof userParameters === 'string' ? { UserParameters: userParameters } : {}) };
  const scale = actionTimeScale(options.timeScale, ctx);
  const actionDeadline = Date.now() + ACTION_TIMEOUT_MS / scale;
  const bucket = artifactBucketName(options.region, options.account);
  let continuationToken: string | undefined;
  // Invocations still running after their job was answered: waited for before the action ends (an in-process
  // registry's environments go with the action), except after a timeout or a stop.
  const running: Promise<void>[] = [];
  for (let attempt = 1; ; attempt++) {
    const artifacts: JobArtifact[] = [
      ...ctx.inputs.map((a) => ({ kind: 'input' as const, name: a.name, bucket, key: keyFor(ctx, a.name), path: a.path, ...(a.revision ? { revision: a.revision } : {}) })),
      ...ctx.outputs.map((a) => ({ kind: 'output' as const, name: a.name, bucket, key: keyFor(ctx, a.name), path: a.path })),
    ];
    const job = store.create({ executionId: ctx.executionId, actionId: ctx.action.id, functionName, artifacts }, randomUUID());
    ctx.log('system', `job ${job.id}: invoking ${functionName}${continuationToken === undefined ? '' : ` (continuation ${attempt - 1})`}`);
    const payload = Buffer.from(JSON.stringify(jobEvent({ jobId: job.id, accountId: options.account, configuration, artifacts, ...(continuationToken === undefined ? {} : { continuationToken }) })));
    const invoked = invokeInBackground(ctx, api, functionName, payload);
    running.push(invoked.settled);
    const deadline = Math.min(Date.now() + JOB_TIMEOUT_MS / scale, actionDeadline);
    const result = await waitForResult(ctx, store, job, invoked, deadline, scale);
    if (ctx.signal.aborted) return { status: 'Failed', message: 'the action was stopped' };
    if (result.status === 'Failed') {
      // failureDetails.message is the action's error, as the console shows it; a type other than JobFailed says more.
      const message = result.type === 'JobFailed' ? result.message : `${result.type}: ${result.message}`;
      await Promise.all(running);
      return { status: 'Failed', message, externalExecutionId: result.externalExecutionId ?? job.id };
    }
    if (result.status === 'TimedOut') return { status: 'Failed', message: result.message, externalExecutionId: job.id };
    const progress = [result.summary, result.percentComplete === undefined ? undefined : `${result.percentComplete}%`].filter(Boolean).join(', ');
    if (result.continuationToken !== undefined) {
      ctx.log('system', `job ${job.id}: continues${progress ? ` (${progress})` : ''}`);
      continuationToken = result.continuationToken;
      continue;
    }
    ctx.log('system', `job ${job.id}: succeeded${progress ? ` (${progress})` : ''}`);
    await Promise.all(running);
    const missing = ctx.outputs.filter((o) => !existsSync(o.path)).map((o) => o.name);
    if (missing.length > 0) {
      return { status: 'Failed', message: `the function reported success without writing its output artifact(s) ${missing.join(', ')} (PutObject to the location in the job event)` };
    }
    const refs: ArtifactRef[] = await Promise.all(ctx.outputs.map(async (o) => {
      const d = await digestFile(o.path);
      return { name: o.name, path: o.path, sha256: d.sha256, size: d.size };
    }));
    return {
      status: 'Succeeded',
      outputVariables: result.outputVariables ?? {},
      artifacts: refs,
      externalExecutionId: result.externalExecutionId ?? job.id,
      ...(result.summary === undefined ? {} : { summary: result.summary }),
    };
  }
}

function keyFor(ctx: ActionContext, artifact: string): string {
  return artifactKey(ctx.pipeline, artifact, randomBytes(4).toString('hex'));
}

/** What a synchronous invoke came to: undefined while it runs or when it ended normally; else why it failed. */
interface InvokeWatch {
  failure(): string | undefined;
  /** Resolves when the invocation has ended, however it ended. */
  settled: Promise<void>;
}

/**
 * Invokes the function and does not wait: the job's answer comes through the API. Its log goes to the action's
 * log when it ends; a function error (or an invoke the registry refused) is kept, to fail a job left unanswered.
 */
function invokeInBackground(ctx: ActionContext, api: LambdaApi, functionName: string, payload: Buffer): InvokeWatch {
  let failure: string | undefined;
  const settled = api.invoke({ FunctionName: functionName, Payload: payload, LogType: 'Tail' }).then(
    (out) => {
      const log = out.LogResult === undefined ? '' : Buffer.from(out.LogResult, 'base64').toString('utf8');
      for (const line of log.split('\n')) if (line !== '') ctx.log('stdout', line);
      if (out.FunctionError !== undefined) failure = `the function failed before reporting: ${describeFunctionError(out.Payload)}`;
    },
    (e: unknown) => {
      failure = `cannot invoke ${functionName}: ${e instanceof Error ? e.message : String(e)}`;
    },
  );
  return { failure: () => failure, settled };
}

function describeFunctionError(payload: Buffer | undefined): string {
  try {
    const body = JSON.parse(payload?.toString('utf8') ?? '') as { errorType?: string; errorMessage?: string };
    return [body.errorType, body.errorMessage].filter(Boolean).join(': ') || 'unknown error';
  } catch {
    return payload?.toString('utf8').slice(0, 500) || 'unknown error';
  }
}

async function waitForResult(ctx: ActionContext, store: JobStore, job: JobRecord, invoked: InvokeWatch, deadline: number, scale: number): Promise<JobResult> {
  for (;;) {
    const current = store.get(job.id);
    if (current?.result) return current.result;
    const failure = invoked.failure();
    if (failure !== undefined) return finishAs(store, job.id, { status: 'Failed', type: 'JobFailed', message: failure });
    if (ctx.signal.aborted) return finishAs(store, job.id, { status: 'Failed', type: 'JobFailed', message: 'the action was stopped' });
    if (Date.now() >= deadline) {
      const minutes = Math.round(JOB_TIMEOUT_MS / 60_000);
      const scaled = scale === 1 ? '' : ` (${Math.round(JOB_TIMEOUT_MS / scale)} ms at time scale ${scale})`;
      return finishAs(store, job.id, { status: 'TimedOut', message: `job ${job.id} timed out: ${job.functionName} reported no result within ${minutes} minutes${scaled}` });
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Ends the job as the action saw it, unless an answer came in just before: then that answer stands. */
function finishAs(store: JobStore, id: string, result: JobResult): JobResult {
  if (store.finish(id, result)) return result;
  return store.get(id)?.result ?? result;
}
