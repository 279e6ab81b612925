// `pipe stop`, `pipe approve`, `pipe retry`, `pipe rollback`, `pipe transition`, and the hidden `pipe worker` that
// continues an execution in the background: any of them works from any process on the project's PIPE_HOME.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { PipeError } from '../../core/index.js';
import type { ExecutionPlan } from '../../core/index.js';
import { answerApproval, newOwner, prepareRetry, prepareRollback, requestStop, setTransition } from '../../execute/index.js';
import { isProcessAlive } from '../../infra/index.js';
import { continueExecution, createEngine, loadPlan, openPipeContext, settleRecovered, spawnWorker } from '../../app/index.js';
import type { PipeContext } from '../../app/index.js';
import type { PipelineExecutionResult } from '../../execute/index.js';
import { pipeHome } from '../../infra/index.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';
import { createJsonRenderer, createPlainRenderer } from '../render/plain-renderer.js';
import { onStop } from '../stop-signals.js';

/** Opens the project's context, finishing what dead owners left (their containers too). */
export async function openContext(): Promise<PipeContext> {
  const ctx = openPipeContext({ home: pipeHome() });
  await settleRecovered(ctx);
  return ctx;
}

async function withContext<T>(body: (ctx: PipeContext) => Promise<T> | T): Promise<T> {
  const ctx = await openContext();
  try {
    return await body(ctx);
  } finally {
    ctx.db.close();
  }
}

const deps = (ctx: PipeContext) => ({ store: ctx.store, isAlive: isProcessAlive });

/** The plan of a pipeline as its file says now: PIPELINE is a file, or the name of a pipeline that ran here. */
async function currentPlan(ctx: PipeContext, pipeline: string): Promise<ExecutionPlan> {
  if (existsSync(pipeline)) return loadPlan(pipeline);
  const last = ctx.store.listExecutions({ pipeline, limit: 1 })[0];
  if (!last) {
    throw new PipeError('NOT_FOUND', `no pipeline '${pipeline}' has run here, and no such file exists`, { hint: 'give the pipeline file, e.g. pipelines/deploy.yml' });
  }
  if (!existsSync(last.pipelineFile)) throw new PipeError('NOT_FOUND', `the file of pipeline ${pipeline}, ${last.pipelineFile}, is gone`);
  return loadPlan(last.pipelineFile);
}

/** Runs an execution here with plain lines (or JSON), until it ends; Ctrl-C abandons it, as `pipe run` does. */
async function driveHere(ctx: PipeContext, out: Output, executionId: string, json: boolean): Promise<PipelineExecutionResult> {
  const controller = new AbortController();
  const release = onStop((cause) => controller.abort(`stopped by ${cause}`));
  try {
    return await continueExecution(ctx, executionId, { signal: controller.signal, listeners: [json ? createJsonRenderer(out) : createPlainRenderer(out)] });
  } finally {
    release();
  }
}

function finishLine(out: Output, r: PipelineExecutionResult): void {
  out.exitCode = r.status === 'Succeeded' ? EXIT.success : EXIT.failed;
  out.stdout(`Details: pipe execution ${r.executionId}\n`);
}

