// Checks before an execution starts, so bad input fails fast (exit 2) with nothing recorded and nothing started:
// each git source resolves, each build image exists, each buildspec is there and valid.
import { isAbsolute, resolve } from 'node:path';
import { PipeError } from '../core/index.js';
import type { ActionPlan, ExecutionPlan } from '../core/index.js';
import { resolveBuildImage } from '../codebuild/index.js';
import type { DockerEngine } from '../infra/index.js';
import { findReferences, readCodeBuildConfiguration, readGitSourceConfiguration } from '../plan/index.js';
import { readSourceFile, resolveGitSource } from '../source/index.js';
import type { ResolvedGitSource } from '../source/index.js';
import { parseBuildspec } from '../parse/index.js';

/** A source artifact's producer: the repository as the pipeline names it, and what it resolved to. */
interface KnownSource {
  repository: string;
  resolved: ResolvedGitSource;
}

/** A source action's revision for this execution (a git hook's commit, `--source-revision`), by action name. */
export interface SourceRevisionRequest {
  commit: string;
  /** The branch the commit was pushed to (its BranchName); absent: the branch HEAD or another holding it. */
  branch?: string;
}

/**
 * Checks the plan; returns the git sources it resolved, by action id, for the execution to use. A source action
 * in `revisions` runs that commit, not its branch's tip.
 */
export async function preflight(
  plan: ExecutionPlan,
  engine: DockerEngine,
  revisions: ReadonlyMap<string, SourceRevisionRequest> = new Map(),
): Promise<Map<string, ResolvedGitSource>> {
  const resolvedSources = new Map<string, ResolvedGitSource>();
  const sources = new Map<string, KnownSource>();
  const actions = plan.stages.flatMap((s) => s.groups.flat());
  for (const a of actions) {
    if (a.type !== 'Source/Git' || findReferences(a.configuration).length > 0) continue;
    const c = readGitSourceConfiguration(a.configuration);
    const repository = isAbsolute(c.repository) ? c.repository : resolve(plan.baseDir, c.repository);
    const asked = revisions.get(a.name);
    const request = asked
      ? { repository, commit: asked.commit, ...(asked.branch ? { pushedBranch: asked.branch } : {}) }
      : { repository, ...(c.branch ? { branch: c.branch } : {}), ...(c.commit ? { commit: c.commit } : {}) };
    const resolved = await resolveGitSource(request).catch((e: unknown) => {
      throw withAction(a, e);
    });
    resolvedSources.set(a.id, resolved);
    for (const out of a.outputArtifacts) sources.set(out, { repository, resolved });
  }
  for (const a of actions) {
    if (a.type !== 'Build/CodeBuild') continue;
    const c = readCodeBuildConfiguration(a.configuration);
    if (!c.image.includes('#{')) await engine.ensureImage(resolveBuildImage(c.image).image).catch((e: unknown) => {
      throw withAction(a, e);
    });
    const primary = a.inputArtifacts[0];
    const source = primary ? sources.get(primary) : undefined;
    if (!source || c.buildspec.includes('#{') || c.buildspec.includes('\n')) continue;
    const text = await readSourceFile(source.resolved, c.buildspec);
    if (text === undefined) {
      throw new PipeError('INVALID_SPEC', `${a.id}: buildspec ${c.buildspec} not found in ${primary} (${source.repository} at ${source.resolved.commitId.slice(0, 12)})`, {
        hint: `the path is relative to the root of the source repository; is ${c.buildspec} committed?`,
      });
    }
    parseBuildspec(text, c.buildspec);
  }
  return resolvedSources;
}

function withAction(a: ActionPlan, e: unknown): unknown {
  if (e instanceof PipeError) {
    return new PipeError(e.code, `${a.id}: ${e.message}`, { ...(e.hint ? { hint: e.hint } : {}), cause: e });
  }
  return e;
}
