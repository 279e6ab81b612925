// `pipe executions`, `pipe execution ID`, `pipe logs ID [ACTION]`: what happened, from the store.
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { PipeError, isTerminalExecutionStatus } from '../../core/index.js';
import { findBuildRecord } from '../../codebuild/index.js';
import { findExecution, followEvents } from '../../execute/index.js';
import type { ExecutionDetail, ExecutionStore } from '../../execute/index.js';
import type { Output } from '../output.js';
import { onStop } from '../stop-signals.js';
import { durationBetween, paint, paintStatus } from '../render/style.js';
import { renderReportLines } from '../render/report-summary.js';
import { findBuild, printBuildLog } from './builds.js';
import { openContext } from './control.js';

async function withStore<T>(body: (store: ExecutionStore) => Promise<T> | T): Promise<T> {
  const ctx = await openContext();
  try {
    return await body(ctx.store);
  } finally {
    ctx.db.close();
  }
}

export function registerExecutionCommands(program: Command, out: Output): void {
  program
    .command('executions')
    .description('List pipeline executions, newest first')
    .option('--pipeline <name>', 'only this pipeline')
    .option('--limit <n>', 'at most this many', '20')
    .option('--json', 'print JSON')
    .action((opts: { pipeline?: string; limit: string; json?: boolean }) =>
      withStore((store) => {
        const limit = Number(opts.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new PipeError('INVALID_ARGUMENT', `--limit takes a positive whole number, got '${opts.limit}'`);
        const list = store.listExecutions({ ...(opts.pipeline ? { pipeline: opts.pipeline } : {}), limit });
        if (opts.json) return out.stdout(`${JSON.stringify(list, null, 2)}\n`);
        if (list.length === 0) return out.stdout('no executions\n');
        for (const e of list) {
          const kind = e.executionType === 'ROLLBACK' ? '  rollback' : '';
          out.stdout(`${e.executionId}  ${e.pipeline.padEnd(20)} ${paintStatus(out.color, e.status).padEnd(out.color ? 19 : 10)} ${e.startTime}  ${durationBetween(e.startTime, e.endTime).padEnd(7)} ${e.trigger.triggerType}${kind}\n`);
        }
      }),
    );

  program
    .command('execution')
    .description('Show one execution: stages, actions, statuses, durations, artifacts, variables')
    .argument('<id>', 'execution id (or a unique prefix)')
    .option('--json', 'print JSON')
    .action((id: string, opts: { json?: boolean }) =>
      withStore((store) => {
        const e = findExecution(store, id);
        if (opts.json) return out.stdout(`${JSON.stringify(e, null, 2)}\n`);
        const c = out.color;
        out.stdout(`Execution ${e.executionId}\n  pipeline ${e.pipeline} (${e.pipelineFile})\n  status   ${paintStatus(c, e.status)}${e.statusMessage ? ` - ${e.statusMessage}` : ''}\n  trigger  ${e.trigger.triggerType}: ${e.trigger.triggerDetail}\n  type     ${e.executionType}${e.rollbackTarget ? ` of execution ${e.rollbackTarget}` : ''}, mode ${e.executionMode}\n  started  ${e.startTime}, took ${durationBetween(e.startTime, e.endTime)}\n`);
        for (const line of triggerLines(e.trigger)) out.stdout(`           ${line}\n`);
        if (e.waitingFor) out.stdout(`  waiting  in front of stage ${e.waitingFor.stage} since ${e.waitingFor.since}: ${e.waitingFor.reason}\n`);
        for (const s of e.stages) {
          const attempt = s.attempt > 1 ? `  attempt ${s.attempt}${s.retryTrigger ? ` (${s.retryTrigger})` : ''}` : '';
          out.stdout(`\n${paint(c, 'bold', s.stage)}  ${paintStatus(c, s.status)}  ${durationBetween(s.startTime, s.endTime)}${attempt}\n`);
          for (const a of e.actions.filter((x) => x.stage === s.stage)) {
            const approval = e.approvals.filter((x) => x.stage === a.stage && x.action === a.action).at(-1);
            if (approval) {
              out.stdout(approval.status === 'Waiting'
                ? `  ${a.action} (${a.actionType})  ${paint(c, 'yellow', 'waiting for approval')} until ${approval.expiresAt}\n    pipe approve ${e.executionId.slice(0, 8)} ${a.stage}.${a.action} [--reject] [--summary TEXT]\n`
                : `  ${a.action} (${a.actionType})  ${paintStatus(c, a.status)}  ${approval.status.toLowerCase()} at ${approval.respondedAt ?? approval.expiresAt}${approval.summary ? `: ${approval.summary}` : ''}\n`);
              if (approval.customData) out.stdout(`    ${approval.customData}\n`);
              if (approval.externalEntityLink) out.stdout(`    review: ${approval.externalEntityLink}\n`);
              continue;
            }
            out.stdout(`  ${a.action} (${a.actionType}, runOrder ${a.runOrder})  ${paintStatus(c, a.status)}  ${durationBetween(a.startTime, a.endTime)}${a.statusMessage ? `\n    ${a.statusMessage}` : ''}\n`);
            if (a.externalExecutionId) out.stdout(`    id: ${a.externalExecutionId}\n`);
            for (const art of a.inputArtifacts) out.stdout(`    input  ${art.name}\n`);
            for (const art of a.outputArtifacts) out.stdout(`    output ${art.name}: ${art.path}${art.sha256 ? ` sha256 ${art.sha256}` : ''}\n`);
            for (const [k, v] of Object.entries(a.outputVariables)) out.stdout(`    variable ${k}=${v}\n`);
            const phases = (a.extra['phases'] ?? []) as Array<{ phase: string; status: string; durationMs: number }>;
            if (phases.length > 0) out.stdout(`    phases: ${phases.map((p) => `${p.phase} ${p.status} ${p.durationMs}ms`).join(', ')}\n`);
            for (const line of renderReportLines(a.extra['reports'], c)) out.stdout(`    ${line}\n`);
            if (a.logPath) out.stdout(`    log: pipe logs ${e.executionId.slice(0, 8)} ${a.stage}.${a.action}\n`);
          }
        }
      }),
    );

  program
    .command('logs')
    .description("Print an execution's logs (every action, or one: Stage.Action or Action), or a build's")
    .argument('<id>', 'execution or build id (or a unique prefix)')
    .argument('[action]', 'Stage.Action or Action')
    .option('-f, --follow', 'keep printing as lines arrive, until the execution ends')
    .option('--json', 'print each line as JSON')
    .action((id: string, action: string | undefined, opts: { follow?: boolean; json?: boolean }) =>
      withStore(async (store) => {
        // A build `pipe build` ran: by its build id, or a prefix of its uuid.
        const build = findBuildRecord(store, id);
        if (build.build || build.matches > 1) {
          const b = findBuild(store, id);
          if (action) throw new PipeError('INVALID_ARGUMENT', `build ${b.buildId} has no actions; use pipe logs ${b.buildId}`);
          if (!opts.follow) return printBuildLog(out, b, opts.json === true);
          const executionId = b.buildId.slice(b.buildId.indexOf(':') + 1);
          return followLogs(store, executionId, undefined, (_a, line) => out.stdout(opts.json ? `${JSON.stringify({ buildId: b.buildId, line })}\n` : `${line}\n`));
        }
        if (!store.getExecution(id) && store.countPrefix(id) === 0) {
          throw new PipeError('NOT_FOUND', `no execution or build '${id}'`, { hint: "'pipe executions' and 'pipe builds' list them" });
        }
        const e = findExecution(store, id);
        const actions = e.actions.filter((a) => !action || `${a.stage}.${a.action}` === action || a.action === action);
        if (action && actions.length === 0) {
          throw new PipeError('NOT_FOUND', `execution ${e.executionId} has no action '${action}'`, {
            hint: `actions: ${e.actions.map((a) => `${a.stage}.${a.action}`).join(', ')}`,
          });
        }
        // Lines are prefixed with their action when there are several; a follower of the whole execution gets the
        // lines of actions that have not started yet too (a pipeline has two stages at least), so it always prefixes.
        const prefixed = opts.follow ? !action : actions.length > 1;
        const print = (a: { stage: string; action: string }, line: string) => {
          if (opts.json) out.stdout(`${JSON.stringify({ stage: a.stage, action: a.action, line })}\n`);
          else out.stdout(`${prefixed ? `[${a.stage}.${a.action}] ` : ''}${line}\n`);
        };
        if (!opts.follow) {
          for (const a of actions) {
            if (!a.logPath || !existsSync(a.logPath)) continue;
            for (const line of readFileSync(a.logPath, 'utf8').split('\n').slice(0, -1)) print(a, line);
          }
          return;
        }
        await followLogs(store, e.executionId, action, print);
      }),
    );
}

/** What a git hook or `--source-revision` adds to the trigger line: the ref, the commits and the filter. */
function triggerLines(t: ExecutionDetail['trigger']): string[] {
  const lines: string[] = [];
  const g = t.gitHook;
  if (g) {
    lines.push(`${g.hook} in ${g.repository}: ${g.ref} ${g.oldCommit} -> ${g.newCommit}`);
    lines.push(`matched ${g.filter} (source action ${g.sourceActionName})`);
  }
  for (const r of t.sourceRevisions ?? []) if (!g) lines.push(`source revision ${r.actionName}=${r.revisionValue}`);
  return lines;
}

/** Prints log lines as the event log gets them, for every matching action, until the execution ends. */
async function followLogs(
  store: ExecutionStore,
  executionId: string,
  action: string | undefined,
  print: (a: { stage: string; action: string }, line: string) => void,
): Promise<void> {
  const controller = new AbortController();
  const release = onStop(() => controller.abort());
  try {
    await followEvents(
      store,
      (e) => {
        if (e.type !== 'log' || (action && `${e.stage}.${e.action}` !== action && e.action !== action)) return;
        print(e, e.line);
      },
      { executionId, untilEnd: true, signal: controller.signal },
    );
  } finally {
    release();
  }
}
