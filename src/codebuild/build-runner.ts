// One CodeBuild build, start to end: PROVISIONING, DOWNLOAD_SOURCE, the buildspec's phases, UPLOAD_ARTIFACTS,
// FINALIZING. The container is removed whatever happens: success, failure, a stop or a crash of ours.
import { Transform } from 'node:stream';
import type { Readable } from 'node:stream';
import type { ArtifactIo } from '../artifacts/index.js';
import { PipeError, describeError } from '../core/index.js';
import type { ArtifactSelectionSpec, BuildPhaseType, BuildSpec, BuildStatus } from '../core/index.js';
import { normalizeEntryPath } from '../artifacts/index.js';
import { agentLine } from './build-log.js';
import { PROGRESS_EVERY_MS } from '../core/index.js';
import type { LineSink } from './build-log.js';
import { composeBuildEnvironment, secondarySourceDir, SRC_DIR, SRC_ROOT } from './build-env.js';
import type { BuildIdentity } from './build-env.js';
import { awsVariables } from './aws-endpoint.js';
import { awsCliShimScript } from './aws-cli-shim.js';
import type { BuildAwsAccess } from './aws-endpoint.js';
import type { BuildContainer } from './container-port.js';
import type { BuildContainerFactory } from './docker-container.js';
import { runPhases } from './phase-runner.js';
import { resolveBuildImage } from './build-image.js';
import { planRuntimeVersions, readRuntimeCatalog } from './runtime-versions.js';
import type { PhaseRecord } from './phase-runner.js';
import { PIPE_DIR, ShellSession } from './shell-session.js';
import { ShellAgent } from './shell-agent.js';
import { packFiles } from './tar.js';
import { planOutputs, expandVariables } from './outputs.js';
import { collectBuildReports, restoreBuildCache, saveBuildCache } from './cache-report-steps.js';
import type { StepContext } from './cache-report-steps.js';
import type { CacheStore } from './cache/index.js';
import type { BuildReport } from './reports/index.js';

export interface BuildSource {
  name: string;
  /** The input artifact's zip. */
  path: string;
}

export interface BuildOutput {
  name: string;
  /** Where the output artifact's zip goes. */
  path: string;
  /** The artifacts block this output takes, when the caller maps them itself (a project's primary and secondaries). */
  selection?: ArtifactSelectionSpec;
}

export interface PackagedArtifact {
  name: string;
  path: string;
  sha256: string;
  size: number;
  files: string[];
  /** The block's `name`, shell-expanded in the build at upload time (only with `expandArtifactNames`). */
  artifactName?: string;
}

export interface BuildRequest {
  identity: BuildIdentity;
  spec: BuildSpec;
  primarySource?: BuildSource;
  secondarySources: BuildSource[];
  /** The action's environment variables: they win over the buildspec's. */
  environment: Record<string, string>;
  /** Resolved parameter-store and secrets-manager values (masked by the caller's log sink). */
  secrets?: Record<string, string>;
  outputs: BuildOutput[];
  /** Evaluate each artifacts block's `name` with the shell at upload time, as a CodeBuild project does. */
  expandArtifactNames?: boolean;
  labels: Record<string, string>;
  /** How the build reaches AWS APIs (pipe's endpoints and throwaway credentials); without it, no AWS_* variables. */
  aws?: BuildAwsAccess | Promise<BuildAwsAccess>;
  /** privilegedMode: a Docker engine for `docker build`/`run` in the buildspec; what it creates goes with the build. */
  privileged?: boolean;
  timeoutMinutes?: number;
  /** Whose cache entries this build shares: `<pipeline>/<Stage>.<Action>`. Without it the cache is not used. */
  cacheScope?: string;
  signal?: AbortSignal;
  line: LineSink;
  phase?: (phase: BuildPhaseType, status: BuildStatus, record?: PhaseRecord) => void;
  warn?: (message: string) => void;
}

export interface BuildExecution {
  buildId: string;
  status: BuildStatus;
  phases: PhaseRecord[];
  exportedVariables: Record<string, string>;
  artifacts: PackagedArtifact[];
  /** One per `reports` group, collected after post_build (also when the build failed). */
  reports: BuildReport[];
  /** Why it failed, in CodeBuild's words where it has them. */
  message?: string;
}

export interface BuildDeps {
  containers: BuildContainerFactory;
  artifacts: ArtifactIo;
  /** The host cache (<PIPE_HOME>/cache); without it `cache.paths` are not used. */
  cache?: CacheStore;
}

export async function runBuild(request: BuildRequest, deps: BuildDeps): Promise<BuildExecution> {
  return new BuildRun(request, deps).run();
}

