// Composition: opens PIPE_HOME and wires the stores, the executors and the engine; used by the CLI, hooks and the server.
export { continueExecution, createEngine, loadPlan, openPipeContext, settleDeploysOf, settleRecovered, spawnWorker, startPipeline } from './pipeline-service.js';
export type { PipeContext, StartPipelineOptions } from './pipeline-service.js';
export { awsBuckets, awsServices } from './aws-services.js';
export type { ServerRecords } from './aws-endpoint.js';
export { createAwsEndpointProvider, openServerRecords } from './aws-endpoint.js';
export type { AwsServiceDeps } from './aws-services.js';
export { openLambdaApi, openLambdaSession } from './lambda-api.js';
export type { LambdaApiHandle, OpenLambdaApiOptions } from './lambda-api.js';
export { openDeployRegistry } from './deploy-endpoint.js';
export type { DeployRegistry } from './deploy-endpoint.js';
export { openStackContext } from './stack-context.js';
export type { OpenStackContext } from './stack-context.js';
export { runHookSpool } from './hook-service.js';
export type { HookLog } from './hook-service.js';
export { resultOf, runSingleBuild } from './build-service.js';
export type { BatchBuildSummary, SingleBuildResult } from './build-service.js';
