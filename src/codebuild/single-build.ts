// One build of a source directory without a pipeline (`pipe build`), as codebuild_build.sh runs one, planned as an
// execution of one Build action so the engine records it as it records a pipeline's build (event log, log file,
// masker, lease, recovery). Its executor zips the directory as the primary source, runs the buildspec with the
// same runner, and writes the artifacts to a directory, named as a CodeBuild project names them.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { DEFAULT_ACCOUNT, DEFAULT_REGION, LABELS, PipeError } from '../core/index.js';
import type { ActionPlan, BuildSpec, ExecutionPlan } from '../core/index.js';
import { IGNORE_FILE, asSegment, parseIgnoreFile, readZipEntry, resolveInside, zipDirectory } from '../artifacts/index.js';
import type { ActionContext, ActionExecutor, ActionOutcome } from '../execute/index.js';
import { DEFAULT_BUILDSPEC, loadBuildspec, parseBuildspec } from '../parse/index.js';
import { makePrivateDir } from '../infra/index.js';
import { EMPTY_SECRET_SOURCE, resolveBuildSecrets } from '../secrets/index.js';
import type { SecretSource } from '../secrets/index.js';
import { workTreeCommit } from '../source/index.js';
import { combineBatchArtifacts } from './batch-artifacts.js';
import { DEFAULT_BATCH_CONCURRENCY, runBatch } from './batch-runner.js';
import { runBuild } from './build-runner.js';
import type { BuildDeps, BuildOutput, PackagedArtifact } from './build-runner.js';
import { assembleBuildRequest } from './build-request.js';
import { resolveActionSecrets } from './build-secrets.js';
import type { SingleBuildSettings } from './build-records.js';
import { openBuildAwsAccess } from './build-aws.js';
import type { BuildAwsSession } from './build-aws.js';
import type { AwsEndpointProvider, UnservedCall } from './aws-endpoint.js';

/** The primary artifact's zip when the buildspec gives no `name` (the local agent's name for it). */
export const DEFAULT_PRIMARY_ARTIFACT = 'artifacts.zip';
const PRIMARY = 'primary';
/** The one stage and action of a build's execution. */
export const SINGLE_BUILD_STAGE = 'Build';
export const SINGLE_BUILD_ACTION = 'Build';

/** What `pipe build` asks for. */
export interface SingleBuildOptions {
  dir: string;
  /** Relative to `dir` (CodeBuild's rule), or absolute. */
  buildspec?: string;
  image?: string;
  /** privilegedMode (codebuild_build.sh -d): the build gets a Docker engine. */
  privileged?: boolean;
  /** The host's AWS credentials go into the build (codebuild_build.sh -c); services pipe does not serve are AWS's. */
  passAwsCredentials?: boolean;
  /** Project-level variables (the local agent's `-e` file): they win over the buildspec's. */
  environment?: Record<string, string>;
  /** Where the artifacts go; default `<artifact store>/local/<build-id>`. */
  artifactsDir?: string;
  batchConcurrency?: number;
  timeoutMinutes?: number;
  signal?: AbortSignal;
  /** Every log line (warnings as `Warning: ...`), masked, as the build's log gets it. */
  onLine?: (stream: 'stdout' | 'stderr' | 'system', line: string) => void;
  /** Called once the build is recorded, before anything runs. */
  onStart?: (info: { buildId: string; logPath: string; artifactsDir: string }) => void;
}

/** What the executor of one build needs besides its settings. */
export interface SingleBuildInput {
  settings: SingleBuildSettings;
  spec: BuildSpec;
  environment: Record<string, string>;
  /** Paths inside the source left out of its copy: pipe's own state and artifact store, the artifacts directory. */
  skip: string[];
  privileged?: boolean;
  passAwsCredentials?: boolean;
  timeoutMinutes: number;
  batchConcurrency?: number;
}

export interface SingleBuildDeps extends BuildDeps {
  secrets?: SecretSource;
  /** Where the zipped source goes while the build runs (removed after it, or by recovery). */
  workDir: string;
  /** The pipe server the build's AWS calls go to; without it the build gets no AWS_* endpoints or credentials. */
  awsEndpoints?: AwsEndpointProvider;
  /** The host's environment, read for --pass-aws-credentials (default process.env). */
  hostEnv?: NodeJS.ProcessEnv;
}