class BuildRun {
  private readonly phases: PhaseRecord[] = [];
  private reports: BuildReport[] = [];
  private container: BuildContainer | undefined;
  private stopReason: 'STOPPED' | 'TIMED_OUT' | undefined;
  private removal: Promise<void> | undefined;
  /** The primary source's tar, made ahead; finalize lets go of it if the build ended before it was copied in. */
  private sourceTar: Promise<Buffer | Readable> | undefined;
  private readonly warn: (m: string) => void;

  constructor(
    private readonly req: BuildRequest,
    private readonly deps: BuildDeps,
  ) {
    this.warn = req.warn ?? ((m) => req.line('system', agentLine(`Warning: ${m}`)));
  }

  async run(): Promise<BuildExecution> {
    const { signal } = this.req;
    const onAbort = () => void this.stop('STOPPED');
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = this.req.timeoutMinutes
      ? setTimeout(() => void this.stop('TIMED_OUT'), this.req.timeoutMinutes * 60_000)
      : undefined;
    try {
      if (signal?.aborted) return this.result('STOPPED', 'stopped before it started');
      return await this.runSteps();
    } finally {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      await this.finalize();
    }
  }

  private async stop(reason: 'STOPPED' | 'TIMED_OUT'): Promise<void> {
    if (this.stopReason) return;
    this.stopReason = reason;
    this.req.line('system', agentLine(reason === 'TIMED_OUT' ? 'Build timed out' : 'Build stopped'));
    // Removing the container ends whatever command is running in it; finalize waits for the same removal.
    this.removal ??= this.container?.remove().catch(() => undefined);
    await this.removal;
  }

  private async runSteps(): Promise<BuildExecution> {
    const { spec, identity } = this.req;
    if (Object.keys(spec.phases).length === 0 && spec.batch) {
      return this.result('FAILED', 'no phases; this buildspec only defines a batch');
    }
    // A Windows buildspec is refused before any container starts, rather than its commands failing in a Linux shell.
    if (spec.env.shell === 'powershell.exe' || spec.env.shell === 'cmd.exe') {
      return this.result('FAILED', `YAML_FILE_ERROR: env.shell ${spec.env.shell} needs a Windows container; pipe runs Linux containers only`);
    }
    // PROVISIONING: the image (a local stand-in for CodeBuild's curated names) and the container.
    const local = resolveBuildImage(identity.image);
    if (local.parity) this.warn(local.parity);
    let imageEnv: Record<string, string>;
    let imageLabels: Record<string, string> = {};
    // The primary source's tar is made on the host while Docker provisions (awaited, and its failure seen, in
    // DOWNLOAD_SOURCE); the image's labels are read while the container is created and started.
    const primary = this.req.primarySource;
    const sourceTar = primary ? this.deps.artifacts.unzipToTar(primary.path, { prefix: SRC_DIR }) : undefined;
    sourceTar?.catch(() => undefined);
    this.sourceTar = sourceTar;
    // The container's main process is the shell agent that runs the command items.
    const shell = spec.env.shell === undefined || spec.env.shell === '/bin/sh' ? 'sh' : spec.env.shell;
    const carry = spec.version === '0.2';
    const { agent, process: agentProcess } = ShellAgent.prepare({ pipeDir: PIPE_DIR, shell, carry });
    const provisioned = await this.step('PROVISIONING', async () => {
      imageEnv = await this.deps.containers.prepareImage(local.image);
      const labels = this.deps.containers.imageLabels?.(local.image);
      labels?.catch(() => undefined);
      this.container = await this.deps.containers.create({
        image: local.image,
        labels: this.req.labels,
        agent: agentProcess,
        ...(this.req.privileged ? { docker: true } : {}),
      });
      imageLabels = (await labels) ?? {};
    });
    if (!provisioned.ok) return this.result(this.stopReason ?? 'FAILED', provisioned.message);
    const container = this.container as BuildContainer;
    if (container.agent) agent.attach(container.agent);

    // DOWNLOAD_SOURCE: input artifacts into the container, the shell session's starting state.
    const session = new ShellSession(container, shell, carry, container.agent ? agent : undefined);
    let runtimeCommands: string[] = [];
    const downloaded = await this.step('DOWNLOAD_SOURCE', async () => {
      const aws = await this.req.aws;
      const env = composeBuildEnvironment(imageEnv, spec, this.req.secrets ?? {}, this.req.environment, identity, aws ? awsVariables(aws) : {});
      // runtime-versions is resolved here, as CodeBuild does, against the image's catalog.
      const requested = spec.phases.install?.runtimeVersions ?? {};
      if (Object.keys(requested).length > 0) {
        const runtimes = planRuntimeVersions(requested, env, readRuntimeCatalog(local.image, imageLabels), local.image);
        for (const note of runtimes.notes) this.warn(note);
        runtimeCommands = runtimes.commands;
      }
      // One archive: the session's files and the primary source; the AWS CLI shim is the agent's first step.
      const shim = aws ? awsCliShimScript() : undefined;
      const shimStatus = await session.init(env, SRC_DIR, { ...(sourceTar ? { source: await sourceTar } : {}), ...(shim ? { firstStep: shim } : {}) });
      if (shimStatus !== 0) throw new PipeError('DOCKER_ERROR', `installing the AWS CLI shim failed in the build container (exit ${shimStatus})`);
      for (const s of this.req.secondarySources) {
        await container.putFiles('/', packFiles([{ path: `${secondarySourceDir(s.name).slice(1)}/.keep`, content: '' }]));
        await container.putFiles(secondarySourceDir(s.name), await this.deps.artifacts.unzipToTar(s.path));
      }
      if (usesRunAs(spec)) await this.exec(['chmod', '-R', 'a+rwX', SRC_ROOT, PIPE_DIR]);
    });
    if (!downloaded.ok) return this.result(this.stopReason ?? 'FAILED', downloaded.message);
    const cache = await restoreBuildCache(this.stepContext(container, session));

    const outcome = await runPhases(spec, session, {
      phaseStarted: (p) => this.req.phase?.(p, 'IN_PROGRESS'),
      phaseEnded: (r) => this.record(r),
      line: this.req.line,
      isStopped: () => this.stopReason !== undefined,
      runtimeCommands,
      hasDocker: this.req.privileged === true,
    });
    if (this.stopReason) return this.result(this.stopReason, this.stopReason === 'TIMED_OUT' ? 'build timed out' : 'build stopped');

    let finalEnv: Record<string, string> = {};
    if ((outcome.uploadArtifacts && this.req.outputs.length > 0) || spec.env.exportedVariables.length > 0) finalEnv = await session.readEnv();
    const exported = this.exportVariables(finalEnv, outcome.reachedEnd);
    this.reports = await collectBuildReports(this.stepContext(container, session), finalEnv);

    let artifacts: PackagedArtifact[] = [];
    if (outcome.uploadArtifacts) {
      const uploaded = await this.step('UPLOAD_ARTIFACTS', async () => {
        artifacts = await this.uploadArtifacts(container, finalEnv, session);
      });
      if (!uploaded.ok) return this.result('FAILED', uploaded.message, exported);
    }
    const failed = this.phases.find((p) => p.status === 'FAILED');
    await saveBuildCache(this.stepContext(container, session), cache, outcome.succeeding && !failed);
    if (!outcome.succeeding || failed) {
      return this.result('FAILED', failed?.context?.message ?? `phase ${failed?.phase ?? ''} failed`, exported, artifacts);
    }
    return this.result('SUCCEEDED', undefined, exported, artifacts);
  }

