// The sweep of containers a dead pipe process left: only this PIPE_HOME's, only those whose owner is gone.
import { LABELS } from '../core/index.js';
import type { DockerEngine } from './docker.js';
import { isProcessAlive } from './process.js';

/**
 * Removes containers of this engine's PIPE_HOME whose owning process has died (a killed run leaves them behind).
 * Another home's containers are never touched: their owners' pids mean nothing here.
 */
export async function removeLeftoverContainers(engine: DockerEngine): Promise<number> {
  const all = await engine.listContainerLabels({ [LABELS.managed]: 'true', [LABELS.home]: engine.home });
  const orphans = all.filter((c) => !isProcessAlive(Number(c[LABELS.ownerPid])));
  await Promise.all(orphans.map((c) => engine.removeContainer(String(c['id']))));
  return orphans.length;
}
