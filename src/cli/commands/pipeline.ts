// `pipe run`, `pipe validate`: the pipeline file, checked and run.
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import { ValidationError } from '../../core/index.js';
import type { ExecutionPlan, Problem, RunEventListener, SourceRevision } from '../../core/index.js';
import { loadPlan, openPipeContext, settleRecovered, startPipeline } from '../../app/index.js';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { artifactRoot, findWorkspaceRoot, pipeHome } from '../../infra/index.js';
import { EXIT } from '../exit-codes.js';
import { onStop } from '../stop-signals.js';
import type { StopCause } from '../stop-signals.js';
import type { Output } from '../output.js';
import { createJsonRenderer, createPlainRenderer } from '../render/plain-renderer.js';
import { createTtyRenderer } from '../render/tty-renderer.js';
import { registerExecutionCommands } from './executions.js';

function collectVariable(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError('--variable takes NAME=VALUE');
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

/**
 * The pipeline file a name means: the path as given, else a bare file name (`deploy.yml`) looked up in `pipelines/`
 * here and at the project's root, so `pipe run deploy.yml` works from the root as typed.
 */
export function locatePipelineFile(file: string): string {
  if (existsSync(file) || /[\\/]/.test(file)) return file;
  for (const dir of [resolve('pipelines'), join(findWorkspaceRoot(), 'pipelines')]) {
    if (existsSync(join(dir, file))) return join(dir, file);
  }
  return file;
}

function collectRevision(value: string, previous: Map<string, { commit: string }> | undefined): Map<string, { commit: string }> {
  const eq = value.indexOf('=');
  if (eq <= 0 || eq === value.length - 1) throw new InvalidArgumentError('--source-revision takes ACTION=COMMIT');
  return new Map([...(previous ?? []), [value.slice(0, eq), { commit: value.slice(eq + 1) }]]);
}

/** StartPipelineExecution's `sourceRevisions`, recorded with the trigger. */
function revisionFacts(revisions: Map<string, { commit: string }> | undefined): { sourceRevisions?: SourceRevision[] } {
  if (!revisions) return {};
  return { sourceRevisions: [...revisions].map(([actionName, r]) => ({ actionName, revisionType: 'COMMIT_ID', revisionValue: r.commit })) };
}

export function registerPipelineCommands(program: Command, out: Output): void {
  program
    .command('run')
    .description('Run a pipeline file: every stage, in order, with builds in Docker')
    .argument('<file>', 'pipeline YAML file, e.g. pipelines/deploy.yml')
    .option('--json', 'print every event as a JSON line')
    .option('--variable <NAME=VALUE>', 'set a pipeline variable (repeatable)', collectVariable)
    .option('--detach', 'start the execution in the background and print its id (pipe logs ID --follow follows it)')
    .option('--source-revision <ACTION=COMMIT>', 'run a source action at this commit instead of its branch (repeatable)', collectRevision)
    .action(async (given: string, opts: RunOptions) => {
      const file = locatePipelineFile(given);
      if (opts.detach) return runDetached(out, file, opts);
      // Taken first: a signal from the first instant on (pipe kept those that came while it loaded) stops the
      // execution, which is still recorded, and ends Stopped.
      const controller = new AbortController();
      const releaseStop = onStop((cause) => controller.abort(stopReason(cause)));
      let tty: ReturnType<typeof createTtyRenderer> | undefined;
      const listeners: RunEventListener[] = [];
      try {
        // State and artifacts go to the root of the project the pipeline file is in, wherever pipe runs from.
        const from = dirname(resolve(file));
        const ctx = openPipeContext({ home: pipeHome({ from }), artifactRoot: artifactRoot({ from }) });
        try {
          await settleRecovered(ctx);
          const result = await startPipeline(ctx, {
            file,
            trigger: { triggerType: 'StartPipelineExecution', triggerDetail: `pipe run ${file}`, ...revisionFacts(opts.sourceRevision) },
            variables: opts.variable ?? {},
            ...(opts.sourceRevision ? { sourceRevisions: opts.sourceRevision } : {}),
            signal: controller.signal,
            listeners,
            onPlan: (plan) => {
              if (opts.json) listeners.push(createJsonRenderer(out));
              else if (out.isTTY) {
                tty = createTtyRenderer(out, plan);
                const r = tty;
                listeners.push((e) => r.onEvent(e));
              } else listeners.push(createPlainRenderer(out));
            },
          });
          out.exitCode = result.status === 'Succeeded' ? EXIT.success : EXIT.failed;
          // The renderers have said how it ended, and why; this only says where to look.
          if (!opts.json) out.stdout(`Details: pipe execution ${result.executionId}\n`);
        } finally {
          ctx.db.close();
        }
      } finally {
        tty?.close();
        releaseStop();
      }
    });

  program
    .command('validate')
    .description('Check a pipeline file and report every problem in it at once')
    .argument('<file>', 'pipeline YAML file')
    .option('--json', 'print the plan as JSON; an invalid file: its problems (file, line, column, path, message)')
    .action(async (given: string, opts: { json?: boolean }) => {
      const file = locatePipelineFile(given);
      let plan: ExecutionPlan;
      try {
        plan = await loadPlan(file);
      } catch (e) {
        // Editors and CI read the problems from stdout; the exit code stays 2.
        if (opts.json && e instanceof ValidationError) out.stdout(`${JSON.stringify({ valid: false, problems: e.problems.map(problemJson) }, null, 2)}\n`);
        throw e;
      }
      if (opts.json) {
        out.stdout(`${JSON.stringify(plan, null, 2)}\n`);
        return;
      }
      const actions = plan.stages.flatMap((s) => s.groups.flat());
      out.stdout(`${file}: valid pipeline ${plan.pipeline}, ${plan.stages.length} stages, ${actions.length} actions\n`);
      for (const s of plan.stages) {
        out.stdout(`  ${s.name}\n`);
        for (const g of s.groups) for (const a of g) out.stdout(`    ${a.runOrder}. ${a.name} (${a.type})\n`);
      }
      for (const t of plan.triggers ?? []) out.stdout(`  trigger on ${t.sourceActionName}: ${t.push.length} push filter${t.push.length === 1 ? '' : 's'}\n`);
    });

  registerExecutionCommands(program, out);
}

/** `pipe run --detach`: the execution is recorded and handed to a background worker; its id is printed. */
interface RunOptions {
  json?: boolean;
  variable?: Record<string, string>;
  detach?: boolean;
  sourceRevision?: Map<string, { commit: string }>;
}

async function runDetached(out: Output, file: string, opts: RunOptions): Promise<void> {
  const from = dirname(resolve(file));
  const ctx = openPipeContext({ home: pipeHome({ from }), artifactRoot: artifactRoot({ from }) });
  try {
    await settleRecovered(ctx);
    const r = await startPipeline(ctx, {
      file,
      trigger: { triggerType: 'StartPipelineExecution', triggerDetail: `pipe run --detach ${file}`, ...revisionFacts(opts.sourceRevision) },
      variables: opts.variable ?? {},
      ...(opts.sourceRevision ? { sourceRevisions: opts.sourceRevision } : {}),
      detach: true,
    });
    out.stdout(opts.json ? `${JSON.stringify({ executionId: r.executionId, status: r.status })}\n` : `${r.executionId}\n`);
  } finally {
    ctx.db.close();
  }
}

function problemJson(p: Problem): { file: string; line: number; column: number; path: string; message: string } {
  return { file: p.location.file, line: p.location.line, column: p.location.column, path: p.path, message: p.message };
}

/** Why the execution stops, as its Stopped status message says. */
function stopReason(cause: StopCause): string {
  return cause === 'EPIPE' ? 'stopped: the output pipe closed' : cause === 'parent exited' ? 'stopped: the process that started pipe exited' : `stopped by ${cause}`;
}
