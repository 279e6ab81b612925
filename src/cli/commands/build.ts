// `pipe build [DIR]`: one build of a directory without a pipeline, as codebuild_build.sh runs one; `--plan` shows the buildspec.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { PipeError } from '../../core/index.js';
import { DEFAULT_BATCH_CONCURRENCY } from '../../codebuild/index.js';
import { loadSourceBuildspec } from '../../codebuild/index.js';
import { openPipeContext, runSingleBuild, settleRecovered } from '../../app/index.js';
import type { SingleBuildResult } from '../../app/index.js';
import { artifactRoot, pipeHome } from '../../infra/index.js';
import { describeBuildspec, loadBuildspec } from '../../parse/index.js';
import { EXIT } from '../exit-codes.js';
import { onStop } from '../stop-signals.js';
import type { Output } from '../output.js';
import { renderReportLines } from '../render/report-summary.js';
import { findBuild, isBuildId, paintBuildStatus, printBuildRecord, withBuildStore } from './builds.js';

const paintStatus = paintBuildStatus;

interface BuildFlags {
  buildspec?: string;
  image?: string;
  privileged?: boolean;
  passAwsCredentials?: boolean;
  env: Record<string, string>;
  artifacts?: string;
  json?: boolean;
  plan?: string | boolean;
  batchConcurrency: number;
}

function collectEnv(value: string, previous: Record<string, string>): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new PipeError('INVALID_ARGUMENT', `--env takes NAME=VALUE, got '${value}'`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

function parseConcurrency(value: string): number {
  const n = Number(value);
  if (!/^[1-9][0-9]*$/.test(value) || n > 64) throw new PipeError('INVALID_ARGUMENT', `--batch-concurrency takes a whole number from 1 to 64, got '${value}'`);
  return n;
}

/** DIR is the build's source: say so when it is missing or not a folder, before a buildspec is looked for in it. */
function checkSourceDir(dir: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new PipeError('INVALID_ARGUMENT', code === 'ENOENT' ? `the source directory ${dir} does not exist` : `cannot read the source directory ${dir} (${code ?? String(e)})`, {
      hint: 'pipe build DIR builds the folder DIR (default: the current one)',
    });
  }
  if (!isDir) throw new PipeError('INVALID_ARGUMENT', `${dir} is not a directory`, { hint: 'pipe build DIR builds the folder DIR; --buildspec names the buildspec file' });
}

function printPlan(out: Output, dir: string, opts: BuildFlags): void {
  const spec = typeof opts.plan === 'string' ? loadBuildspec(opts.plan) : loadSourceBuildspec(dir, opts.buildspec);
  out.stdout(opts.json ? `${JSON.stringify(spec, null, 2)}\n` : `${describeBuildspec(spec)}\n`);
}

function printResult(out: Output, r: SingleBuildResult): void {
  out.stdout(`Build ${r.buildId}: ${paintStatus(out.color, r.status)}${r.message ? ` - ${r.message}` : ''}\n`);
  for (const b of r.batch?.builds ?? []) {
    out.stdout(`  ${b.identifier}: ${paintStatus(out.color, b.status)}${b.message ? ` - ${b.message}` : ''}${b.ignoreFailure && b.status !== 'SUCCEEDED' ? ' (failure ignored)' : ''}\n`);
  }
  for (const a of r.artifacts) out.stdout(`  artifact ${a.path} (${a.files.length} files, ${a.size} bytes)\n`);
  for (const [k, v] of Object.entries(r.exportedVariables)) out.stdout(`  variable ${k}=${v}\n`);
  for (const line of renderReportLines(r.reports, out.color)) out.stdout(`  ${line}\n`);
  out.stdout(`Log: ${r.logPath}\n`);
}

export function registerBuildCommand(program: Command, out: Output): void {
  program
    .command('build')
    .description('Run one build of a directory, as codebuild_build.sh does (a batch buildspec runs its batch); --plan only shows it')
    .argument('[dir]', 'the source directory (copied whole, .git included), or the id of a build that ran, to show it', '.')
    .option('--buildspec <file>', 'buildspec, relative to DIR or absolute (default buildspec.yml)')
    .option('--image <image>', 'build image (default pipe/standard:1; aws/codebuild/standard:7.0 and kin run in pipe/standard:7.0)')
    .option('--privileged', 'privileged mode, as codebuild_build.sh -d: the build gets a Docker engine (docker build, run, compose)')
    .option('--pass-aws-credentials', "give the build the host's AWS credentials (AWS_ACCESS_KEY_ID, ...): calls to services pipe does not serve go to AWS")
    .option('--env <NAME=VALUE>', 'a build environment variable; wins over the buildspec (repeatable)', collectEnv, {})
    .option('--artifacts <dir>', 'where the artifact zips go (default <artifact store>/local/<build-id>)')
    .option('--batch-concurrency <n>', 'builds of a batch run at once', parseConcurrency, DEFAULT_BATCH_CONCURRENCY)
    .option('--plan [file]', 'print the buildspec as a plan (phases, commands, variables, artifacts, warnings), run nothing')
    .option('--json', 'JSON: the BuildSpec with --plan; else log lines and the result as JSON lines')
    .action(async (dir: string, opts: BuildFlags) => {
      // `pipe build ID`: a build that ran, as `pipe execution ID` shows an execution.
      if (isBuildId(dir) && opts.plan === undefined) return withBuildStore((store) => printBuildRecord(out, findBuild(store, dir), opts.json === true));
      if (typeof opts.plan !== 'string') checkSourceDir(dir);
      if (opts.plan !== undefined) return printPlan(out, dir, opts);
      // State and artifacts go to the root of the project DIR is in, wherever pipe runs from.
      const from = resolve(dir);
      const ctx = openPipeContext({ home: pipeHome({ from }), artifactRoot: artifactRoot({ from }) });
      const controller = new AbortController();
      const releaseStop = onStop(() => controller.abort());
      try {
        await settleRecovered(ctx);
        const result = await runSingleBuild(ctx, {
          dir,
          ...(opts.buildspec ? { buildspec: opts.buildspec } : {}),
          ...(opts.image ? { image: opts.image } : {}),
          ...(opts.privileged ? { privileged: true } : {}),
          ...(opts.passAwsCredentials ? { passAwsCredentials: true } : {}),
          environment: opts.env,
          ...(opts.artifacts ? { artifactsDir: opts.artifacts } : {}),
          batchConcurrency: opts.batchConcurrency,
          signal: controller.signal,
          onStart: (s) => {
            if (opts.json) out.stdout(`${JSON.stringify({ type: 'build', status: 'IN_PROGRESS', ...s })}\n`);
            else out.stdout(`Build ${s.buildId}: ${paintStatus(out.color, 'IN_PROGRESS')}\n`);
          },
          onLine: (stream, line) => out.stdout(opts.json ? `${JSON.stringify({ type: 'log', stream, line })}\n` : `${line}\n`),
        });
        if (opts.json) out.stdout(`${JSON.stringify({ type: 'build', ...result })}\n`);
        else printResult(out, result);
        out.exitCode = result.status === 'SUCCEEDED' ? EXIT.success : EXIT.failed;
      } finally {
        releaseStop();
        ctx.db.close();
      }
    });
}
