// Composition: opens PIPE_HOME and wires the stores, the executors and the engine; used by the CLI, hooks and the server.
export { continueExecution, createEngine, loadPlan, openPipeContext, settleRecovered, spawnWorker, startPipeline } from './pipeline-service.js';
export type { PipeContext, StartPipelineOptions } from './pipeline-service.js';
export { awsServices } from './aws-services.js';
export type { AwsServiceDeps } from './aws-services.js';
export { resultOf, runSingleBuild } from './build-service.js';
export type { BatchBuildSummary, SingleBuildResult } from './build-service.js';
