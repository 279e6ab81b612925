// One build of a source directory without a pipeline (`pipe build`), as codebuild_build.sh runs one: the directory is
// zipped and goes into the container as the primary source, the buildspec runs with the same runner, the log is
// kept under PIPE_HOME/logs/builds/ and the artifacts are written to a directory, named as a CodeBuild project names them.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { LABELS, PipeError, describeError, newBuildId } from '../core/index.js';
import type { BuildSpec, BuildStatus } from '../core/index.js';
import { readZipEntry } from '../artifacts/index.js';
import { IGNORE_FILE, asSegment, createArtifactIo, parseIgnoreFile, resolveInside, zipDirectory } from '../artifacts/index.js';
import { createDockerBuildContainers } from './docker-container.js';
import { openCacheStore } from './cache/index.js';
import { runBatch, DEFAULT_BATCH_CONCURRENCY } from './batch-runner.js';
import { runBuild } from './build-runner.js';
import type { BatchExecution } from './batch-runner.js';
import type { BuildOutput, BuildRequest, PackagedArtifact } from './build-runner.js';
import type { BuildReport } from './reports/index.js';
import type { PhaseRecord } from './phase-runner.js';
import { DEFAULT_BUILD_IMAGE, DEFAULT_BUILD_TIMEOUT_MINUTES, DEFAULT_BUILDSPEC, loadBuildspec, parseBuildspec } from '../parse/index.js';
import { PRIVATE_FILE_MODE, makePrivateDir } from '../infra/index.js';
import { SecretMasker, openLocalSecrets, resolveBuildSecrets } from '../secrets/index.js';
import type { SecretCipher } from '../secrets/index.js';
import { workTreeCommit } from '../source/index.js';
import { combineBatchArtifacts } from './batch-artifacts.js';
import { openBuildAwsAccess } from './build-aws.js';
import type { BuildAwsSession } from './build-aws.js';
import type { AwsEndpointProvider, UnservedCall } from './aws-endpoint.js';
import { BuildStore, buildWorkDir } from './build-store.js';
import { DEFAULT_ACCOUNT, DEFAULT_REGION, StoredLogLimit } from '../core/index.js';
import { removeLeftoverContainers } from '../infra/index.js';
import type { Db, DockerEngine } from '../infra/index.js';

/** The primary artifact's zip when the buildspec gives no `name` (the local agent's name for it). */
export const DEFAULT_PRIMARY_ARTIFACT = 'artifacts.zip';
const PRIMARY = 'primary';

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
  /** Every log line, as it is written to the build's log. */
  onLine?: (stream: 'stdout' | 'stderr' | 'system', line: string) => void;
  /** Called once the build has an id, before anything runs. */
  onStart?: (info: { buildId: string; logPath: string; artifactsDir: string }) => void;
}

/** What a build of a directory needs of the project's context (app's PipeContext is one). */
export interface SingleBuildContext {
  home: string;
  artifactRoot: string;
  db: Db;
  engine: DockerEngine;
  cipher: SecretCipher;
  store: { nextBuildNumber(project: string): number };
  /** The pipe server the build's AWS calls go to; without it the build gets no AWS_* endpoints or credentials. */
  awsEndpoints?: AwsEndpointProvider;
}

export interface SingleBuildResult {
  buildId: string;
  status: BuildStatus;
  message?: string;
  logPath: string;
  artifactsDir: string;
  artifacts: PackagedArtifact[];
  phases: PhaseRecord[];
  exportedVariables: Record<string, string>;
  /** Every report group's report; in a batch, each build's, the group named `[identifier] group`. */
  reports: BuildReport[];
  batch?: BatchExecution;
  /** AWS calls the build made that pipe does not serve (its parity report). */
  unservedAwsCalls?: UnservedCall[];
}

