// The adapters to the machine: Docker (dockerode), git (execa), SQLite (better-sqlite3), processes and the
// project's folders. The only code that imports those libraries; their errors are mapped here, once.
export * from './docker.js';
export * from './git.js';
export * from './sqlite.js';
export { artifactRoot, findWorkspaceRoot } from './workspace.js';
export type { WorkspaceOptions } from './workspace.js';
export { projectRoot } from './project-root.js';
export { mapSystemError } from './system-errors.js';
export { isProcessAlive } from './process.js';
export { removeLeftoverContainers } from './containers.js';
export * from './docker-proxy.js';
