// `pipe hooks install|uninstall|status`: git-hook triggers. `pipe hooks run` is what the installed hook starts.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { PipeError } from '../../core/index.js';
import type { ExecutionPlan } from '../../core/index.js';
import { readGitSourceConfiguration } from '../../plan/index.js';
import { loadPlan, openPipeContext, runHookSpool, settleRecovered } from '../../app/index.js';
import { artifactRoot, pipeHome, projectRoot } from '../../infra/index.js';
import { HOOK_NAME, countSpoolEntries, gitCommonDir, hookFileState, hooksStateDir, installHook, readInstallations, uninstallHook, workTreeTop } from '../../source/index.js';
import type { HookInstallation } from '../../source/index.js';
import type { ExecutionSummary } from '../../execute/index.js';
import type { Output } from '../output.js';

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The project's `pipelines/*.yml`, at the top of the worktree holding `dir`. */
async function defaultPipelines(dir: string): Promise<string[]> {
  const top = await workTreeTop(dir);
  const folder = top ? join(top, 'pipelines') : undefined;
  const files = folder && existsSync(folder) ? readdirSync(folder).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(folder, f)) : [];
  if (files.length === 0) {
    throw new PipeError('INVALID_ARGUMENT', `no pipelines/*.yml in ${top ?? dir}`, { hint: 'name the pipeline files with --pipeline FILE (repeatable)' });
  }
  return files;
}

/** The log's last lines. */
function logTail(home: string, n: number): string[] {
  const file = join(hooksStateDir(home), 'hook.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').slice(-n);
}

