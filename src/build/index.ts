// The buildspec runner: phases, the shell session, the environment, exported variables, artifacts.
export { runBuild } from './build-runner.js';
export type { ArtifactIo, BuildDeps, BuildExecution, BuildOutput, BuildRequest, BuildSource, PackagedArtifact } from './build-runner.js';
export { createDockerBuildContainers } from './docker-container.js';
export type { BuildContainerFactory } from './docker-container.js';
export type { BuildIdentity } from './build-env.js';
export { SRC_DIR } from './build-env.js';
export type { PhaseRecord } from './phase-runner.js';
export { runBatch, DEFAULT_BATCH_CONCURRENCY } from './batch-runner.js';
export type { BatchBuildRecord, BatchExecution, BatchRequest, BatchTaskPlan } from './batch-runner.js';
export { agentLine } from './build-log.js';
export { CacheStore, MAX_ENTRIES_PER_SCOPE, openCacheStore } from './cache/index.js';
export type { CacheEntry } from './cache/index.js';
export { buildReport, describeTestCase } from './reports/index.js';
export type { BuildReport, CoverageReport, FailedTestCase, TestReport } from './reports/index.js';
export { resolveBuildImage, STANDARD_IMAGE } from './build-image.js';
export type { LocalBuildImage } from './build-image.js';
export { planRuntimeVersions, readRuntimeCatalog, RUNTIMES_LABEL } from './runtime-versions.js';
export type { RuntimeCatalog, RuntimePlan } from './runtime-versions.js';