/** The buildspec `pipe build` reads: relative paths from the source directory, as CodeBuild reads them. */
export function loadSourceBuildspec(dir: string, buildspec = DEFAULT_BUILDSPEC): BuildSpec {
  return loadBuildspec(isAbsolute(buildspec) ? buildspec : join(dir, buildspec));
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

function projectNameOf(dir: string): string {
  return basename(dir).replace(/[^A-Za-z0-9_-]/g, '-') || 'local';
}

function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

export async function runSingleBuild(ctx: SingleBuildContext, options: SingleBuildOptions): Promise<SingleBuildResult> {
  const dir = resolve(options.dir);
  const spec = loadSourceBuildspec(dir, options.buildspec);
  const image = options.image ?? DEFAULT_BUILD_IMAGE;
  await ctx.engine.ping();
  await removeLeftoverContainers(ctx.engine);

  const project = projectNameOf(dir);
  const buildId = newBuildId(project);
  const buildNumber = ctx.store.nextBuildNumber(project);
  const artifactsDir = options.artifactsDir ? resolve(options.artifactsDir) : resolveInside(ctx.artifactRoot, 'local', asSegment('build id', buildId));
  const logPath = resolveInside(ctx.home, 'logs', 'builds', `${asSegment('build id', buildId)}.log`);
  makePrivateDir(dirname(logPath));
  mkdirSync(artifactsDir, { recursive: true });
  const store = new BuildStore(ctx.db);
  const startTime = new Date();
  store.start({ buildId, project, buildNumber, sourceDir: dir, buildspec: spec.file, image, startTime: startTime.toISOString(), logPath, artifactsDir });
  options.onStart?.({ buildId, logPath, artifactsDir });

  // Secret and parameter values are masked at the one place lines are written, so neither the log nor the
  // terminal ever shows them; and in every string of the result (exported variables, expanded artifact names,
  // report and test case names, messages) before it is stored or returned.
  const masker = new SecretMasker();
  const fd = openSync(logPath, 'a', PRIVATE_FILE_MODE);
  const stored = new StoredLogLimit();
  const line = (stream: 'stdout' | 'stderr' | 'system', raw: string) => {
    const text = masker.mask(raw);
    for (const l of stored.admit(text)) writeSync(fd, `${l}\n`);
    options.onLine?.(stream, text);
  };
  const work = buildWorkDir(ctx.home, buildId);
  makePrivateDir(work);
  let result: SingleBuildResult = { buildId, status: 'FAILED', logPath, artifactsDir, artifacts: [], phases: [], exportedVariables: {}, reports: [] };
  let aws: BuildAwsSession | undefined;
  try {
    for (const w of spec.warnings) line('system', `Warning: ${w.location.file}:${w.location.line}:${w.location.column} ${w.path}: ${w.message}`);
    const plain = Object.entries(options.environment ?? {}).map(([name, value]) => ({ name, value, type: 'PLAINTEXT' as const }));
    const secrets = resolveBuildSecrets(spec.env, plain, openLocalSecrets(ctx.db, ctx.cipher));
    if (!secrets.ok) {
      line('system', `Phase context status code: ${secrets.failure.statusCode} Message: ${secrets.failure.message}`);
      result = { ...result, message: secrets.failure.message };
      return masker.maskDeep(result);
    }
    masker.add(secrets.maskedValues);
    // Acquired while the source is copied and the container provisions; the build waits for it only at DOWNLOAD_SOURCE.
    aws = openBuildAwsAccess(ctx.awsEndpoints, buildId, options.passAwsCredentials === true, process.env, (m) => line('system', `Warning: ${m}`));
    // pipe's own state and artifact store are left out of the copy, so a build never packs an earlier one's output.
    const sourceZip = join(work, 'source.zip');
    const ignore = readIgnoreFile(dir);
    const copied = await zipDirectory(dir, sourceZip, {
      skip: [artifactsDir, ctx.home, ctx.artifactRoot].filter((p) => isInside(dir, p) && p !== dir),
      warn: (m) => line('system', `Warning: ${m}`),
      ...(ignore ? { ignore: (rel: string, isDir: boolean) => ignore.ignored(rel, isDir) } : {}),
      progress: (files, bytes) => line('system', `Copying the source: ${files} files, ${megabytes(bytes)} so far`),
    });
    line('system', `Source: ${copied.files} files, ${megabytes(copied.bytes)} from ${dir}${ignore ? ` (${IGNORE_FILE} left out ${copied.ignored} paths)` : ''}`);
    if (!ignore && copied.bytes > LARGE_SOURCE_BYTES) {
      line('system', `Hint: the source is ${megabytes(copied.bytes)}; a ${IGNORE_FILE} in ${dir} (the syntax of .gitignore) leaves paths such as node_modules/ out of it`);
    }
    const deps = { containers: createDockerBuildContainers(ctx.engine), artifacts: createArtifactIo(), cache: openCacheStore(ctx.home) };
    // A git directory's build knows its commit, as a CodeBuild build of a git source does.
    const commit = await workTreeCommit(dir);
    const base: Omit<BuildRequest, 'spec' | 'outputs' | 'signal' | 'phase'> = {
      identity: {
        projectName: project,
        buildId,
        buildNumber,
        image,
        initiator: process.env['USER'] ?? 'pipe',
        region: DEFAULT_REGION,
        account: DEFAULT_ACCOUNT,
        startTimeMs: startTime.getTime(),
        ...(commit ? { sourceVersion: commit, resolvedSourceVersion: commit } : {}),
        secondarySourceNames: [],
      },
      primarySource: { name: 'source', path: sourceZip },
      secondarySources: [],
      environment: secrets.actionEnvironment,
      secrets: secrets.buildspecSecrets,
      expandArtifactNames: true,
      // One cache per source directory, as a CodeBuild project has one.
      cacheScope: `local/${dir}`,
      labels: { [LABELS.managed]: 'true', [LABELS.ownerPid]: String(process.pid), [LABELS.role]: 'build', [LABELS.action]: buildId },
      ...(options.privileged ? { privileged: true } : {}),
      ...(aws ? { aws: aws.access } : {}),
      timeoutMinutes: options.timeoutMinutes ?? DEFAULT_BUILD_TIMEOUT_MINUTES,
      line,
    };
    if (spec.batch) {
      const batch = await runBatch(
        {
          spec,
          base,
          concurrency: options.batchConcurrency ?? DEFAULT_BATCH_CONCURRENCY,
          ...(options.signal ? { signal: options.signal } : {}),
          loadBuildspec: async (path) => {
            const bytes = await readZipEntry(sourceZip, path);
            if (!bytes) throw new PipeError('NOT_FOUND', `buildspec ${path} not found in ${dir}`, { hint: 'a batch task names its buildspec relative to the source directory' });
            return parseBuildspec(bytes.toString('utf8'), path);
          },
          resolveSecrets: (taskSpec) => {
            const own = resolveBuildSecrets(taskSpec.env, plain, openLocalSecrets(ctx.db, ctx.cipher));
            if (!own.ok) return { ok: false, message: own.failure.message };
            masker.add(own.maskedValues);
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
      const artifacts: PackagedArtifact[] = [];
      for (const b of batch.builds) {
        if (b.build) b.build.artifacts = await applyArtifactNames(b.build.artifacts, taskDir(artifactsDir, b.identifier));
      }
      if (batch.status === 'SUCCEEDED') {
        line('system', 'Combining the artifacts of the batch (COMBINE_ARTIFACTS)');
        const names = [...new Set(batch.builds.flatMap((b) => b.build?.artifacts.map((a) => a.name) ?? []))];
        for (const name of names) {
          const zip = resolveInside(artifactsDir, name === PRIMARY ? DEFAULT_PRIMARY_ARTIFACT : `${asSegment('secondary artifact identifier', name)}.zip`);
          const combined = await combineBatchArtifacts(batch, name, zip);
          if (combined) artifacts.push(combined);
        }
      }
      const reports = batch.builds.flatMap((b) => (b.build?.reports ?? []).map((r) => ({ ...r, group: `[${b.identifier}] ${r.group}` })));
      result = { ...result, status: batch.status, ...(batch.message ? { message: batch.message } : {}), artifacts, reports, batch };
    } else {
      const build = await runBuild(
        { ...base, spec, outputs: projectOutputs(spec, artifactsDir), ...(options.signal ? { signal: options.signal } : {}) },
        deps,
      );
      const artifacts = await applyArtifactNames(build.artifacts, artifactsDir);
      result = {
        ...result,
        status: build.status,
        ...(build.message !== undefined ? { message: build.message } : {}),
        artifacts,
        phases: build.phases,
        exportedVariables: build.exportedVariables,
        reports: build.reports,
      };
    }
    const unserved = (await aws?.reportUnserved((m) => line('system', m))) ?? [];
    if (unserved.length > 0) result = { ...result, unservedAwsCalls: unserved };
    return masker.maskDeep(result);
  } catch (e) {
    if (e instanceof Error) e.message = masker.mask(e.message);
    result = { ...result, message: describeError(e) };
    throw e;
  } finally {
    await aws?.release();
    closeSync(fd);
    await rm(work, { recursive: true, force: true });
    const shown = masker.maskDeep(result);
    store.finish(buildId, shown.status, shown.message, {
      phases: shown.phases,
      artifacts: shown.artifacts,
      exportedVariables: shown.exportedVariables,
      reports: shown.reports,
      ...(shown.batch ? { batch: shown.batch.builds.map((b) => ({ identifier: b.identifier, status: b.status, message: b.message, buildId: b.build?.buildId })) } : {}),
    });
  }
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
