// COMBINE_ARTIFACTS for a batch: the artifact of one name from every build, in one zip, each under its build identifier.
import { combineZips } from '../artifacts/index.js';
import type { BatchExecution } from './batch-runner.js';
import type { PackagedArtifact } from './build-runner.js';

/**
 * Combines the artifact called `name` of every build of the batch that produced one into `zipPath`; undefined
 * when none did (then no zip is written).
 */
export async function combineBatchArtifacts(batch: BatchExecution, name: string, zipPath: string): Promise<PackagedArtifact | undefined> {
  const parts = batch.builds.flatMap((b) => {
    const artifact = b.build?.artifacts.find((a) => a.name === name);
    return artifact ? [{ folder: b.identifier, zipPath: artifact.path }] : [];
  });
  if (parts.length === 0) return undefined;
  const combined = await combineZips(parts, zipPath);
  return { name, path: zipPath, sha256: combined.sha256, size: combined.size, files: combined.files };
}