  private stepContext(container: BuildContainer, session: ShellSession): StepContext {
    return {
      spec: this.req.spec,
      cacheScope: this.req.cacheScope,
      store: this.deps.cache,
      container,
      session,
      line: this.req.line,
      warn: this.warn,
      isStopped: () => this.stopReason !== undefined,
    };
  }

  private async exec(cmd: string[]): Promise<void> {
    const { exitCode } = await (this.container as BuildContainer).exec({ cmd, onStdout: () => undefined, onStderr: () => undefined });
    if (exitCode !== 0) throw new PipeError('DOCKER_ERROR', `'${cmd.join(' ')}' failed in the build container (exit ${exitCode})`);
  }

  /** Runs an agent step as a phase: IN_PROGRESS, then SUCCEEDED or FAILED with CLIENT_ERROR and the reason. */
  private async step(phase: BuildPhaseType, body: () => Promise<void>): Promise<{ ok: true } | { ok: false; message: string }> {
    const started = new Date();
    this.req.phase?.(phase, 'IN_PROGRESS');
    let context: PhaseRecord['context'];
    try {
      await body();
    } catch (e) {
      if (!this.stopReason) {
        const message = describeError(e);
        context = { statusCode: e instanceof PipeError && e.code === 'ARTIFACT_ERROR' ? 'CLIENT_ERROR' : 'CLIENT_ERROR', message };
        // A Docker or input problem is ours to explain, not the buildspec's: rethrow those so the caller sees them.
        if (e instanceof PipeError && (e.code === 'IMAGE_NOT_FOUND' || e.code === 'DOCKER_UNAVAILABLE')) {
          this.record(this.phaseRecord(phase, 'FAILED', started, context));
          throw e;
        }
      }
    }
    const status: BuildStatus = this.stopReason ? this.stopReason : context ? 'FAILED' : 'SUCCEEDED';
    this.req.line('system', agentLine(`Phase complete: ${phase} State: ${status}`));
    if (context) this.req.line('system', agentLine(`Phase context status code: ${context.statusCode} Message: ${context.message}`));
    this.record(this.phaseRecord(phase, status, started, context));
    return status === 'SUCCEEDED' ? { ok: true } : { ok: false, message: context?.message ?? status.toLowerCase() };
  }

