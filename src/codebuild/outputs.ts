// Which buildspec artifacts block feeds which output artifact, as CodePipeline maps them.
import { PipeError } from '../core/index.js';
import type { ArtifactSelectionSpec, BuildSpec } from '../core/index.js';
import type { BuildOutput } from './build-runner.js';

export interface OutputPlan {
  output: BuildOutput;
  selection: ArtifactSelectionSpec;
}

/**
 * One output artifact takes the top-level `artifacts` block (or the secondary artifact of its name); several
 * outputs each need a `secondary-artifacts` entry named after them.
 */
export function planOutputs(spec: BuildSpec, outputs: readonly BuildOutput[]): OutputPlan[] {
  if (outputs.length === 0) return [];
  const chosen = outputs.flatMap((output) => (output.selection ? [{ output, selection: output.selection }] : []));
  if (chosen.length === outputs.length) return chosen;
  const artifacts = spec.artifacts;
  if (!artifacts) {
    throw new PipeError('ARTIFACT_ERROR', `CLIENT_ERROR: no definition for primary artifacts in buildspec (the action declares output artifact ${outputs.map((o) => o.name).join(', ')})`);
  }
  const only = outputs.length === 1 ? outputs[0] : undefined;
  if (only) {
    const secondary = artifacts.secondaryArtifacts[only.name];
    return [{ output: only, selection: secondary ?? artifacts }];
  }
  return outputs.map((output) => {
    const selection = artifacts.secondaryArtifacts[output.name];
    if (!selection) {
      throw new PipeError(
        'ARTIFACT_ERROR',
        `CLIENT_ERROR: the action has several output artifacts, and buildspec secondary-artifacts has no entry '${output.name}'`,
        { hint: `name each output artifact under artifacts.secondary-artifacts (have: ${Object.keys(artifacts.secondaryArtifacts).join(', ') || 'none'})` },
      );
    }
    return { output, selection };
  });
}

/** Expands `$NAME` and `${NAME}` from the build's environment (for base-directory). */
export function expandVariables(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, a: string | undefined, b: string | undefined) => env[(a ?? b) as string] ?? '');
}