/** The buildspec `pipe build` reads: relative paths from the source directory, as CodeBuild reads them. */
export function loadSourceBuildspec(dir: string, buildspec = DEFAULT_BUILDSPEC): BuildSpec {
  return loadBuildspec(isAbsolute(buildspec) ? buildspec : join(dir, buildspec));
}

/**
 * What can be checked of a build before it is recorded, as a pipeline's preflight does: every buildspec a batch
 * task names is in the directory. A missing one is bad input (exit 2), not a failed build.
 */
export function checkSingleBuild(spec: BuildSpec, dir: string): void {
  for (const task of spec.batch?.tasks ?? []) {
    if (task.buildspec && !existsSync(resolveInside(dir, task.buildspec))) {
      throw new PipeError('NOT_FOUND', `buildspec ${task.buildspec} not found in ${dir}`, { hint: 'a batch task names its buildspec relative to the source directory' });
    }
  }
}

/** A CodeBuild project's name for a source directory: its folder's name. */
export function projectNameOf(dir: string): string {
  return basename(dir).replace(/[^A-Za-z0-9_-]/g, '-') || 'local';
}

/** The execution plan of one build: one stage, one Build action, no locks (builds of a project run side by side). */
export function singleBuildPlan(settings: SingleBuildSettings): ExecutionPlan {
  const action: ActionPlan = {
    stage: SINGLE_BUILD_STAGE,
    name: SINGLE_BUILD_ACTION,
    id: `${SINGLE_BUILD_STAGE}.${SINGLE_BUILD_ACTION}`,
    type: 'Build/CodeBuild',
    category: 'Build',
    runOrder: 1,
    configuration: {},
    inputArtifacts: [],
    outputArtifacts: [],
    references: [],
  };
  return {
    pipeline: settings.project,
    file: settings.buildspec,
    digest: '',
    structureDigest: '',
    executionMode: 'PARALLEL',
    maxParallelActions: 1,
    baseDir: settings.sourceDir,
    variables: [],
    stages: [{ name: SINGLE_BUILD_STAGE, groups: [[action]], onFailure: { result: 'FAIL' } }],
    artifactProducers: {},
    warnings: [],
  };
}

export function createSingleBuildExecutor(deps: SingleBuildDeps, input: SingleBuildInput): ActionExecutor {
  return {
    async run(ctx) {
      makePrivateDir(deps.workDir);
      const aws: { session?: BuildAwsSession } = {};
      try {
        return await runSingleBuildAction(ctx, deps, input, aws);
      } finally {
        await aws.session?.release();
        await rm(deps.workDir, { recursive: true, force: true });
      }
    },
  };
}

