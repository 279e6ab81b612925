// Build/CodeBuild: reads the buildspec from the primary source, runs it in a container, packages its artifacts.
import { PipeError, newBuildId } from '../core/index.js';
import type { BuildSpec } from '../core/index.js';
import { readZipEntry } from '../artifacts/index.js';
import { runBuild } from './build-runner.js';
import type { ArtifactIo } from '../artifacts/index.js';
import { assembleBuildRequest } from './build-request.js';
import type { BuildContainerFactory } from './docker-container.js';
import type { CacheStore } from './cache/index.js';
import { parseBuildspec } from '../parse/index.js';
import type { ActionContext, ActionExecutor, ActionOutcome } from '../execute/index.js';
import { readCodeBuildConfiguration } from '../plan/index.js';
import type { SecretSource } from '../secrets/index.js';
import { resolveActionSecrets } from './build-secrets.js';
import { runBatchAction } from './batch-action.js';
import { openBuildAwsAccess } from './build-aws.js';
import type { AwsEndpointProvider } from './aws-endpoint.js';

export interface BuildExecutorDeps {
  containers: BuildContainerFactory;
  artifacts: ArtifactIo;
  nextBuildNumber(project: string): number;
  region: string;
  account: string;
  /** Where parameter-store and secrets-manager references resolve; without it, none do. */
  secrets?: SecretSource;
  /** The host cache (<PIPE_HOME>/cache); without it buildspec `cache.paths` are not used. */
  cache?: CacheStore;
  /** The pipe server builds' AWS calls go to; without it a build gets no AWS_* endpoints or credentials. */
  awsEndpoints?: AwsEndpointProvider;
  /** The host's environment, read for --pass-aws-credentials (default process.env). */
  hostEnv?: NodeJS.ProcessEnv;
}

/** Loads the buildspec an action names: inline YAML, or a path inside the primary source (CodeBuild's rule). */
export async function loadActionBuildspec(ctx: Pick<ActionContext, 'configuration' | 'action' | 'inputs'>): Promise<BuildSpec> {
  const named = readCodeBuildConfiguration(ctx.configuration).buildspec;
  if (named.includes('\n')) return parseBuildspec(named, `${ctx.action.id} (inline buildspec)`);
  const primary = ctx.inputs[0];
  if (!primary) {
    throw new PipeError('INVALID_SPEC', `${ctx.action.id}: buildspec ${named} cannot be read: the action has no input artifact`, {
      hint: 'give the action an inputArtifacts entry (the source), or an inline buildspec',
    });
  }
  const bytes = await readZipEntry(primary.path, named);
  if (!bytes) {
    throw new PipeError('INVALID_SPEC', `${ctx.action.id}: buildspec ${named} not found in input artifact ${primary.name}`, {
      hint: `the path is relative to the root of the source; is ${named} committed?`,
    });
  }
  return parseBuildspec(bytes.toString('utf8'), named);
}

export function createBuildExecutor(deps: BuildExecutorDeps): ActionExecutor {
  return {
    async run(ctx: ActionContext): Promise<ActionOutcome> {
      const spec = await loadActionBuildspec(ctx);
      for (const w of spec.warnings) ctx.warn(`${w.location.file}:${w.location.line}:${w.location.column} ${w.path}: ${w.message}`);
      const project = `${ctx.pipeline}-${ctx.action.stage}-${ctx.action.name}`;
      const buildId = newBuildId(project);
      const config = readCodeBuildConfiguration(ctx.configuration);
      const image = config.image;
      const secrets = resolveActionSecrets(ctx, spec, config.environmentVariables, deps.secrets, buildId);
      if (!secrets.ok) return secrets.outcome;
      const [primary, ...secondary] = ctx.inputs;
      const source = primary?.revision;
      const timeout = config.timeoutInMinutes;
      // Acquired while the build provisions; the build waits for it only when it composes its environment.
      const aws = openBuildAwsAccess(deps.awsEndpoints, buildId, config.passAwsCredentials, deps.hostEnv ?? process.env, ctx.warn);
      try {
        const request = assembleBuildRequest(ctx, {
          identity: {
            projectName: project,
            buildId,
            buildNumber: deps.nextBuildNumber(project),
            image,
            initiator: `codepipeline/${ctx.pipeline}`,
            region: deps.region,
            account: deps.account,
            startTimeMs: Date.now(),
            secondarySourceNames: secondary.map((s) => s.name),
            ...(source ? { sourceVersion: source, resolvedSourceVersion: source } : {}),
          },
          spec,
          ...(primary ? { primarySource: primary } : {}),
          secondarySources: secondary,
          secrets: secrets.resolved,
          outputs: ctx.outputs,
          ...(config.privilegedMode ? { privileged: true } : {}),
          ...(aws ? { aws: aws.access } : {}),
          ...(timeout ? { timeoutMinutes: timeout } : {}),
          cacheScope: `${ctx.pipeline}/${ctx.action.stage}.${ctx.action.name}`,
        });
        if (config.batchEnabled) {
          const outcome = await runBatchAction(ctx, deps, { spec, project, batchId: buildId, base: request, combineArtifacts: config.combineArtifacts, concurrency: config.batchConcurrency, nextBuildNumber: deps.nextBuildNumber,
            variables: config.environmentVariables, ...(deps.secrets ? { secretSource: deps.secrets } : {}) });
          // The batch's builds share its credentials: one parity line for the calls any of them made that pipe does not serve.
          const unserved = (await aws?.reportUnserved(ctx.warn)) ?? [];
          return unserved.length > 0 ? { ...outcome, extra: { ...outcome.extra, unservedAwsCalls: unserved } } : outcome;
        }
        const result = await runBuild(request, deps);
        const unserved = (await aws?.reportUnserved(ctx.warn)) ?? [];
        const extra = { buildId, buildStatus: result.status, phases: result.phases, reports: result.reports, ...(unserved.length > 0 ? { unservedAwsCalls: unserved } : {}) };
        const artifacts = result.artifacts.map((a) => ({ name: a.name, path: a.path, sha256: a.sha256, size: a.size }));
        if (result.status !== 'SUCCEEDED') {
          return { status: 'Failed', message: `Build ${result.status}: ${result.message ?? ''}`.trim(), artifacts, externalExecutionId: buildId, extra };
        }
        return { status: 'Succeeded', outputVariables: result.exportedVariables, artifacts, externalExecutionId: buildId, extra };
      } finally {
        await aws?.release();
      }
    },
  };
}
