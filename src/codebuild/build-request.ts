// The one place a build request is assembled, for the Build/CodeBuild action and for `pipe build` alike: the
// identity, sources, environment and outputs are the caller's; how the build reports (log lines, phases, warnings,
// the stop signal, labels) always goes through the action's context, so the engine records and masks it.
import { LABELS } from '../core/index.js';
import type { BuildSpec } from '../core/index.js';
import type { ActionContext } from '../execute/index.js';
import type { ResolvedBuildSecrets } from '../secrets/index.js';
import type { BuildAwsAccess } from './aws-endpoint.js';
import type { BuildIdentity } from './build-env.js';
import type { BuildOutput, BuildRequest, BuildSource } from './build-runner.js';

export interface BuildRequestInput {
  identity: BuildIdentity;
  spec: BuildSpec;
  primarySource?: BuildSource;
  secondarySources: BuildSource[];
  secrets: ResolvedBuildSecrets;
  outputs: BuildOutput[];
  cacheScope: string;
  privileged?: boolean;
  /** How the build reaches AWS APIs (see BuildRequest.aws). */
  aws?: BuildAwsAccess | Promise<BuildAwsAccess>;
  timeoutMinutes?: number;
  expandArtifactNames?: boolean;
  /** Labels over the context's (a build without a pipeline names itself as the action). */
  labels?: Record<string, string>;
}

export function assembleBuildRequest(ctx: ActionContext, input: BuildRequestInput): BuildRequest {
  return {
    identity: input.identity,
    spec: input.spec,
    ...(input.primarySource ? { primarySource: input.primarySource } : {}),
    secondarySources: input.secondarySources,
    environment: input.secrets.actionEnvironment,
    secrets: input.secrets.buildspecSecrets,
    outputs: input.outputs,
    ...(input.expandArtifactNames ? { expandArtifactNames: true } : {}),
    labels: { ...ctx.labels, [LABELS.role]: 'build', ...input.labels },
    ...(input.privileged ? { privileged: true } : {}),
    ...(input.aws ? { aws: input.aws } : {}),
    ...(input.timeoutMinutes ? { timeoutMinutes: input.timeoutMinutes } : {}),
    cacheScope: input.cacheScope,
    signal: ctx.signal,
    line: ctx.log,
    phase: (phase, status, record) => ctx.phase(phase, status, record?.context?.message),
    warn: ctx.warn,
  };
}