async function runSingleBuildAction(ctx: ActionContext, deps: SingleBuildDeps, input: SingleBuildInput, held: { session?: BuildAwsSession }): Promise<ActionOutcome> {
  const { spec, settings } = input;
  const { buildId, project, buildNumber, sourceDir: dir, artifactsDir } = settings;
  for (const w of spec.warnings) ctx.warn(`${w.location.file}:${w.location.line}:${w.location.column} ${w.path}: ${w.message}`);
  const plain = Object.entries(input.environment).map(([name, value]) => ({ name, value, type: 'PLAINTEXT' as const }));
  const secrets = resolveActionSecrets(ctx, spec, plain, deps.secrets, buildId);
  // A build without a pipeline says what failed as CodeBuild's build does, without the action's "Build FAILED:".
  if (!secrets.ok) return secrets.outcome.status === 'Failed' ? { ...secrets.outcome, message: secrets.failure.message } : secrets.outcome;
  // Acquired while the source is copied and the container provisions; the build waits for it only at DOWNLOAD_SOURCE.
  const aws = openBuildAwsAccess(deps.awsEndpoints, buildId, input.passAwsCredentials === true, deps.hostEnv ?? process.env, ctx.warn);
  if (aws) held.session = aws;
  // pipe's own state and artifact store are left out of the copy, so a build never packs an earlier one's output.
  const sourceZip = join(deps.workDir, 'source.zip');
  const ignore = readIgnoreFile(dir);
  const copied = await zipDirectory(dir, sourceZip, {
    skip: input.skip.filter((p) => isInside(dir, p) && p !== dir),
    warn: (m) => ctx.warn(m),
    ...(ignore ? { ignore: (rel: string, isDir: boolean) => ignore.ignored(rel, isDir) } : {}),
    progress: (files, bytes) => ctx.log('system', `Copying the source: ${files} files, ${megabytes(bytes)} so far`),
  });
  ctx.log('system', `Source: ${copied.files} files, ${megabytes(copied.bytes)} from ${dir}${ignore ? ` (${IGNORE_FILE} left out ${copied.ignored} paths)` : ''}`);
  if (!ignore && copied.bytes > LARGE_SOURCE_BYTES) {
    ctx.log('system', `Hint: the source is ${megabytes(copied.bytes)}; a ${IGNORE_FILE} in ${dir} (the syntax of .gitignore) leaves paths such as node_modules/ out of it`);
  }
  // A git directory's build knows its commit, as a CodeBuild build of a git source does.
  const commit = await workTreeCommit(dir);
  mkdirSync(artifactsDir, { recursive: true });
  const request = assembleBuildRequest(ctx, {
    identity: {
      projectName: project,
      buildId,
      buildNumber,
      image: settings.image,
      initiator: process.env['USER'] ?? 'pipe',
      region: DEFAULT_REGION,
      account: DEFAULT_ACCOUNT,
      startTimeMs: Date.now(),
      ...(commit ? { sourceVersion: commit, resolvedSourceVersion: commit } : {}),
      secondarySourceNames: [],
    },
    spec,
    primarySource: { name: 'source', path: sourceZip },
    secondarySources: [],
    secrets: secrets.resolved,
    outputs: projectOutputs(spec, artifactsDir),
    expandArtifactNames: true,
    // One cache per source directory, as a CodeBuild project has one.
    cacheScope: `local/${dir}`,
    // A build without a pipeline is its own action: its containers are found by its build id.
    labels: { [LABELS.action]: buildId },
    ...(input.privileged ? { privileged: true } : {}),
    ...(aws ? { aws: aws.access } : {}),
    timeoutMinutes: input.timeoutMinutes,
  });
  if (!spec.batch) {
    const build = await runBuild(request, deps);
    const artifacts = await applyArtifactNames(build.artifacts, artifactsDir);
    const unserved = (await aws?.reportUnserved((m) => ctx.log('system', m))) ?? [];
    const extra = { buildId, buildStatus: build.status, phases: build.phases, reports: build.reports, exportedVariables: build.exportedVariables, ...unservedOf(unserved) };
    return build.status === 'SUCCEEDED'
      ? { status: 'Succeeded', outputVariables: build.exportedVariables, artifacts, externalExecutionId: buildId, extra }
      : { status: 'Failed', message: build.message ?? `the build ended ${build.status}`, artifacts, externalExecutionId: buildId, extra };
  }
  const batch = await runBatch(
    {
      spec,
      base: request,
      concurrency: input.batchConcurrency ?? DEFAULT_BATCH_CONCURRENCY,
      signal: ctx.signal,
      loadBuildspec: async (path) => {
        const bytes = await readZipEntry(sourceZip, path);
        if (!bytes) throw new PipeError('NOT_FOUND', `buildspec ${path} not found in ${dir}`, { hint: 'a batch task names its buildspec relative to the source directory' });
        return parseBuildspec(bytes.toString('utf8'), path);
      },
      resolveSecrets: (taskSpec) => {
        const own = resolveBuildSecrets(taskSpec.env, plain, deps.secrets ?? EMPTY_SECRET_SOURCE);
        if (!own.ok) return { ok: false, message: own.failure.message };
        ctx.maskSecrets(own.maskedValues);
        return { ok: true, secrets: own.buildspecSecrets };
      },
      prepareTask: (task, taskSpec) => ({
        buildId: `${project}:${task.identifier}-${buildId.split(':')[1] ?? ''}`,
        buildNumber,
        outputs: projectOutputs(taskSpec, taskDir(artifactsDir, task.identifier)),
      }),
    },
    deps,
  );
  for (const b of batch.builds) {
    if (b.build) b.build.artifacts = await applyArtifactNames(b.build.artifacts, taskDir(artifactsDir, b.identifier));
  }
  const artifacts: PackagedArtifact[] = [];
  if (batch.status === 'SUCCEEDED') {
    ctx.log('system', 'Combining the artifacts of the batch (COMBINE_ARTIFACTS)');
    const names = [...new Set(batch.builds.flatMap((b) => b.build?.artifacts.map((a) => a.name) ?? []))];
    for (const name of names) {
      const zip = resolveInside(artifactsDir, name === PRIMARY ? DEFAULT_PRIMARY_ARTIFACT : `${asSegment('secondary artifact identifier', name)}.zip`);
      const combined = await combineBatchArtifacts(batch, name, zip);
      if (combined) artifacts.push(combined);
    }
  }
  const unserved = (await aws?.reportUnserved((m) => ctx.log('system', m))) ?? [];
  const reports = batch.builds.flatMap((b) => (b.build?.reports ?? []).map((r) => ({ ...r, group: `[${b.identifier}] ${r.group}` })));
  const extra = {
    buildId,
    buildStatus: batch.status,
    reports,
    batch: batch.builds.map((b) => ({ identifier: b.identifier, status: b.status, ignoreFailure: b.ignoreFailure, ...(b.message !== undefined ? { message: b.message } : {}), ...(b.build ? { buildId: b.build.buildId } : {}) })),
    ...unservedOf(unserved),
  };
  return batch.status === 'SUCCEEDED'
    ? { status: 'Succeeded', outputVariables: {}, artifacts, externalExecutionId: buildId, extra }
    : { status: 'Failed', message: batch.message ?? `the batch ended ${batch.status}`, artifacts, externalExecutionId: buildId, extra };
}

