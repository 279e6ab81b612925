// A Build/CodeBuild action with `batchEnabled: "true"`: the buildspec's batch runs as CodePipeline runs a batch build,
// its outputs either combined (`combineArtifacts`: every build under its identifier) or one per build identifier.
import { basename, dirname } from 'node:path';
import { PipeError, newBuildId } from '../core/index.js';
import type { BuildSpec, EnvironmentVariable } from '../core/index.js';
import { readZipEntry } from '../artifacts/index.js';
import { asSegment, resolveInside } from '../artifacts/index.js';
import { runBatch } from './batch-runner.js';
import type { BatchExecution } from './batch-runner.js';
import type { BuildDeps, BuildOutput, BuildRequest, PackagedArtifact } from './build-runner.js';
import { parseBuildspec } from '../parse/index.js';
import { EMPTY_SECRET_SOURCE, resolveBuildSecrets } from '../secrets/index.js';
import type { SecretSource } from '../secrets/index.js';
import type { ActionContext, ActionOutcome } from '../execute/index.js';
import { combineBatchArtifacts } from './batch-artifacts.js';

export interface BatchActionInput {
  spec: BuildSpec;
  project: string;
  /** The batch's own id (the action's external execution id). */
  batchId: string;
  base: Omit<BuildRequest, 'spec' | 'outputs' | 'signal' | 'phase'>;
  combineArtifacts: boolean;
  /** How many of the batch's builds run at once. */
  concurrency: number;
  nextBuildNumber(project: string): number;
  /** The action's environment variables, and where references resolve: for the tasks with their own buildspec. */
  variables: readonly EnvironmentVariable[];
  secretSource?: SecretSource;
}

/** Without CombineArtifacts, each output artifact is the artifact of the build its name identifies. */
function checkIndividualOutputs(ctx: ActionContext, spec: BuildSpec): void {
  const ids = (spec.batch?.tasks ?? []).map((t) => t.identifier);
  const unmatched = ctx.outputs.filter((o) => !ids.includes(o.name));
  if (unmatched.length === 0) return;
  throw new PipeError(
    'INVALID_SPEC',
    `${ctx.action.id}: output artifact ${unmatched.map((o) => o.name).join(', ')} names no build of the batch (builds: ${ids.join(', ')})`,
    { hint: 'without combineArtifacts, name each output artifact after a batch build identifier; or set combineArtifacts: "true"' },
  );
}

function taskOutputs(ctx: ActionContext, identifier: string, combine: boolean): BuildOutput[] {
  if (!combine) return ctx.outputs.filter((o) => o.name === identifier).map((o) => ({ name: o.name, path: o.path }));
  return ctx.outputs.map((o) => ({ name: o.name, path: resolveInside(dirname(o.path), 'batch', asSegment('batch task identifier', identifier), basename(o.path)) }));
}

function summarize(batch: BatchExecution): Record<string, unknown>[] {
  return batch.builds.map((b) => ({
    identifier: b.identifier,
    status: b.status,
    ignoreFailure: b.ignoreFailure,
    ...(b.message !== undefined ? { message: b.message } : {}),
    ...(b.build ? { buildId: b.build.buildId, phases: b.build.phases } : {}),
  }));
}

export async function runBatchAction(ctx: ActionContext, deps: BuildDeps, input: BatchActionInput): Promise<ActionOutcome> {
  const { spec } = input;
  if (!spec.batch) {
    throw new PipeError('INVALID_SPEC', `${ctx.action.id}: batchEnabled is "true", but buildspec ${spec.file} has no batch section`, {
      hint: 'add batch (build-list, build-matrix or build-graph) to the buildspec, or drop batchEnabled',
    });
  }
  if (!input.combineArtifacts) checkIndividualOutputs(ctx, spec);
  const primary = ctx.inputs[0];
  const batch = await runBatch(
    {
      spec,
      base: input.base,
      concurrency: input.concurrency,
      signal: ctx.signal,
      loadBuildspec: async (path) => {
        const bytes = primary ? await readZipEntry(primary.path, path) : undefined;
        if (!bytes) throw new PipeError('INVALID_SPEC', `${ctx.action.id}: batch buildspec ${path} not found in input artifact ${primary?.name ?? '(none)'}`);
        return parseBuildspec(bytes.toString('utf8'), path);
      },
      resolveSecrets: (taskSpec) => {
        const own = resolveBuildSecrets(taskSpec.env, input.variables, input.secretSource ?? EMPTY_SECRET_SOURCE);
        if (!own.ok) return { ok: false, message: own.failure.message };
        ctx.maskSecrets(own.maskedValues);
        return { ok: true, secrets: own.buildspecSecrets };
      },
      prepareTask: (task) => ({
        buildId: newBuildId(input.project),
        buildNumber: input.nextBuildNumber(input.project),
        outputs: taskOutputs(ctx, task.identifier, input.combineArtifacts),
      }),
    },
    deps,
  );
  let artifacts: PackagedArtifact[] = batch.builds.flatMap((b) => b.build?.artifacts ?? []);
  if (input.combineArtifacts) {
    artifacts = [];
    if (batch.status === 'SUCCEEDED') {
      ctx.log('system', 'Combining the artifacts of the batch (COMBINE_ARTIFACTS)');
      for (const o of ctx.outputs) {
        const combined = await combineBatchArtifacts(batch, o.name, o.path);
        if (combined) artifacts.push(combined);
      }
    }
  }
  const refs = artifacts.map((a) => ({ name: a.name, path: a.path, sha256: a.sha256, size: a.size }));
  // Every build's reports, as CodeBuild's REPORT_INDIVIDUAL_BUILDS keeps them: one per group and build, the group
  // named with the build's identifier the way its log lines are.
  const reports = batch.builds.flatMap((b) => (b.build?.reports ?? []).map((r) => ({ ...r, group: `[${b.identifier}] ${r.group}`, batchIdentifier: b.identifier })));
  const extra = { buildId: input.batchId, buildStatus: batch.status, batch: summarize(batch), reports };
  if (batch.status !== 'SUCCEEDED') {
    return { status: 'Failed', message: `Batch build ${batch.status}: ${batch.message ?? ''}`.trim(), artifacts: refs, externalExecutionId: input.batchId, extra };
  }
  return { status: 'Succeeded', outputVariables: {}, artifacts: refs, externalExecutionId: input.batchId, extra };
}
