// `pipe run`, `pipe validate`: the pipeline file, checked and run.
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import { ValidationError } from '../../core/index.js';
import type { ExecutionPlan, Problem, RunEventListener } from '../../core/index.js';
import { loadPlan, openPipeContext, settleRecovered, startPipeline } from '../../app/index.js';
import { dirname, resolve } from 'node:path';
import { artifactRoot, pipeHome } from '../../infra/index.js';
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

export function registerPipelineCommands(program: Command, out: Output): void {
  program
    .command('run')
    .description('Run a pipeline file: every stage, in order, with builds in Docker')
    .argument('<file>', 'pipeline YAML file, e.g. pipelines/deploy.yml')
    .option('--json', 'print every event as a JSON line')
    .option('--variable <NAME=VALUE>', 'set a pipeline variable (repeatable)', collectVariable)
    .option('--detach', 'start the execution in the background and print its id (pipe logs ID --follow follows it)')
    .action(async (file: string, opts: { json?: boolean; variable?: Record<string, string>; detach?: boolean }) => {
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
            trigger: { triggerType: 'StartPipelineExecution', triggerDetail: `pipe run ${file}` },
            variables: opts.variable ?? {},
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
    .action(async (file: string, opts: { json?: boolean }) => {
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
    });

  registerExecutionCommands(program, out);
}

/** `pipe run --detach`: the execution is recorded and handed to a background worker; its id is printed. */
async function runDetached(out: Output, file: string, opts: { json?: boolean; variable?: Record<string, string> }): Promise<void> {
  const from = dirname(resolve(file));
  const ctx = openPipeContext({ home: pipeHome({ from }), artifactRoot: artifactRoot({ from }) });
  try {
    await settleRecovered(ctx);
    const r = await startPipeline(ctx, {
      file,
      trigger: { triggerType: 'StartPipelineExecution', triggerDetail: `pipe run --detach ${file}` },
      variables: opts.variable ?? {},
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
