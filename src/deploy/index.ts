// The deploy room: stacks, traffic shifting, and the Deploy and Invoke executors; talks to the registry through LambdaApi.
export { createInvokeExecutor, deployTimeScale, JOB_TIMEOUT_MS } from './invoke-action.js';
export type { InvokeExecutorOptions, LambdaSession } from './invoke-action.js';
export { codePipelineJobService, jobArtifactBucket, artifactBucketName } from './job-api.js';
export { JobStore } from './job-store.js';
export type { JobArtifact, JobRecord, JobResult } from './job-store.js';