export function registerControlCommands(program: Command, out: Output): void {
  program
    .command('stop')
    .description('Stop an execution: running actions finish (Stopping, then Stopped), or with --abandon are Abandoned now')
    .argument('<id>', 'execution id (or a unique prefix)')
    .option('--abandon', 'abandon running actions now and remove their containers')
    .option('--reason <text>', 'why, kept with the execution')
    .action((id: string, opts: { abandon?: boolean; reason?: string }) =>
      withContext((ctx) => {
        const r = requestStop(deps(ctx), id, { abandon: opts.abandon === true, ...(opts.reason ? { reason: opts.reason } : {}) });
        if (r.needsDriver) spawnWorker(ctx, r.executionId); // parked (waiting for an approval): a worker settles the stop
        out.stdout(`Execution ${r.executionId}: ${opts.abandon ? 'stop and abandon' : 'stop'} requested\n`);
      }),
    );

  program
    .command('approve')
    .description('Answer a manual approval (Approval/Manual): approve it, or --reject it; the execution goes on')
    .argument('<id>', 'execution id (or a unique prefix)')
    .argument('<action>', 'the approval action, Stage.Action')
    .option('--reject', 'reject: the action fails')
    .option('--summary <text>', 'a comment kept with the answer')
    .action((id: string, action: string, opts: { reject?: boolean; summary?: string }) =>
      withContext((ctx) => {
        const r = answerApproval(deps(ctx), id, action, { approve: opts.reject !== true, ...(opts.summary ? { summary: opts.summary } : {}) });
        if (r.needsDriver) spawnWorker(ctx, r.executionId);
        out.stdout(`${r.stage}.${r.action} of execution ${r.executionId}: ${opts.reject ? 'rejected' : 'approved'}\n`);
      }),
    );

  program
    .command('retry')
    .description("Retry a failed or stopped stage: its failed actions (or all) run again as a new attempt, then the execution goes on")
    .argument('<id>', 'execution id (or a unique prefix)')
    .argument('<stage>', 'the stage to retry')
    .option('--all-actions', 'run every action of the stage again, not only the failed ones')
    .option('--detach', 'continue in the background and print the execution id')
    .option('--json', 'print every event as a JSON line')
    .action((id: string, stage: string, opts: { allActions?: boolean; detach?: boolean; json?: boolean }) =>
      withContext(async (ctx) => {
        const e = ctx.store.getExecution(id);
        const file = e?.pipelineFile;
        const digest = file && existsSync(file) ? (await loadPlan(file)).structureDigest : undefined;
        const engine = createEngine(ctx);
        try {
          const r = prepareRetry(engine, deps(ctx), id, stage, { allActions: opts.allActions === true, ...(digest ? { currentStructureDigest: digest } : {}) });
          if (opts.detach) {
            spawnWorker(ctx, r.executionId);
            out.stdout(`${r.executionId}\n`);
            return;
          }
          engine.close();
          finishLine(out, await driveHere(ctx, out, r.executionId, opts.json === true));
        } finally {
          engine.close();
        }
      }),
    );

  program
    .command('rollback')
    .description('Roll a stage back: a new ROLLBACK execution runs it with the artifacts and variables of an earlier execution that succeeded in it')
    .argument('<pipeline>', 'the pipeline: its file, or its name if it ran here')
    .argument('<stage>', 'the stage to roll back')
    .option('--to <id>', 'the execution to roll back to (default: the last that succeeded in the stage)')
    .option('--detach', 'run in the background and print the rollback execution id')
    .option('--json', 'print every event as a JSON line')
    .action((pipeline: string, stage: string, opts: { to?: string; detach?: boolean; json?: boolean }) =>
      withContext(async (ctx) => {
        const plan = await currentPlan(ctx, pipeline);
        const engine = createEngine(ctx);
        let executionId: string;
        try {
          executionId = prepareRollback(engine, deps(ctx), plan, stage, {
            ...(opts.to ? { to: opts.to } : {}),
            trigger: { triggerType: 'ManualRollback', triggerDetail: `pipe rollback ${plan.pipeline} ${stage}` },
            artifactRoot: ctx.artifactRoot,
          }).executionId;
        } finally {
          engine.close();
        }
        if (opts.detach) {
          spawnWorker(ctx, executionId);
          out.stdout(`${executionId}\n`);
          return;
        }
        finishLine(out, await driveHere(ctx, out, executionId, opts.json === true));
      }),
    );

  const transition = program.command('transition').description("Disable or enable a stage's inbound transition; executions wait in front of a disabled one");
  transition
    .command('disable')
    .argument('<pipeline>', 'the pipeline: its file, or its name if it ran here')
    .argument('<stage>', 'the stage whose inbound transition to disable')
    .requiredOption('--reason <text>', 'why (CodePipeline asks for one)')
    .action((pipeline: string, stage: string, opts: { reason: string }) =>
      withContext(async (ctx) => {
        const plan = await currentPlan(ctx, pipeline);
        setTransition(deps(ctx), plan, stage, { enable: false, reason: opts.reason });
        out.stdout(`transition into ${plan.pipeline}.${stage} disabled: ${opts.reason}\n`);
      }),
    );
  transition
    .command('enable')
    .argument('<pipeline>', 'the pipeline: its file, or its name if it ran here')
    .argument('<stage>', 'the stage whose inbound transition to enable')
    .action((pipeline: string, stage: string) =>
      withContext(async (ctx) => {
        const plan = await currentPlan(ctx, pipeline);
        setTransition(deps(ctx), plan, stage, { enable: true });
        out.stdout(`transition into ${plan.pipeline}.${stage} enabled\n`);
      }),
    );

  program
    .command('worker', { hidden: true })
    .description('continue an execution in the background (started by run --detach, approve, retry, rollback)')
    .argument('<id>', 'execution id')
    .option('--owner <nonce>', 'run as the owner the starting process handed the execution to')
    .action((id: string, opts: { owner?: string }) =>
      withContext(async (ctx) => {
        const controller = new AbortController();
        const release = onStop((cause) => controller.abort(`stopped by ${cause}`));
        try {
          const owner = opts.owner && /^[0-9a-f]{1,32}$/.test(opts.owner) ? { owner: newOwner(opts.owner) } : {};
          const r = await continueExecution(ctx, id, { signal: controller.signal, parkOnApproval: true, ...owner });
          out.stdout(`${new Date().toISOString()} execution ${r.executionId}: ${r.status}${r.parked ? ' (waiting for approval; parked)' : ''}${r.message ? ` - ${r.message}` : ''}\n`);
          out.exitCode = r.status === 'Succeeded' || r.parked ? EXIT.success : EXIT.failed;
        } finally {
          release();
        }
      }),
    );
}
