// The plan layer: a validated PipelineSpec -> ExecutionPlan, and variable references resolved at run time. Pure.
export * from './execution-plan.js';
export * from './references.js';
export * from './configuration.js';
export * from './structure-digest.js';
