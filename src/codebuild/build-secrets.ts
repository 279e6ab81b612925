// The build executor's side of secrets: resolve the build's references before any container starts, register
// the values with the orchestrator's masker, and fail the build in DOWNLOAD_SOURCE, as CodeBuild does, when one
// does not resolve.
import type { BuildSpec, EnvironmentVariable } from '../core/index.js';
import { agentLine } from './build-log.js';
import type { PhaseRecord } from './phase-runner.js';
import { EMPTY_SECRET_SOURCE, resolveBuildSecrets } from '../secrets/index.js';
import type { ResolvedBuildSecrets, SecretFailure, SecretSource } from '../secrets/index.js';
import type { ActionContext, ActionOutcome } from '../execute/index.js';

/** The resolved values, already masked from here on; or the failed outcome to return, already logged. */
export function resolveActionSecrets(
  ctx: Pick<ActionContext, 'log' | 'phase' | 'maskSecrets'>,
  spec: BuildSpec,
  variables: readonly EnvironmentVariable[],
  source: SecretSource | undefined,
  buildId: string,
): { ok: true; resolved: ResolvedBuildSecrets } | { ok: false; outcome: ActionOutcome; failure: SecretFailure } {
  const resolution = resolveBuildSecrets(spec.env, variables, source ?? EMPTY_SECRET_SOURCE);
  if (resolution.ok) {
    ctx.maskSecrets(resolution.maskedValues);
    return { ok: true, resolved: resolution };
  }
  return { ok: false, outcome: failInDownloadSource(ctx, resolution.failure, buildId), failure: resolution.failure };
}

function failInDownloadSource(ctx: Pick<ActionContext, 'log' | 'phase'>, failure: SecretFailure, buildId: string): ActionOutcome {
  const started = new Date();
  ctx.phase('DOWNLOAD_SOURCE', 'IN_PROGRESS');
  ctx.log('system', agentLine('Processing environment variables'));
  ctx.log('system', agentLine('Phase complete: DOWNLOAD_SOURCE State: FAILED'));
  ctx.log('system', agentLine(`Phase context status code: ${failure.statusCode} Message: ${failure.message}`));
  const ended = new Date();
  const record: PhaseRecord = {
    phase: 'DOWNLOAD_SOURCE',
    status: 'FAILED',
    startTime: started.toISOString(),
    endTime: ended.toISOString(),
    durationMs: ended.getTime() - started.getTime(),
    context: { statusCode: failure.statusCode, message: failure.message },
  };
  ctx.phase('DOWNLOAD_SOURCE', 'FAILED', failure.message);
  return {
    status: 'Failed',
    message: `Build FAILED: ${failure.message}`,
    externalExecutionId: buildId,
    extra: { buildId, buildStatus: 'FAILED', phases: [record] },
  };
}
