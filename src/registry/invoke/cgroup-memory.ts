// An execution environment's peak memory, from its container's memory cgroup (what Lambda's REPORT line calls
// Max Memory Used: the sandbox's high-water mark, whatever the bootstrap). Read from the host's cgroup tree when
// the engine is local (cgroup v2: memory.peak; v1: memory.max_usage_in_bytes, under the cgroupfs or systemd
// driver's path), else from inside the container, where the container's own cgroup is mounted.
import { readFile } from 'node:fs/promises';
import type { ContainerHandle } from '../../infra/index.js';

const HOST_FILES = (id: string): string[] => [
  `/sys/fs/cgroup/system.slice/docker-${id}.scope/memory.peak`,
  `/sys/fs/cgroup/docker/${id}/memory.peak`,
  `/sys/fs/cgroup/memory/docker/${id}/memory.max_usage_in_bytes`,
  `/sys/fs/cgroup/memory/system.slice/docker-${id}.scope/memory.max_usage_in_bytes`,
];

const IN_CONTAINER = 'cat /sys/fs/cgroup/memory.peak 2>/dev/null || cat /sys/fs/cgroup/memory/memory.max_usage_in_bytes';

/** Bytes, or undefined when no cgroup file answers (an engine on another machine without the files inside). */
export async function readPeakMemory(container: ContainerHandle): Promise<number | undefined> {
  for (const file of HOST_FILES(container.id)) {
    const bytes = parseBytes(await readFile(file, 'utf8').catch(() => ''));
    if (bytes !== undefined) return bytes;
  }
  let out = '';
  try {
    const r = await container.exec({ cmd: ['sh', '-c', IN_CONTAINER], user: 'root', onStdout: (c) => (out += c.toString('utf8')) });
    return r.exitCode === 0 ? parseBytes(out) : undefined;
  } catch {
    return undefined;
  }
}

function parseBytes(text: string): number | undefined {
  const t = text.trim();
  return /^\d+$/.test(t) && Number(t) > 0 ? Number(t) : undefined;
}
