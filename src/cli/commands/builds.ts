// `pipe builds` and `pipe build ID`: the builds `pipe build` ran, listed and shown from the execution store, as `aws codebuild
// list-builds` / `batch-get-builds` show a project's builds; `pipe logs BUILD_ID` prints one's log.
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { PipeError } from '../../core/index.js';
import type { BuildStatus } from '../../core/index.js';
import { findBuildRecord, listBuilds } from '../../codebuild/index.js';
import type { BuildRecord } from '../../codebuild/index.js';
import type { ExecutionStore } from '../../execute/index.js';
import type { Output } from '../output.js';
import { openContext } from './control.js';
import { renderReportLines } from '../render/report-summary.js';
import { durationBetween, paint } from '../render/style.js';
import type { Colour } from '../render/style.js';

const BUILD_STATUS_COLOUR: Record<BuildStatus, Colour> = {
  IN_PROGRESS: 'blue',
  SUCCEEDED: 'green',
  FAILED: 'red',
  FAULT: 'red',
  TIMED_OUT: 'red',
  STOPPED: 'yellow',
};

export function paintBuildStatus(enabled: boolean, status: BuildStatus): string {
  return paint(enabled, BUILD_STATUS_COLOUR[status], status);
}

/** Runs `body` with the execution store of this project's PIPE_HOME (what killed builds left settled first), closed afterwards. */
export async function withBuildStore<T>(body: (store: ExecutionStore) => T): Promise<T> {
  const ctx = await openContext();
  try {
    return body(ctx.store);
  } finally {
    ctx.db.close();
  }
}

/** The build an id (or a unique prefix of it, or of its uuid) names; a clear error otherwise. */
export function findBuild(store: ExecutionStore, id: string): BuildRecord {
  const { build, matches } = findBuildRecord(store, id);
  if (build) return build;
  if (matches > 1) throw new PipeError('INVALID_ARGUMENT', `build id '${id}' is ambiguous: several builds start with it`, { hint: "give more of it; 'pipe builds' lists them" });
  throw new PipeError('NOT_FOUND', `no build '${id}'`, { hint: "'pipe builds' lists the builds pipe build ran" });
}

/** Whether `pipe build ARG` means a stored build rather than a folder: a `project:uuid` id that is no path. */
export function isBuildId(arg: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_-]*:[0-9a-f]{4}[0-9a-f-]*$/.test(arg) && !existsSync(arg);
}

export function printBuildRecord(out: Output, b: BuildRecord, json: boolean): void {
  if (json) {
    out.stdout(`${JSON.stringify(b, null, 2)}\n`);
    return;
  }
  const c = out.color;
  out.stdout(`Build ${b.buildId}\n  status    ${paintBuildStatus(c, b.status)}${b.statusMessage ? ` - ${b.statusMessage}` : ''}\n`);
  out.stdout(`  project   ${b.project} #${b.buildNumber} (${b.sourceDir})\n  buildspec ${b.buildspec}\n  image     ${b.image}\n`);
  out.stdout(`  started   ${b.startTime}, took ${durationBetween(b.startTime, b.endTime)}\n`);
  const d = b.detail as { phases?: { phase: string; status: string; durationMs?: number }[]; artifacts?: { path: string; files: string[]; size: number }[]; exportedVariables?: Record<string, string>; reports?: unknown };
  if (d.phases?.length) out.stdout(`  phases    ${d.phases.map((p) => `${p.phase} ${p.status}${p.durationMs !== undefined ? ` ${p.durationMs}ms` : ''}`).join(', ')}\n`);
  for (const a of d.artifacts ?? []) out.stdout(`  artifact  ${a.path} (${a.files.length} files, ${a.size} bytes)\n`);
  for (const [k, v] of Object.entries(d.exportedVariables ?? {})) out.stdout(`  variable  ${k}=${v}\n`);
  for (const line of renderReportLines(d.reports, c)) out.stdout(`  ${line}\n`);
  out.stdout(`  log       pipe logs ${b.buildId}\n`);
}

/** A stored build's log, line by line. */
export function printBuildLog(out: Output, b: BuildRecord, json: boolean): void {
  if (!existsSync(b.logPath)) return;
  for (const line of readFileSync(b.logPath, 'utf8').split('\n').slice(0, -1)) {
    out.stdout(json ? `${JSON.stringify({ buildId: b.buildId, line })}\n` : `${line}\n`);
  }
}

export function registerBuildsCommand(program: Command, out: Output): void {
  program
    .command('builds')
    .description('List the builds pipe build ran, newest first')
    .option('--project <name>', 'only this project (the source folder\'s name)')
    .option('--limit <n>', 'at most this many', '20')
    .option('--json', 'print JSON')
    .action((opts: { project?: string; limit: string; json?: boolean }) =>
      withBuildStore((store) => {
        const limit = Number(opts.limit);
        if (!/^[1-9][0-9]*$/.test(opts.limit)) throw new PipeError('INVALID_ARGUMENT', `--limit takes a positive whole number, got '${opts.limit}'`);
        const list = listBuilds(store, { ...(opts.project ? { project: opts.project } : {}), limit });
        if (opts.json) return out.stdout(`${JSON.stringify(list.map(({ detail: _detail, ...summary }) => summary), null, 2)}\n`);
        if (list.length === 0) return out.stdout("no builds (pipe build DIR runs one)\n");
        for (const b of list) {
          out.stdout(`${b.buildId}  ${paintBuildStatus(out.color, b.status).padEnd(out.color ? 20 : 11)} ${b.startTime}  ${durationBetween(b.startTime, b.endTime)}\n`);
        }
      }),
    );
}