  private phaseRecord(phase: BuildPhaseType, status: BuildStatus, started: Date, context?: PhaseRecord['context']): PhaseRecord {
    const ended = new Date();
    return {
      phase,
      status,
      startTime: started.toISOString(),
      endTime: ended.toISOString(),
      durationMs: ended.getTime() - started.getTime(),
      ...(context ? { context } : {}),
    };
  }

  private record(r: PhaseRecord): void {
    this.phases.push(r);
    this.req.phase?.(r.phase, r.status, r);
  }

  private exportVariables(env: Record<string, string>, reachedEnd: boolean): Record<string, string> {
    const out: Record<string, string> = {};
    if (!reachedEnd) return out;
    for (const name of this.req.spec.env.exportedVariables) {
      const value = env[name];
      if (value === undefined) {
        this.warn(`exported variable ${name} is not set in the build environment; it is not exported`);
        continue;
      }
      out[name] = value;
    }
    return out;
  }

  private async uploadArtifacts(container: BuildContainer, env: Record<string, string>, session: ShellSession): Promise<PackagedArtifact[]> {
    const plans = planOutputs(this.req.spec, this.req.outputs);
    const done: PackagedArtifact[] = [];
    for (const { output, selection } of plans) {
      // The tar is of the source directory (so links out of base-directory still resolve), unless
      // base-directory is an absolute path elsewhere.
      const base = selection.baseDirectory ? expandVariables(selection.baseDirectory, env) : undefined;
      const outside = base !== undefined && base.startsWith('/') && !base.startsWith(`${SRC_DIR}/`) && !/[*?[]/.test(base);
      const root = outside ? base : SRC_DIR;
      const resolved: ArtifactSelectionSpec = { ...selection };
      if (base && !outside) resolved.baseDirectory = base;
      else delete resolved.baseDirectory;
      const artifactName = this.req.expandArtifactNames && selection.name !== undefined ? await session.expand(selection.name) : undefined;
      if (this.req.expandArtifactNames && selection.name !== undefined && !artifactName) {
        throw new PipeError('ARTIFACT_ERROR', `CLIENT_ERROR: artifact name ${selection.name} expands to nothing`);
      }
      // The name becomes a path under the artifacts folder: one that leaves it fails here, before anything is zipped.
      if (artifactName !== undefined && !normalizeEntryPath(artifactName)) {
        throw new PipeError('ARTIFACT_ERROR', `CLIENT_ERROR: artifact name ${selection.name} expands to ${artifactName}, which is not a path inside the artifacts folder`);
      }
      const tar = withProgress(await container.getArchive(root), (bytes) =>
        this.req.line('system', agentLine(`Artifact ${output.name}: ${(bytes / (1024 * 1024)).toFixed(1)} MB read from the build so far`)),
      );
      const r = await this.deps.artifacts.packageFromTar(tar, root, resolved, output.path, this.warn);
      this.req.line('system', agentLine(`Artifact ${output.name}: ${r.files.length} file(s), ${r.size} bytes`));
      done.push({ name: output.name, path: output.path, ...r, ...(artifactName ? { artifactName } : {}) });
    }
    return done;
  }

  private result(status: BuildStatus, message?: string, exported: Record<string, string> = {}, artifacts: PackagedArtifact[] = []): BuildExecution {
    return {
      buildId: this.req.identity.buildId,
      status,
      phases: this.phases,
      exportedVariables: status === 'SUCCEEDED' ? exported : {},
      artifacts,
      reports: this.reports,
      ...(message !== undefined ? { message } : {}),
    };
  }

  private async finalize(): Promise<void> {
    const started = new Date();
    void this.sourceTar?.then((t) => (Buffer.isBuffer(t) ? undefined : t.destroy())).catch(() => undefined);
    this.req.phase?.('FINALIZING', 'IN_PROGRESS');
    this.removal ??= this.container?.remove().catch(() => undefined);
    await this.removal;
    this.record(this.phaseRecord('FINALIZING', 'SUCCEEDED', started));
  }
}

function usesRunAs(spec: BuildSpec): boolean {
  return spec.runAs !== undefined || Object.values(spec.phases).some((p) => p?.runAs !== undefined);
}


/** The stream through a counter that tells `report` every couple of seconds how many bytes have passed. */
function withProgress(tar: Readable, report: (bytes: number) => void): Readable {
  let bytes = 0;
  let told = performance.now();
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (performance.now() - told > PROGRESS_EVERY_MS) {
        told = performance.now();
        report(bytes);
      }
      done(null, chunk);
    },
  });
  tar.on('error', (e) => counter.destroy(e));
  return tar.pipe(counter);
}