/** A build's parity report in its record, when it has one. */
function unservedOf(calls: UnservedCall[]): { unservedAwsCalls?: UnservedCall[] } {
  return calls.length > 0 ? { unservedAwsCalls: calls } : {};
}

/** The outputs of a project build: the primary block and each secondary artifact, every one to its own zip in `dir`. */
function projectOutputs(spec: BuildSpec, dir: string): BuildOutput[] {
  const a = spec.artifacts;
  if (!a) return [];
  const secondary = Object.entries(a.secondaryArtifacts).map(([id, selection]) => ({
    name: id,
    path: resolveInside(dir, `${asSegment('secondary artifact identifier', id)}.zip`),
    selection,
  }));
  return [{ name: PRIMARY, path: resolveInside(dir, DEFAULT_PRIMARY_ARTIFACT), selection: a }, ...secondary];
}

/** Renames each zip to its expanded `name`, inside the artifacts directory (a name with slashes makes folders). */
async function applyArtifactNames(artifacts: PackagedArtifact[], dir: string): Promise<PackagedArtifact[]> {
  const named: PackagedArtifact[] = [];
  for (const a of artifacts) {
    if (!a.artifactName) {
      named.push(a);
      continue;
    }
    const target = resolveInside(dir, a.artifactName);
    if (target === dir) throw new PipeError('ARTIFACT_ERROR', `artifact name ${a.artifactName} names the artifacts directory itself`);
    mkdirSync(dirname(target), { recursive: true });
    await rename(a.path, target);
    named.push({ ...a, path: target });
  }
  return named;
}

/** A batch build's own folder of artifacts: `OUT/<identifier>/`. */
function taskDir(artifactsDir: string, identifier: string): string {
  return resolveInside(artifactsDir, asSegment('batch task identifier', identifier));
}

function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** A source past this size gets a hint about .pipeignore when it has none. */
const LARGE_SOURCE_BYTES = 50 * 1024 * 1024;

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** The directory's `.pipeignore`, if it has one: what `pipe build` leaves out of its source. */
function readIgnoreFile(dir: string): ReturnType<typeof parseIgnoreFile> | undefined {
  const file = join(dir, IGNORE_FILE);
  if (!existsSync(file)) return undefined;
  return parseIgnoreFile(readFileSync(file, 'utf8'));
}
