// Source/Git: zips the repository's tree at a branch or commit into the artifact store; CodePipeline's variables.
import { isAbsolute, resolve } from 'node:path';
import { archiveGitSource } from './archive-git-source.js';
import { gitOutputVariables, resolveGitSource } from './resolve-git-source.js';
import type { ResolvedGitSource } from './resolve-git-source.js';
import type { ActionContext, ActionExecutor, ActionOutcome } from '../execute/index.js';
import { readGitSourceConfiguration } from '../plan/index.js';

/**
 * `resolvedBefore`: sources the preflight already resolved, by action id. The execution then takes exactly the
 * revision whose buildspec the preflight checked, even if the branch moves in between.
 */
export function createSourceExecutor(resolvedBefore: ReadonlyMap<string, ResolvedGitSource> = new Map()): ActionExecutor {
  return {
    async run(ctx: ActionContext): Promise<ActionOutcome> {
      const { repository: repoText, branch, commit } = readGitSourceConfiguration(ctx.configuration);
      const repository = isAbsolute(repoText) ? repoText : resolve(ctx.baseDir, repoText);
      const resolved =
        resolvedBefore.get(ctx.action.id) ??
        (await resolveGitSource({ repository, ...(branch ? { branch } : {}), ...(commit ? { commit } : {}) }));
      ctx.log('system', `Source: ${resolved.repositoryName} ${resolved.branchName ? `branch ${resolved.branchName} ` : ''}at ${resolved.commitId}`);
      const output = ctx.outputs[0];
      if (!output) return { status: 'Succeeded', outputVariables: gitOutputVariables(resolved), artifacts: [] };
      const written = await archiveGitSource(resolved, output.path, ctx.signal);
      ctx.log('system', `Wrote ${output.name} (${written.size} bytes, sha256 ${written.sha256})`);
      return {
        status: 'Succeeded',
        outputVariables: gitOutputVariables(resolved),
        artifacts: [{ name: output.name, path: output.path, sha256: written.sha256, size: written.size, revision: resolved.commitId }],
        externalExecutionId: resolved.commitId,
        summary: resolved.commitMessage.split('\n')[0] ?? '',
      };
    },
  };
}
