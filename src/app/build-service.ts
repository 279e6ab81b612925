// `pipe build` as an execution of the engine: the build is planned as one Build action, recorded in the execution
// store (kind `build`), its log written by the engine's log store, its lines masked by the engine's masker, its
// owner's lease recovered like any other. The caller gets what CodeBuild would say of the build.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { newExecutionId } from '../core/index.js';
import type { BuildStatus } from '../core/index.js';
import { asSegment, createArtifactIo, resolveInside } from '../artifacts/index.js';
import {
  buildLogPath, buildRecordOf, buildWorkDir, checkSingleBuild, createDockerBuildContainers, createSingleBuildExecutor, loadSourceBuildspec, openCacheStore,
  projectNameOf, singleBuildPlan,
} from '../codebuild/index.js';
import type { BuildRecord, BuildReport, PackagedArtifact, PhaseRecord, SingleBuildOptions, SingleBuildSettings, UnservedCall } from '../codebuild/index.js';
import { Engine } from '../execute/index.js';
import { isProcessAlive, removeLeftoverContainers } from '../infra/index.js';
import { DEFAULT_BUILD_IMAGE, DEFAULT_BUILD_TIMEOUT_MINUTES } from '../parse/index.js';
import { openLocalSecrets } from '../secrets/index.js';
import type { PipeContext } from './pipeline-service.js';
import { createAwsEndpointProvider } from './aws-endpoint.js';

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
  /** A batch's builds. */
  batch?: { builds: BatchBuildSummary[] };
  /** AWS calls the build made that pipe does not serve (its parity report). */
  unservedAwsCalls?: UnservedCall[];
}

export interface BatchBuildSummary {
  identifier: string;
  status: BuildStatus;
  ignoreFailure?: boolean;
  message?: string;
  buildId?: string;
}

/** Runs one build of a directory here, until it ends (or `signal` stops it). */
export async function runSingleBuild(ctx: PipeContext, options: SingleBuildOptions): Promise<SingleBuildResult> {
  const dir = resolve(options.dir);
  const spec = loadSourceBuildspec(dir, options.buildspec);
  checkSingleBuild(spec, dir);
  await ctx.engine.ping();
  await removeLeftoverContainers(ctx.engine);
  const project = projectNameOf(dir);
  const executionId = newExecutionId();
  const buildId = `${project}:${executionId}`;
  const settings: SingleBuildSettings = {
    buildId,
    project,
    buildNumber: ctx.store.nextBuildNumber(project),
    sourceDir: dir,
    buildspec: spec.file,
    image: options.image ?? DEFAULT_BUILD_IMAGE,
    artifactsDir: options.artifactsDir ? resolve(options.artifactsDir) : resolveInside(ctx.artifactRoot, 'local', asSegment('build id', buildId)),
    logPath: buildLogPath(ctx.home, buildId),
  };
  mkdirSync(settings.artifactsDir, { recursive: true });
  const executor = createSingleBuildExecutor(
    {
      containers: createDockerBuildContainers(ctx.engine),
      artifacts: createArtifactIo(),
      cache: openCacheStore(ctx.home),
      secrets: openLocalSecrets(ctx.db, ctx.cipher),
      workDir: buildWorkDir(ctx.home, executionId),
      awsEndpoints: createAwsEndpointProvider(ctx),
    },
    {
      settings,
      spec,
      environment: options.environment ?? {},
      skip: [settings.artifactsDir, ctx.home, ctx.artifactRoot],
      ...(options.privileged ? { privileged: true } : {}),
      ...(options.passAwsCredentials ? { passAwsCredentials: true } : {}),
      timeoutMinutes: options.timeoutMinutes ?? DEFAULT_BUILD_TIMEOUT_MINUTES,
      ...(options.batchConcurrency ? { batchConcurrency: options.batchConcurrency } : {}),
    },
  );
  const engine = new Engine({ store: ctx.store, home: ctx.home, logPath: () => settings.logPath, cipher: ctx.cipher, isAlive: isProcessAlive, executors: { Build: executor } });
  const { onLine } = options;
  if (onLine) {
    engine.subscribe((e) => {
      if (e.type === 'log') onLine(e.stream, e.line);
      else if (e.type === 'warning') onLine('system', `Warning: ${e.message}`);
    });
  }
  try {
    engine.create(singleBuildPlan(settings), {
      executionId,
      trigger: { triggerType: 'StartBuild', triggerDetail: `pipe build ${dir}` },
      artifactRoot: ctx.artifactRoot,
      sources: { build: settings },
      kind: 'build',
    });
    options.onStart?.({ buildId, logPath: settings.logPath, artifactsDir: settings.artifactsDir });
    await engine.drive(executionId, options.signal ? { signal: options.signal } : {});
  } finally {
    engine.close();
  }
  const record = buildRecordOf(ctx.store, executionId);
  if (!record) throw new Error(`build ${buildId} left no record`);
  return resultOf(record);
}

/** A build's record as `pipe build` reports it at its end. */
export function resultOf(r: BuildRecord): SingleBuildResult {
  const d = r.detail as Partial<Pick<SingleBuildResult, 'artifacts' | 'phases' | 'exportedVariables' | 'reports' | 'unservedAwsCalls'>> & { batch?: BatchBuildSummary[] };
  return {
    buildId: r.buildId,
    status: r.status,
    ...(r.statusMessage ? { message: r.statusMessage } : {}),
    logPath: r.logPath,
    artifactsDir: r.artifactsDir,
    artifacts: d.artifacts ?? [],
    phases: d.phases ?? [],
    exportedVariables: d.exportedVariables ?? {},
    reports: d.reports ?? [],
    ...(d.batch ? { batch: { builds: d.batch } } : {}),
    ...(d.unservedAwsCalls ? { unservedAwsCalls: d.unservedAwsCalls } : {}),
  };
}