export function registerHooksCommands(program: Command, out: Output): void {
  const hooks = program.command('hooks').description('Git-hook triggers: ref updates (commit, merge, rebase, tag, push) start the pipelines whose triggers match');

  hooks
    .command('install')
    .description(`Install pipe's ${HOOK_NAME} hook into a repository (core.hooksPath honoured; a hook already there runs first)`)
    .option('--repo <dir>', 'the repository (default: the one holding the current directory)')
    .option('--pipeline <file>', 'a pipeline file the hook starts (repeatable; default: pipelines/*.yml of the project)', collect)
    .action(async (opts: { repo?: string; pipeline?: string[] }) => {
      const repoDir = resolve(opts.repo ?? '.');
      const files = (opts.pipeline ?? (await defaultPipelines(repoDir))).map((f) => resolve(f));
      const plans = [];
      for (const f of files) plans.push(await loadPlan(f)); // an invalid file fails here, before anything is written
      const home = pipeHome({ from: repoDir });
      const i = await installHook({
        repoDir,
        home,
        artifactRoot: artifactRoot({ from: repoDir }),
        pipelines: files,
        node: process.execPath,
        bin: join(projectRoot(), 'bin', 'pipe.js'),
      });
      out.stdout(`installed ${i.hook} (PIPE_HOME ${home})\n`);
      if (i.chained) out.stdout(`  runs first, keeping its exit status: ${i.chained} (the hook that was there)\n`);
      for (const [n, p] of plans.entries()) {
        const triggers = (p.triggers ?? []).map((t) => `trigger on ${t.sourceActionName}`);
        const reads = await readsRepository(p, i.repository);
        const how = !reads ? 'none of its Source/Git actions reads this repository: the hook never starts it' : triggers.length > 0 ? triggers.join(', ') : 'on its source branch';
        out.stdout(`  pipeline ${p.pipeline} (${relative(process.cwd(), files[n] ?? '') || files[n]}): ${how}\n`);
      }
    });

  hooks
    .command('uninstall')
    .description("Remove pipe's hook and put back the hook it replaced, byte for byte")
    .option('--repo <dir>', 'the repository (default: the one holding the current directory)')
    .action(async (opts: { repo?: string }) => {
      const repoDir = resolve(opts.repo ?? '.');
      const removed = await uninstallHook({ repoDir, home: pipeHome({ from: repoDir }) });
      if (!removed) {
        out.stdout(`pipe's hook is not installed in ${repoDir}\n`);
        return;
      }
      out.stdout(`removed ${removed.hook}${removed.chained ? `; put back the hook that was there` : ''}\n`);
    });

  hooks
    .command('status')
    .description('Which repositories have the hook, for which pipelines, the last executions it started and its log')
    .option('--repo <dir>', 'the repository whose PIPE_HOME to read (default: the current directory)')
    .option('--json', 'print JSON')
    .action(async (opts: { repo?: string; json?: boolean }) => {
      const home = pipeHome({ from: resolve(opts.repo ?? '.') });
      const installations = readInstallations(home).map((i) => ({ ...i, state: hookFileState(i) }));
      const executions = existsSync(join(home, 'state.db')) ? lastHookExecutions(home, 5) : [];
      const log = logTail(home, 10);
      const pending = countSpoolEntries(home);
      if (opts.json) {
        out.stdout(`${JSON.stringify({ home, installations, pending, executions, log }, null, 2)}\n`);
        return;
      }
      if (pending > 0) out.stdout(`${pending} hook run${pending === 1 ? '' : 's'} waiting in ${join(hooksStateDir(home), 'spool')}\n`);
      if (installations.length === 0) out.stdout(`no hooks installed (PIPE_HOME ${home})\n`);
      for (const i of installations) printInstallation(out, i);
      out.stdout(executions.length === 0 ? 'no executions started by a hook\n' : 'last executions started by a hook:\n');
      for (const e of executions) out.stdout(`  ${e.executionId}  ${e.pipeline}  ${e.status}  ${e.startTime}  ${e.trigger.triggerDetail}\n`);
      if (log.length > 0) out.stdout(`log (${join(hooksStateDir(home), 'hook.log')}):\n${log.map((l) => `  ${l}\n`).join('')}`);
    });

  hooks
    .command('run', { hidden: true })
    .description('Start the executions of the ref updates the hook spooled (the installed hook runs it, detached)')
    .action(async () => {
      const ctx = openPipeContext({ home: pipeHome(), artifactRoot: artifactRoot() });
      try {
        await settleRecovered(ctx);
        await runHookSpool(ctx, (line) => out.stdout(`${new Date().toISOString()} ${line}\n`));
      } finally {
        ctx.db.close();
      }
    });
}

/** Whether a Source/Git action of the plan reads the repository whose common directory is `repository`. */
async function readsRepository(plan: ExecutionPlan, repository: string): Promise<boolean> {
  for (const a of plan.stages.flatMap((s) => s.groups.flat())) {
    if (a.type !== 'Source/Git' || a.references.length > 0) continue;
    const { repository: r } = readGitSourceConfiguration(a.configuration);
    const dir = isAbsolute(r) ? r : resolve(plan.baseDir, r);
    if ((await gitCommonDir(dir).catch(() => undefined)) === repository) return true;
  }
  return false;
}

function printInstallation(out: Output, i: HookInstallation & { state: string }): void {
  const state = i.state === 'installed' ? 'installed' : i.state === 'missing' ? 'MISSING (removed by hand? run pipe hooks install)' : 'REPLACED by another hook (run pipe hooks install)';
  out.stdout(`${i.workTree ?? i.repository}: ${HOOK_NAME} ${state}\n  hook ${i.hook}${i.chained ? `\n  runs first ${i.chained}` : ''}\n`);
  for (const p of i.pipelines) out.stdout(`  pipeline ${p}\n`);
}

function lastHookExecutions(home: string, n: number): ExecutionSummary[] {
  const ctx = openPipeContext({ home });
  try {
    return ctx.store.listExecutions({ limit: 200 }).filter((e) => e.trigger.triggerType === 'GitHook').slice(0, n);
  } finally {
    ctx.db.close();
  }
}
