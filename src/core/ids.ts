// Identifiers: execution ids, build ids, and the names CodeBuild derives from them.
import { randomUUID } from 'node:crypto';

export function newExecutionId(): string {
  return randomUUID();
}

export function newBuildId(project: string): string {
  return `${project}:${randomUUID()}`;
}

/** Docker labels every container pipe starts carries, so a later run can find and remove leftovers. */
export const LABELS = {
  managed: 'dev.pipe.managed',
  executionId: 'dev.pipe.execution-id',
  action: 'dev.pipe.action',
  ownerPid: 'dev.pipe.owner-pid',
  role: 'dev.pipe.role',
  /** On what a privileged build creates through its Docker engine: removed with the build. */
  buildDocker: 'dev.pipe.build-docker',
} as const;
