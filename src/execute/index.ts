// The orchestrator: executions, the execution store, one executor per action category.
export { runExecution } from './orchestrator.js';
export type { OrchestratorDeps, PipelineExecutionResult, StartOptions } from './orchestrator.js';
export type { ActionContext, ActionExecutor, ActionOutcome, ArtifactLocation } from './action-executor.js';
export { ExecutionStore, isProcessAlive } from './execution-store.js';
export type { ActionExecutionRecord, ExecutionDetail, ExecutionSummary, StageExecutionRecord } from './execution-store.js';
export { LogStore, actionLogPath } from './log-store.js';
export { loadPlan, openPipeContext, removeLeftoverContainers, startPipeline, DEFAULT_ACCOUNT, DEFAULT_REGION } from './pipeline-service.js';
export type { PipeContext, StartPipelineOptions } from './pipeline-service.js';
export { createBuildExecutor, loadActionBuildspec } from './build-executor.js';
export { createSourceExecutor } from './source-executor.js';
export { runSingleBuild, loadSourceBuildspec, DEFAULT_PRIMARY_ARTIFACT } from './single-build.js';
export type { SingleBuildOptions, SingleBuildResult } from './single-build.js';
export { BuildStore } from './build-store.js';
export type { BuildRecord } from './build-store.js';
